DROP FUNCTION shixin_settled_horizon();
DROP INDEX webhook_deliveries_due_idx;
ALTER TABLE webhook_deliveries ADD COLUMN locked_until timestamptz;
ALTER TABLE webhook_deliveries DROP COLUMN event_txid;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (webhook_id, next_attempt_at, id) WHERE status = 'pending';
