-- Users, API tokens, login sessions and login throttling, the same tables as SQLite's
-- 0002_users.sql. Users and tokens are records like risks: every change also appends a
-- hash-chained event, and `body` is the JSON that event carries. Password and token
-- hashes sit beside the body, never in it, so they never enter the history. Sessions and
-- throttle counts are plain rows, shared by every server process on this database.

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    body JSONB NOT NULL,
    password_hash TEXT,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    secret_hash TEXT NOT NULL UNIQUE,
    body JSONB NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX tokens_by_user ON tokens (user_name);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_name);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL
);
