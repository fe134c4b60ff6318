-- Billing through Stripe: each user's Stripe customer, their subscriptions as Stripe last
-- reported them, the Checkout sessions we opened, and the Stripe events already applied.

-- Set when we create the customer (metadata user_id = our id) or when a signed event links one.
ALTER TABLE users ADD COLUMN stripe_customer_id text UNIQUE;

-- A copy of each Stripe subscription, rewritten from Stripe's API (never from an event's payload,
-- which may be older than what we already hold) whenever an event about it arrives. Quota follows
-- the plan and period of the user's live subscription (active, trialing, past_due), else
-- users.plan_id (free unless granted by hand) and the calendar month.
CREATE TABLE subscriptions (
    id                        text PRIMARY KEY,
    user_id                   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    customer_id               text NOT NULL,
    plan_id                   text NOT NULL REFERENCES plans (id),
    price_id                  text NOT NULL,
    status                    text NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing',
                                  'active', 'past_due', 'canceled', 'unpaid', 'paused')),
    current_period_start      timestamptz NOT NULL,
    current_period_end        timestamptz NOT NULL,
    cancel_at_period_end      boolean NOT NULL DEFAULT false,
    canceled_at               timestamptz,
    ended_at                  timestamptz,
    latest_invoice_id         text,
    latest_invoice_status     text,
    latest_invoice_amount_due bigint,
    latest_invoice_currency   text,
    payment_attempt_count     integer,
    next_payment_attempt      timestamptz,
    stripe_created_at         timestamptz NOT NULL,
    synced_at                 timestamptz NOT NULL DEFAULT now(),
    created_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_by_user ON subscriptions (user_id, stripe_created_at DESC);

-- Checkout sessions we created; at most one is left open per user, so two browser tabs cannot
-- start two subscriptions.
CREATE TABLE checkout_sessions (
    id          text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id     text NOT NULL REFERENCES plans (id),
    url         text NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired')),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkout_sessions_open ON checkout_sessions (user_id) WHERE status = 'open';

-- Every verified Stripe event, inserted in the same transaction as its effect: a redelivery (even
-- a concurrent one, which waits on this key) finds the row and changes nothing. An event whose
-- effect failed is rolled back with it, so Stripe's retry applies it later.
CREATE TABLE stripe_events (
    id           text PRIMARY KEY,
    type         text NOT NULL,
    created      timestamptz NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('applied', 'ignored')),
    received_at  timestamptz NOT NULL DEFAULT now()
);
