-- planeval schema, migration 4: the history keeps the versions a change replaced.
--
-- The current version of a value is its observation row, which already says who
-- recorded it, when, why and in which import batch. observation_version holds
-- every earlier version in full, with when and how it ended (replaced by an
-- update, or deleted). The row and its versions are the whole trail, as in
-- SQL:2011 system-versioned tables. Schema 3 copied every new row into the
-- history as well: a second row write per value, 2.4 s of a 6.3 s million-row
-- import (docs/performance.md).

CREATE TABLE observation_version (
    id              INTEGER PRIMARY KEY,
    observation_id  INTEGER NOT NULL,
    indicator_id    INTEGER NOT NULL,
    year            INTEGER NOT NULL,
    value           REAL NOT NULL,
    -- value_kind, source, note and illustrative are NULL in versions migrated
    -- from schema 3, whose history did not record them.
    value_kind      TEXT,
    status          TEXT NOT NULL,
    source          TEXT,
    note            TEXT,
    department_code TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    illustrative    INTEGER,
    change_reason   TEXT,
    import_batch    TEXT,
    ended_by        TEXT NOT NULL CHECK (ended_by IN ('update', 'delete')),
    ended_at        TEXT NOT NULL
);
CREATE INDEX observation_version_indicator ON observation_version(indicator_id, year);

-- No query reads observations by year alone: they go through the plan's
-- indicators to the (indicator_id, year) index. Keeping this one up to date cost
-- a million-row import 0.35 s.
DROP INDEX observation_year;

-- Schema 3's events become versions: each inserted or updated value that a later
-- event replaced or deleted. The last value of a row still present is the row.
-- An insert right after an insert is an `INSERT OR REPLACE` from outside
-- planeval, which removed the row without a delete event: that version ended
-- by deletion too.
INSERT INTO observation_version (observation_id, indicator_id, year, value, status,
    department_code, recorded_by, recorded_at, change_reason, import_batch, ended_by, ended_at)
SELECT observation_id, indicator_id, year, new_value, new_status, department_code, changed_by,
       changed_at, reason, import_batch, iif(next_action = 'update', 'update', 'delete'), next_at
FROM (SELECT h.*,
             lead(action) OVER w AS next_action,
             lead(changed_at) OVER w AS next_at
      FROM observation_history h
      WINDOW w AS (PARTITION BY indicator_id, year ORDER BY id))
WHERE action IN ('insert', 'update') AND next_action IS NOT NULL
ORDER BY id;

DROP VIEW v_observation_history;
DROP TRIGGER observation_after_insert;
DROP TRIGGER observation_after_update;
DROP TRIGGER observation_after_delete;
DROP TABLE observation_history;

CREATE TRIGGER observation_after_update AFTER UPDATE ON observation BEGIN
    INSERT INTO observation_version (observation_id, indicator_id, year, value, value_kind,
        status, source, note, department_code, recorded_by, recorded_at, illustrative,
        change_reason, import_batch, ended_by, ended_at)
    VALUES (OLD.id, OLD.indicator_id, OLD.year, OLD.value, OLD.value_kind, OLD.status,
        OLD.source, OLD.note, OLD.department_code, OLD.recorded_by, OLD.recorded_at,
        OLD.illustrative, OLD.change_reason, OLD.import_batch, 'update', NEW.recorded_at);
END;

-- A value's trail is kept by indicator and year, so those never change: a value
-- recorded under the wrong key is deleted (its version kept) and inserted anew.
CREATE TRIGGER observation_key_is_fixed BEFORE UPDATE OF indicator_id, year ON observation
WHEN NEW.indicator_id IS NOT OLD.indicator_id OR NEW.year IS NOT OLD.year BEGIN
    SELECT RAISE(ABORT, 'an observation''s indicator and year cannot change: delete the row and insert the value under its own indicator and year');
END;

CREATE TRIGGER observation_after_delete AFTER DELETE ON observation BEGIN
    INSERT INTO observation_version (observation_id, indicator_id, year, value, value_kind,
        status, source, note, department_code, recorded_by, recorded_at, illustrative,
        change_reason, import_batch, ended_by, ended_at)
    VALUES (OLD.id, OLD.indicator_id, OLD.year, OLD.value, OLD.value_kind, OLD.status,
        OLD.source, OLD.note, OLD.department_code, OLD.recorded_by, OLD.recorded_at,
        OLD.illustrative, OLD.change_reason, OLD.import_batch, 'delete',
        strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;

-- The trail as events, the way schema 3 stored it: an insert for each first
-- value, an update (old → new) for each replacement, a delete for each deletion.
-- `planeval history` reads it for one indicator; the filter on indicator_id
-- reaches both tables' indexes. `step` orders the events of one value.
CREATE VIEW v_observation_event AS
SELECT indicator_id, year,
       iif(previous_end = 'update', 'update', 'insert') AS action,
       iif(previous_end = 'update', previous_value, NULL) AS old_value,
       value AS new_value,
       iif(previous_end = 'update', previous_status, NULL) AS old_status,
       status AS new_status,
       recorded_by AS changed_by, department_code, recorded_at AS changed_at,
       change_reason AS reason, import_batch, is_current, seq, 0 AS step
FROM (
    SELECT version.*,
           lag(value) OVER w AS previous_value,
           lag(status) OVER w AS previous_status,
           lag(ended_by) OVER w AS previous_end
    FROM (
        SELECT indicator_id, year, 0 AS is_current, id AS seq, value, status, department_code,
               recorded_by, recorded_at, change_reason, import_batch, ended_by
        FROM observation_version
        UNION ALL
        SELECT indicator_id, year, 1, id, value, status, department_code,
               recorded_by, recorded_at, change_reason, import_batch, NULL
        FROM observation
    ) AS version
    WINDOW w AS (PARTITION BY indicator_id, year ORDER BY is_current, seq)
)
UNION ALL
SELECT indicator_id, year, 'delete', value, NULL, status, NULL, NULL, department_code,
       ended_at, NULL, NULL, 0, id, 1
FROM observation_version
WHERE ended_by = 'delete';

-- The same with the plan and indicator named, for people who open the file with sqlite3.
CREATE VIEW v_observation_history AS
SELECT p.code AS plan, i.code, i.name, e.year, e.action, e.old_value, e.new_value,
       e.old_status, e.new_status, e.changed_by, e.department_code AS department,
       e.changed_at, e.reason, e.import_batch
FROM v_observation_event e
JOIN indicator i ON i.id = e.indicator_id
JOIN plan p ON p.id = i.plan_id;
