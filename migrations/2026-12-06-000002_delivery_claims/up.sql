-- Deliveries are claimed per webhook by an advisory lock held on the claiming instance's own
-- connection (src/worker/owner.rs), not by a lease on each row: PostgreSQL drops the lock the moment
-- that connection dies, so a killed process's work is taken over within a poll, and a live sender
-- keeps its webhook however slow the receiver. And they are sent in the feed's order, (txid, seq) of
-- their events: each delivery keeps its event's transaction id (the fan-out inserts it in the
-- event's own transaction, a replay copies it), and only deliveries of transactions older than every
-- one of this database still running are sent (shixin_settled_horizon below).
ALTER TABLE webhook_deliveries ADD COLUMN event_txid xid8 NOT NULL DEFAULT pg_current_xact_id();
UPDATE webhook_deliveries d SET event_txid = e.txid FROM events e WHERE e.seq = d.event_seq;
DROP INDEX webhook_deliveries_due_idx;
ALTER TABLE webhook_deliveries DROP COLUMN locked_until;
-- the claim walks each webhook's pending deliveries in feed order
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (webhook_id, event_txid, event_seq, id)
    WHERE status = 'pending';

-- Where deliveries may go up to in feed order: the oldest transaction still running *in this
-- database* (one of another database cannot write our events, and must not hold our webhooks
-- back), or the snapshot's xmax when none is. A transaction of the snapshot that the activity view
-- no longer shows (it ended in between) counts as ours: held back until the next look. STABLE: it
-- reads the calling statement's snapshot, the one its rows are read in.
CREATE FUNCTION shixin_settled_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
  SELECT COALESCE(min(x), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x
   WHERE NOT EXISTS (
         SELECT 1 FROM pg_stat_activity a
          WHERE a.backend_xid = xid(x)
            AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))
$$;
