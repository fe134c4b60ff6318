-- Staging engine: the model an admin chose and each model's settings (PRODUCT.md §8), and the
-- marker of a create call whose answer may be lost, so that a redelivery finds that paid
-- prediction at Replicate instead of creating a second one.

-- At most one row: the admin's choice. While there is none, the STAGING_MODEL setting applies.
CREATE TABLE staging_settings (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    active_model  text NOT NULL,
    updated_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Per model: only the parameters an admin set (the model's defaults apply to the rest), and its
-- secrets sealed with AES-256-GCM (base64 text), never stored in clear.
CREATE TABLE model_configs (
    model_id    text PRIMARY KEY,
    parameters  jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(parameters) = 'object'),
    secrets     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(secrets) = 'object'),
    updated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A create call for an image, written before the call and removed once its prediction id is
-- recorded (or the call was refused). The marker travels in the photo URL the model is given, and
-- Replicate's list of predictions echoes each input, so a create whose answer was lost is found and
-- resumed. Until settle_until a search that finds nothing is not conclusive: a create whose answer
-- was lost may still be in flight; a create answered with an error settles at once.
CREATE TABLE prediction_attempts (
    image_id      uuid PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
    marker        uuid NOT NULL,
    model         text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    settle_until  timestamptz NOT NULL
);
