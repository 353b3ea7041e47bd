-- As-at reads of a register find each record's newest version at a past instant. This
-- index holds everything that search needs (the record, its versions and their times), so
-- it never reads the events' bodies except for the one version it picks per record.
CREATE INDEX events_as_at ON events (register, record_type, record_key, version, at);
