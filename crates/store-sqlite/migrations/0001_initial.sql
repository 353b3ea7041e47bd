-- riskreg's initial schema. Current state lives in ordinary tables for fast reads; every
-- change also appends a row to `events`, the hash-chained history that as-at reads,
-- diffs and the audit trail come from. Record bodies are the domain's JSON.

CREATE TABLE settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE registers (
    code TEXT PRIMARY KEY,
    parent TEXT REFERENCES registers (code),
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE risks (
    register TEXT NOT NULL REFERENCES registers (code),
    number INTEGER NOT NULL,
    severity INTEGER NOT NULL,
    live INTEGER NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (register, number)
);
CREATE INDEX risks_by_order ON risks (register, severity DESC, number);

CREATE TABLE issues (
    register TEXT NOT NULL REFERENCES registers (code),
    number INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    live INTEGER NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (register, number)
);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    kind TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_key TEXT NOT NULL,
    register TEXT,
    version INTEGER NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (record_type, record_key, version)
);
CREATE INDEX events_by_register ON events (register, record_type, at);

-- The history is append-only. This stops mistakes, not attackers: anyone who can write
-- the file can drop the triggers, which is what the hash chain is for.
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
