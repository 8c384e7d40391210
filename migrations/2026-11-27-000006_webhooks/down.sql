DROP TRIGGER IF EXISTS webhook_deliveries_notify ON webhook_deliveries;
DROP FUNCTION IF EXISTS webhook_deliveries_notify();
DROP TABLE IF EXISTS webhook_attempts;
DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS webhooks;
