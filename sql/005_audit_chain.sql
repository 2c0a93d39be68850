-- planeval schema, migration 5: a tamper-evident audit trail, and the name a
-- user claims kept apart from the account that acted.
--
-- Every planeval write (catalog load, import, demo data, verdict, commentary,
-- report edition) adds one audit_log row and, in the same transaction, one link
-- of a SHA-256 hash chain: a manifest of every row the write left (each
-- observation version it wrote, each catalog, verdict, commentary or edition
-- row, its own audit_log row) as key and row digest, and a hash over the
-- previous link's hash, the link's fields and the manifest's digest.
-- `planeval check` recomputes all of it from the tables; src/store/audit.rs
-- says what is hashed, docs/sharing.md what this proves and what it does not.
-- The first link, written by the first write after this migration, covers the
-- state found then, which nothing verified before.

-- recorded_by and actor hold the operating-system account planeval ran as;
-- claimed_by the name the user gave ($PLANEVAL_USER, else $USER or $LOGNAME)
-- when it differs from that account.
ALTER TABLE audit_log ADD COLUMN claimed_by TEXT;

CREATE TABLE audit_chain (
    -- The audit_log row of the write; links follow each other in this order.
    audit_id         INTEGER PRIMARY KEY,
    -- The import_batch the write's observation versions carry, if it wrote any.
    batch            TEXT UNIQUE,
    -- max(observation_version.id) after the write: the versions with ids from
    -- the previous link's value up to this one were made by this write.
    versions_through INTEGER NOT NULL,
    entries          INTEGER NOT NULL CHECK (entries >= 0),
    -- (table, key, row digest) of every entry, in table and key order; the
    -- encoding is in src/store/audit.rs.
    manifest         BLOB NOT NULL,
    -- SHA-256 of the manifest, hex.
    content          TEXT NOT NULL,
    -- The previous link's hash (64 zeros for the first link) and this link's.
    previous         TEXT NOT NULL,
    hash             TEXT NOT NULL
);

-- The chain for people who open the file with sqlite3: the newest row's hash is
-- the head that `planeval check` prints, to be kept outside the file.
CREATE VIEW v_audit_chain AS
SELECT c.audit_id, a.at, a.actor, a.claimed_by, a.action, a.subject, c.batch, c.entries,
       c.hash
FROM audit_chain c
LEFT JOIN audit_log a ON a.id = c.audit_id;
