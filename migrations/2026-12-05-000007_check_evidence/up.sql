-- Checks as evidence (docs/API.md "Checks", Evidence): each logged check keeps the id its answer
-- carried (a UUIDv7 whose time is `checked_at` to the millisecond: `GET /v1/checks/{check_id}`
-- finds it through the BRIN index on `checked_at`, so the append-only log needs no other index),
-- the feed position the answer was consistent with, and the restriction and release ids each
-- subject's answer rests on (`[{"i": index, "r": [...], "l": [...]}]`, only for subjects that have
-- any). Rows logged before this migration have none of them.
ALTER TABLE check_requests
    ADD COLUMN check_id uuid,
    ADD COLUMN as_of text,
    ADD COLUMN matches jsonb;
