-- Low-volume records kept whole as JSON under a key: meetings, proposals and the
-- snapshots of registers as agreed at a meeting. Their history is in `events` like
-- every other record's.

CREATE TABLE json_records (
    record_type TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (record_type, key)
);
