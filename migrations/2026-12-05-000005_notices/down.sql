DROP FUNCTION record_notices(bigint[], boolean);
DROP TABLE notices;
ALTER TABLE events DROP COLUMN audience;
ALTER TABLE listings DROP COLUMN notice_subscriber_id;
DELETE FROM subscribers WHERE sector IN ('credit_reference', 'notice_recipient');
ALTER TABLE subscribers DROP CONSTRAINT subscribers_sector_check;
ALTER TABLE subscribers ADD CONSTRAINT subscribers_sector_check
    CHECK (sector IN ('airline', 'rail', 'shipping', 'hospitality', 'real_estate', 'finance',
                      'education', 'government'));
