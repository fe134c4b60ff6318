-- Open WebSocket connections of the API Gateway WebSocket API: recorded at $connect once the
-- caller's token is verified, removed at $disconnect, when a post answers 410 Gone, or once
-- expired (API Gateway closes every connection after 2 hours; $disconnect is best effort).
CREATE TABLE connections (
    connection_id  text PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    connected_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
-- The publisher's one query: the live connections of one user.
CREATE INDEX connections_by_user ON connections (user_id, expires_at);
-- The sweep of connections API Gateway has certainly closed.
CREATE INDEX connections_expiry ON connections (expires_at);
