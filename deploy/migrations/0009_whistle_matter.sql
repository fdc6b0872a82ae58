-- A whistle blown for a community decision names its matter as a typed
-- column (and a typed field of the Whistle message), not as an origin text
-- "matter:<id>" that readers parsed back.
ALTER TABLE whistles ADD COLUMN matter_id bigint;  -- deliberation's matter; no foreign key across owners
UPDATE whistles SET matter_id = substring(origin FROM 8)::bigint WHERE origin LIKE 'matter:%';
ALTER TABLE whistles DROP COLUMN origin;
