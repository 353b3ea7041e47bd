-- riskreg's initial schema on PostgreSQL, the same tables as SQLite's 0001_initial.sql.
-- Current state lives in ordinary tables for fast reads; every change also appends a row
-- to `events`, the hash-chained history that as-at reads, diffs and the audit trail come
-- from. Record bodies are the domain's JSON: jsonb in the current-state tables, but json
-- (kept exactly as written, keys in their order) in `events`, so that history reads give
-- back what was appended, as SQLite's text does. Timestamps are timestamptz, which keeps
-- the microseconds the hash covers.

CREATE TABLE settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body JSONB NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE registers (
    code TEXT PRIMARY KEY,
    parent TEXT REFERENCES registers (code),
    body JSONB NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE risks (
    register TEXT NOT NULL REFERENCES registers (code),
    number BIGINT NOT NULL,
    severity BIGINT NOT NULL,
    live BOOLEAN NOT NULL,
    body JSONB NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (register, number)
);
CREATE INDEX risks_by_order ON risks (register, severity DESC, number);

CREATE TABLE issues (
    register TEXT NOT NULL REFERENCES registers (code),
    number BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    live BOOLEAN NOT NULL,
    body JSONB NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (register, number)
);

CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    kind TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_key TEXT NOT NULL,
    register TEXT,
    version BIGINT NOT NULL,
    before JSON,
    after JSON,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (record_type, record_key, version)
);
CREATE INDEX events_by_register ON events (register, record_type, at);

-- The history is append-only. This stops mistakes, not attackers: anyone who can alter
-- the schema can drop the triggers, which is what the hash chain is for.
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_are_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
