-- Low-volume records kept whole as JSON under a key: meetings, proposals and the
-- snapshots of registers as agreed at a meeting. The same table as SQLite's
-- 0002_json_records.sql; their history is in `events` like every other record's.

CREATE TABLE json_records (
    record_type TEXT NOT NULL,
    key TEXT NOT NULL,
    body JSONB NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (record_type, key)
);
