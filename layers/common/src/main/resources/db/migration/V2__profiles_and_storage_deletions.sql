-- Profiles and preferences (GET/PATCH /v1/me), the storage-deletion queue that makes deleting
-- a resource remove its files even when S3 fails at that moment, and the index behind
-- "originals changed since" refreshes.

ALTER TABLE users
    ADD COLUMN full_name       text CHECK (char_length(full_name) <= 200),
    ADD COLUMN company_name    text CHECK (char_length(company_name) <= 200),
    ADD COLUMN phone           text CHECK (char_length(phone) <= 40),
    ADD COLUMN billing_address jsonb CHECK (billing_address IS NULL OR jsonb_typeof(billing_address) = 'object'),
    -- Only the keys a user set; defaults (disclosure label on, no default room or style) are applied when read.
    ADD COLUMN preferences     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(preferences) = 'object');

-- Object keys whose rows are gone and whose files must go too. A key is written here in the
-- same transaction that deletes its row, removed once S3 confirms the delete, and retried by
-- the maintenance sweep otherwise; so a file is never orphaned by a failed call.
CREATE TABLE storage_deletions (
    s3_key           text PRIMARY KEY,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX storage_deletions_due ON storage_deletions (next_attempt_at);

CREATE INDEX originals_changed ON originals (project_id, updated_at);
CREATE INDEX images_changed ON images (project_id, updated_at);
-- The maintenance sweep finds stuck work without scanning every image.
CREATE INDEX images_in_flight ON images (status, updated_at) WHERE status IN ('queued', 'processing');
