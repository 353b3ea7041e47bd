-- Each register's number of risks, in all and live, kept by triggers in the transaction
-- that changes them, so that a page of a register reads its total from one row instead of
-- counting thousands of index entries on every request.
CREATE TABLE risk_totals (
    register TEXT PRIMARY KEY,
    risks INTEGER NOT NULL,
    live INTEGER NOT NULL
);

INSERT INTO risk_totals (register, risks, live)
SELECT register, COUNT(*), SUM(live) FROM risks GROUP BY register;

CREATE TRIGGER risk_totals_insert AFTER INSERT ON risks
BEGIN
    INSERT INTO risk_totals (register, risks, live) VALUES (NEW.register, 1, NEW.live)
    ON CONFLICT (register) DO UPDATE SET risks = risks + 1, live = live + excluded.live;
END;

CREATE TRIGGER risk_totals_delete AFTER DELETE ON risks
BEGIN
    UPDATE risk_totals SET risks = risks - 1, live = live - OLD.live WHERE register = OLD.register;
END;

-- Most amendments change neither, and then cost nothing here.
CREATE TRIGGER risk_totals_update AFTER UPDATE OF register, live ON risks
WHEN OLD.register IS NOT NEW.register OR OLD.live IS NOT NEW.live
BEGIN
    UPDATE risk_totals SET risks = risks - 1, live = live - OLD.live WHERE register = OLD.register;
    INSERT INTO risk_totals (register, risks, live) VALUES (NEW.register, 1, NEW.live)
    ON CONFLICT (register) DO UPDATE SET risks = risks + 1, live = live + excluded.live;
END;
