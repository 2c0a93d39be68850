-- planeval schema, migration 1: plans, their structure and targets, observations,
-- and the history that keeps every change traceable.
-- Everything hangs off a plan so that one file can hold a district plan, a city
-- plan and special plans side by side.

CREATE TABLE plan (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE CHECK (length(code) > 0),
    title           TEXT NOT NULL,
    short_title     TEXT NOT NULL,
    region          TEXT NOT NULL,
    period_start    INTEGER NOT NULL CHECK (period_start BETWEEN 1950 AND 2100),
    period_end      INTEGER NOT NULL CHECK (period_end BETWEEN period_start AND 2100),
    base_year       INTEGER NOT NULL CHECK (base_year < period_start),
    midterm_year    INTEGER NOT NULL CHECK (midterm_year BETWEEN period_start AND period_end),
    adopted         TEXT CHECK (adopted IS NULL OR adopted GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    issuer          TEXT NOT NULL,
    office          TEXT NOT NULL,
    source_document TEXT NOT NULL,
    -- The full text of the plan, so `planeval check` can verify every quote.
    source_text     TEXT NOT NULL,
    -- SHA-256 of the catalog files, so re-running `init` knows whether anything changed.
    catalog_hash    TEXT NOT NULL,
    loaded_at       TEXT NOT NULL
);

CREATE TABLE chapter (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    number  INTEGER NOT NULL CHECK (number > 0),
    title   TEXT NOT NULL CHECK (length(title) > 0),
    UNIQUE (plan_id, number)
);

CREATE TABLE section (
    id         INTEGER PRIMARY KEY,
    chapter_id INTEGER NOT NULL REFERENCES chapter(id) ON DELETE CASCADE,
    number     INTEGER NOT NULL CHECK (number > 0),
    title      TEXT NOT NULL CHECK (length(title) > 0),
    UNIQUE (chapter_id, number)
);

CREATE TABLE department (
    code       TEXT PRIMARY KEY CHECK (length(code) > 0),
    name       TEXT NOT NULL,
    short_name TEXT NOT NULL
);

CREATE TABLE indicator (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    code            TEXT NOT NULL CHECK (length(code) > 0),
    ord             INTEGER NOT NULL,
    name            TEXT NOT NULL CHECK (length(name) > 0),
    unit            TEXT NOT NULL,
    chapter_id      INTEGER NOT NULL REFERENCES chapter(id),
    section_id      INTEGER REFERENCES section(id),
    nature          TEXT NOT NULL CHECK (nature IN ('约束性', '预期性')),
    -- 'plan' when the plan text says so, 'office' when the statistics office decided.
    nature_by       TEXT NOT NULL CHECK (nature_by IN ('plan', 'office')),
    kind            TEXT NOT NULL CHECK (kind IN ('at_least', 'at_most', 'maintain', 'per_year',
                        'cumulative', 'avg_growth', 'relative_change', 'qualitative')),
    better          TEXT NOT NULL CHECK (better IN ('higher', 'lower')),
    baseline_year   INTEGER CHECK (baseline_year BETWEEN 1950 AND 2100),
    baseline_value  REAL,
    baseline_quote  TEXT,
    target_year     INTEGER NOT NULL CHECK (target_year BETWEEN 1950 AND 2100),
    target_value    REAL,
    path            TEXT NOT NULL CHECK (path IN ('linear', 'compound')),
    department_code TEXT NOT NULL REFERENCES department(code),
    department_by   TEXT NOT NULL CHECK (department_by IN ('plan', 'office')),
    source_quote    TEXT NOT NULL CHECK (length(trim(source_quote)) > 0),
    note            TEXT,
    UNIQUE (plan_id, code),
    CHECK ((kind = 'qualitative') = (target_value IS NULL)),
    CHECK ((baseline_year IS NULL) = (baseline_value IS NULL))
);
CREATE INDEX indicator_department ON indicator(department_code);

-- One current value per indicator and year; every earlier value lives in
-- observation_history (written by the triggers below, whoever changes the row).
CREATE TABLE observation (
    id              INTEGER PRIMARY KEY,
    indicator_id    INTEGER NOT NULL REFERENCES indicator(id) ON DELETE RESTRICT,
    year            INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    value           REAL NOT NULL,
    -- 'level' is the value itself; 'yoy_change' is a year-on-year change in percent,
    -- the way departments often report relative-change targets such as energy intensity.
    value_kind      TEXT NOT NULL DEFAULT 'level' CHECK (value_kind IN ('level', 'yoy_change')),
    status          TEXT NOT NULL CHECK (status IN ('preliminary', 'final', 'revised')),
    source          TEXT,
    department_code TEXT NOT NULL REFERENCES department(code),
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    -- 1 for demo or synthetic data that must never be presented as official.
    illustrative    INTEGER NOT NULL DEFAULT 0 CHECK (illustrative IN (0, 1)),
    change_reason   TEXT,
    import_batch    TEXT,
    UNIQUE (indicator_id, year)
);
CREATE INDEX observation_year ON observation(year);

CREATE TABLE observation_history (
    id              INTEGER PRIMARY KEY,
    observation_id  INTEGER NOT NULL,
    indicator_id    INTEGER NOT NULL,
    year            INTEGER NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    old_value       REAL,
    new_value       REAL,
    old_status      TEXT,
    new_status      TEXT,
    changed_by      TEXT,
    department_code TEXT,
    changed_at      TEXT NOT NULL,
    reason          TEXT,
    import_batch    TEXT
);
CREATE INDEX observation_history_indicator ON observation_history(indicator_id, year);

CREATE TRIGGER observation_after_insert AFTER INSERT ON observation BEGIN
    INSERT INTO observation_history (observation_id, indicator_id, year, action, new_value,
        new_status, changed_by, department_code, changed_at, reason, import_batch)
    VALUES (NEW.id, NEW.indicator_id, NEW.year, 'insert', NEW.value, NEW.status,
        NEW.recorded_by, NEW.department_code, NEW.recorded_at, NEW.change_reason, NEW.import_batch);
END;

CREATE TRIGGER observation_after_update AFTER UPDATE ON observation BEGIN
    INSERT INTO observation_history (observation_id, indicator_id, year, action, old_value,
        new_value, old_status, new_status, changed_by, department_code, changed_at, reason,
        import_batch)
    VALUES (NEW.id, NEW.indicator_id, NEW.year, 'update', OLD.value, NEW.value, OLD.status,
        NEW.status, NEW.recorded_by, NEW.department_code, NEW.recorded_at, NEW.change_reason,
        NEW.import_batch);
END;

CREATE TRIGGER observation_after_delete AFTER DELETE ON observation BEGIN
    INSERT INTO observation_history (observation_id, indicator_id, year, action, old_value,
        old_status, department_code, changed_at)
    VALUES (OLD.id, OLD.indicator_id, OLD.year, 'delete', OLD.value, OLD.status,
        OLD.department_code, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;

-- Events other than observation changes: catalog loads, verdicts, commentary, reports.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT
);

CREATE VIEW v_indicator AS
SELECT p.code AS plan, i.code, i.name, i.unit, c.number AS chapter, c.title AS chapter_title,
       s.number AS section, s.title AS section_title, i.nature, i.kind, i.better,
       i.baseline_year, i.baseline_value, i.target_year, i.target_value, i.path,
       d.short_name AS department, i.department_by, i.source_quote
FROM indicator i
JOIN plan p ON p.id = i.plan_id
JOIN chapter c ON c.id = i.chapter_id
LEFT JOIN section s ON s.id = i.section_id
JOIN department d ON d.code = i.department_code;

CREATE VIEW v_observation AS
SELECT p.code AS plan, i.code, i.name, i.unit, o.year, o.value, o.value_kind, o.status,
       o.illustrative, o.source, o.department_code AS department, o.recorded_by, o.recorded_at
FROM observation o
JOIN indicator i ON i.id = o.indicator_id
JOIN plan p ON p.id = i.plan_id;

CREATE VIEW v_indicator_latest AS
SELECT v.*, o.year AS latest_year, o.value AS latest_value, o.value_kind AS latest_value_kind,
       o.status AS latest_status, o.illustrative AS latest_illustrative
FROM v_indicator v
JOIN plan p ON p.code = v.plan
JOIN indicator i ON i.plan_id = p.id AND i.code = v.code
LEFT JOIN observation o ON o.id = (
    SELECT o2.id FROM observation o2 WHERE o2.indicator_id = i.id ORDER BY o2.year DESC LIMIT 1);

CREATE VIEW v_plan_summary AS
SELECT p.code AS plan, p.short_title,
       (SELECT count(*) FROM chapter c WHERE c.plan_id = p.id) AS chapters,
       (SELECT count(*) FROM section s JOIN chapter c ON c.id = s.chapter_id WHERE c.plan_id = p.id) AS sections,
       (SELECT count(*) FROM indicator i WHERE i.plan_id = p.id) AS indicators,
       (SELECT count(*) FROM observation o JOIN indicator i ON i.id = o.indicator_id WHERE i.plan_id = p.id) AS observations,
       (SELECT count(*) FROM observation o JOIN indicator i ON i.id = o.indicator_id WHERE i.plan_id = p.id AND o.illustrative = 1) AS illustrative_observations
FROM plan p;
