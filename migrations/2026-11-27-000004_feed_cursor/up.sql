-- The change feed reads events in (transaction id, sequence) order below the oldest running
-- transaction: a reader never passes an event whose transaction has not committed yet.
CREATE INDEX events_feed_idx ON events (txid, seq);
