-- Risks and issues imported from a spreadsheet keep the reference they had there
-- (`source_ref` in the record's JSON, e.g. `015(CR)`); these indexes let them be found by
-- it. The same version name as SQLite's 0005_source_refs.sql.
CREATE INDEX risks_by_source_ref ON risks (register, (body ->> 'source_ref'))
    WHERE body ->> 'source_ref' IS NOT NULL;
CREATE INDEX issues_by_source_ref ON issues (register, (body ->> 'source_ref'))
    WHERE body ->> 'source_ref' IS NOT NULL;
