-- Core tables of the walking skeleton: users, plans, projects, originals, images, quota reservations.

CREATE TABLE plans (
    id                text PRIMARY KEY,
    name              text NOT NULL,
    monthly_images    integer NOT NULL CHECK (monthly_images >= 0),
    price_cents       integer NOT NULL CHECK (price_cents >= 0),
    currency          text NOT NULL DEFAULT 'usd',
    sort_order        integer NOT NULL
);

INSERT INTO plans (id, name, monthly_images, price_cents, sort_order) VALUES
    ('free',     'Free',      10,     0, 1),
    ('pro',      'Pro',      100,  2900, 2),
    ('business', 'Business', 500,  9900, 3);

CREATE TABLE users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    auth_sub    text NOT NULL UNIQUE,
    email       text,
    plan_id     text NOT NULL DEFAULT 'free' REFERENCES plans (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_by_owner ON projects (user_id, created_at DESC, id DESC);

CREATE TABLE originals (
    id             uuid PRIMARY KEY,
    project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    filename       text NOT NULL,
    content_type   text NOT NULL,
    size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
    s3_key         text NOT NULL UNIQUE,
    status         text NOT NULL DEFAULT 'awaiting_upload'
                   CHECK (status IN ('awaiting_upload', 'uploaded', 'rejected', 'expired')),
    reject_code    text,
    reject_reason  text,
    width          integer,
    height         integer,
    upload_expires_at timestamptz NOT NULL,
    uploaded_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX originals_by_project ON originals (project_id, created_at, id);
CREATE INDEX originals_awaiting ON originals (upload_expires_at) WHERE status = 'awaiting_upload';

CREATE TABLE images (
    id                  uuid PRIMARY KEY,
    original_id         uuid NOT NULL REFERENCES originals (id) ON DELETE CASCADE,
    project_id          uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_type           text NOT NULL,
    style               text NOT NULL,
    mode                text NOT NULL DEFAULT 'stage',
    prompt              text,
    seed                bigint CHECK (seed BETWEEN 1 AND 4294967295),
    status              text NOT NULL DEFAULT 'awaiting_upload'
                        CHECK (status IN ('awaiting_upload', 'queued', 'processing', 'ready', 'failed')),
    error_code          text,
    error_message       text,
    model               text,
    prediction_id       text,
    cost_usd            numeric(10, 4),
    model_ms            integer,
    total_ms            integer,
    staged_key          text,
    staged_content_type text,
    attempts            integer NOT NULL DEFAULT 0,
    -- A claim holds until this time; a redelivery after it may resume the recorded prediction.
    lease_until         timestamptz,
    queued_at           timestamptz,
    started_at          timestamptz,
    completed_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_by_original ON images (original_id, created_at, id);
CREATE INDEX images_by_owner ON images (user_id);

-- One row per requested image; counted against the plan within a period, released on
-- permanent failure, rejection or expiry. Deleting an image does not refund it, so the row
-- outlives the image.
CREATE TABLE usage_reservations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    image_id      uuid UNIQUE REFERENCES images (id) ON DELETE SET NULL,
    period_start  timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'consumed', 'released')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_by_period ON usage_reservations (user_id, period_start) WHERE status <> 'released';
