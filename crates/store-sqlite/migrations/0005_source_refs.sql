-- Risks and issues imported from a spreadsheet keep the reference they had there
-- (`source_ref` in the record's JSON, e.g. `015(CR)`); these indexes let them be found by
-- it. The expressions must match the lookup's exactly for SQLite to use them.
CREATE INDEX risks_by_source_ref ON risks (register, json_extract(body, '$.source_ref'))
    WHERE json_extract(body, '$.source_ref') IS NOT NULL;
CREATE INDEX issues_by_source_ref ON issues (register, json_extract(body, '$.source_ref'))
    WHERE json_extract(body, '$.source_ref') IS NOT NULL;
