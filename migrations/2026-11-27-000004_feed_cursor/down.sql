DROP INDEX events_feed_idx;
