-- planeval schema, migration 2: the statistics office's own verdicts, report
-- commentary, and the record of published report editions.

CREATE TABLE office_verdict (
    id           INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicator(id) ON DELETE CASCADE,
    year         INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    status       TEXT NOT NULL CHECK (status IN ('green', 'yellow', 'red', 'grey')),
    reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    UNIQUE (indicator_id, year)
);

-- Prose written by the office; chapter NULL is the foreword.
CREATE TABLE commentary (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    report     TEXT NOT NULL CHECK (report IN ('annual', 'midterm')),
    year       INTEGER NOT NULL CHECK (year BETWEEN 1950 AND 2100),
    chapter    INTEGER,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX commentary_key ON commentary(plan_id, report, year, ifnull(chapter, 0));

-- Each published report, with a hash of the data it was built from and the
-- evaluation it showed, so the next edition can list what changed since.
CREATE TABLE report_edition (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    report       TEXT NOT NULL CHECK (report IN ('annual', 'midterm')),
    year         INTEGER NOT NULL,
    edition      INTEGER NOT NULL CHECK (edition > 0),
    published_at TEXT NOT NULL,
    data_hash    TEXT NOT NULL,
    snapshot     TEXT NOT NULL,
    UNIQUE (plan_id, report, year, edition)
);

CREATE VIEW v_office_verdict AS
SELECT p.code AS plan, i.code, i.name, v.year, v.status, v.reason, v.recorded_by, v.recorded_at
FROM office_verdict v
JOIN indicator i ON i.id = v.indicator_id
JOIN plan p ON p.id = i.plan_id;
