-- Each register's number of risks, in all and live, kept by triggers in the transaction
-- that changes them, so that a page of a register reads its total from one row instead of
-- counting thousands of rows on every request.
CREATE TABLE risk_totals (
    register TEXT PRIMARY KEY,
    risks BIGINT NOT NULL,
    live BIGINT NOT NULL
);

INSERT INTO risk_totals (register, risks, live)
SELECT register, COUNT(*), COUNT(*) FILTER (WHERE live) FROM risks GROUP BY register;

CREATE FUNCTION risk_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE risk_totals
        SET risks = risks - 1, live = live - (CASE WHEN OLD.live THEN 1 ELSE 0 END)
        WHERE register = OLD.register;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO risk_totals (register, risks, live)
        VALUES (NEW.register, 1, CASE WHEN NEW.live THEN 1 ELSE 0 END)
        ON CONFLICT (register) DO UPDATE
        SET risks = risk_totals.risks + 1, live = risk_totals.live + excluded.live;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER risk_totals_insert_delete AFTER INSERT OR DELETE ON risks
FOR EACH ROW EXECUTE FUNCTION risk_totals_keep();

-- Most amendments change neither, and then cost nothing here.
CREATE TRIGGER risk_totals_update AFTER UPDATE OF register, live ON risks
FOR EACH ROW WHEN (OLD.register IS DISTINCT FROM NEW.register OR OLD.live IS DISTINCT FROM NEW.live)
EXECUTE FUNCTION risk_totals_keep();
