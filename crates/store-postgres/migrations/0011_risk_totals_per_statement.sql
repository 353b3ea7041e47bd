-- New risks add to their registers' totals once per statement and register instead of once
-- per row. Risks are inserted many to a statement (an import, a batch of creates), and the
-- row trigger updated one register's totals row once for each of them: within one
-- transaction every update of a row leaves a version that the next one steps over, so an
-- import of 100,000 risks spent more time there than on the risks themselves, and each
-- risk cost more than the one before. Updates and deletes, which change a total now and
-- then, keep the row trigger. SQLite updates its totals row in place, and keeps its own.

CREATE FUNCTION risk_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO risk_totals (register, risks, live)
    SELECT register, COUNT(*), COUNT(*) FILTER (WHERE live) FROM added GROUP BY register
    ON CONFLICT (register) DO UPDATE
    SET risks = risk_totals.risks + excluded.risks, live = risk_totals.live + excluded.live;
    RETURN NULL;
END
$$;

DROP TRIGGER risk_totals_insert_delete ON risks;

CREATE TRIGGER risk_totals_insert AFTER INSERT ON risks
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION risk_totals_add();

CREATE TRIGGER risk_totals_delete AFTER DELETE ON risks
FOR EACH ROW EXECUTE FUNCTION risk_totals_keep();
