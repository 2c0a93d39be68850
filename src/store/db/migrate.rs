//! Schema migrations, tracked with `PRAGMA user_version`: an older file is
//! backed up beside itself, then brought up to this planeval's schema in one
//! write transaction.

use super::{Access, Store};
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Schema migrations, applied in order; the position + 1 is the `user_version` after it.
pub(super) const MIGRATIONS: &[(&str, &str)] = &[
    (
        "001_catalog.sql",
        include_str!("../../../sql/001_catalog.sql"),
    ),
    (
        "002_verdicts_reports.sql",
        include_str!("../../../sql/002_verdicts_reports.sql"),
    ),
    (
        "003_import.sql",
        include_str!("../../../sql/003_import.sql"),
    ),
    (
        "004_versions.sql",
        include_str!("../../../sql/004_versions.sql"),
    ),
    (
        "005_audit_chain.sql",
        include_str!("../../../sql/005_audit_chain.sql"),
    ),
];

/// The schema version this build of planeval writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

impl Store {
    pub(super) fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        if self.access != Access::ReadWrite {
            return Err(Error::NoAccess {
                path: self.path.clone(),
                detail: format!(
                    "it has schema version {found} and this planeval reads only version \
                     {SCHEMA_VERSION}; the upgrade writes the file, which this user may not: \
                     a user who may write it should run any planeval command on it once"
                ),
            });
        }
        if found > 0 {
            self.backup_before_migration(found)?;
        }
        let path = self.path.clone();
        self.write("migrating schema", |tx| {
            // Re-read inside the write lock: another process may have migrated meanwhile.
            let current: i64 = tx
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .map_err(|e| Error::db(&path, "reading schema version", e))?;
            for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
                tx.execute_batch(sql)
                    .map_err(|e| Error::db(&path, format!("applying migration {name}"), e))?;
                tx.pragma_update(None, "user_version", index as i64 + 1)
                    .map_err(|e| Error::db(&path, "recording schema version", e))?;
            }
            Ok(())
        })
    }

    fn backup_before_migration(&self, version: i64) -> Result<()> {
        let mut backup = self.path.clone().into_os_string();
        backup.push(format!(".schema-v{version}.bak"));
        let backup = PathBuf::from(backup);
        if backup.exists() {
            return Ok(());
        }
        self.backup_to(&backup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::checks::LAST_UNMARKED_SCHEMA;
    use crate::store::db::APPLICATION_ID;
    use rusqlite::Connection;
    use std::path::Path;

    #[test]
    fn an_unmarked_file_is_read_as_it_is_and_marked_when_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(database_at_schema(&path, LAST_UNMARKED_SCHEMA as usize));
        let application_id = |store: &Store| -> i32 {
            store
                .conn()
                .pragma_query_value(None, "application_id", |r| r.get(0))
                .unwrap()
        };
        let reader = Store::open_unchanged(&path).unwrap();
        assert_eq!(reader.access(), Access::ReadOnly);
        assert!(!reader.marked);
        assert_eq!(application_id(&reader), 0);
        drop(reader);
        let writer = Store::open(&path).unwrap();
        assert_eq!(writer.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(application_id(&writer), APPLICATION_ID);
    }

    /// One indicator, then values inserted, changed, deleted and recorded again,
    /// each at its own time, written with plain SQL as any tool could.
    const TRAIL_SCRIPT: &str = "
        INSERT INTO plan (id, code, title, short_title, region, period_start, period_end,
            base_year, midterm_year, issuer, office, source_document, source_text,
            catalog_hash, loaded_at)
        VALUES (1, 'p', 'P', 'P', 'R', 2021, 2025, 2020, 2023, 'I', 'O', 'd', 't', 'h', 'now');
        INSERT INTO chapter (id, plan_id, number, title) VALUES (1, 1, 1, 'C');
        INSERT INTO department (code, name, short_name) VALUES ('stats', 'S', 'S');
        INSERT INTO indicator (id, plan_id, code, ord, name, unit, chapter_id, nature,
            nature_by, kind, better, target_year, target_value, path, department_code,
            department_by, source_quote)
        VALUES (1, 1, 'gdp', 1, 'GDP', 'x', 1, '预期性', 'plan', 'at_least', 'higher', 2025,
            10, 'linear', 'stats', 'plan', 'q');
        INSERT INTO observation (indicator_id, year, value, status, department_code,
            recorded_by, recorded_at, change_reason, import_batch)
        VALUES (1, 2021, 1.0, 'preliminary', 'stats', 'ann', '2022-01-01T00:00:00Z', NULL, 'b1'),
               (1, 2022, 2.0, 'preliminary', 'stats', 'ann', '2023-01-01T00:00:00Z', NULL, 'b2');
        UPDATE observation SET value = 1.5, status = 'final', recorded_by = 'bo',
            recorded_at = '2022-06-01T00:00:00Z', change_reason = 'yearbook', import_batch = 'b3'
        WHERE year = 2021;
        UPDATE observation SET value = 1.6, status = 'revised', recorded_by = 'cy',
            recorded_at = '2024-01-01T00:00:00Z', change_reason = 'census', import_batch = 'b4'
        WHERE year = 2021;
        DELETE FROM observation WHERE year = 2022;
        INSERT INTO observation (indicator_id, year, value, status, department_code,
            recorded_by, recorded_at)
        VALUES (1, 2022, 2.2, 'final', 'stats', 'di', '2099-01-01T00:00:00Z');";

    /// v_observation_history, one line per event in time order.
    fn trail(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT * FROM v_observation_history ORDER BY changed_at, year")
            .unwrap();
        let columns = stmt.column_count();
        let rows = stmt.query_map([], |r| {
            let cells: Vec<String> = (0..columns)
                .map(|i| match r.get_ref(i).unwrap() {
                    // As text, so the deletion's line can be told by its action.
                    rusqlite::types::ValueRef::Text(text) => {
                        format!("{:?}", String::from_utf8_lossy(text))
                    }
                    other => format!("{other:?}"),
                })
                .collect();
            Ok(cells.join(" | "))
        });
        rows.unwrap().map(|row| row.unwrap()).collect()
    }

    fn database_at_schema(path: &Path, version: usize) -> Connection {
        let conn = Connection::open(path).unwrap();
        for (_, sql) in &MIGRATIONS[..version] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        conn
    }

    #[test]
    fn versions_tell_the_same_trail_as_the_event_history_of_schema_3() {
        let dir = tempfile::tempdir().unwrap();
        let old = database_at_schema(&dir.path().join("3.db"), 3);
        old.execute_batch(TRAIL_SCRIPT).unwrap();
        let events = trail(&old);
        assert_eq!(events.len(), 6, "{events:#?}");
        let new = database_at_schema(&dir.path().join("4.db"), MIGRATIONS.len());
        new.execute_batch(TRAIL_SCRIPT).unwrap();
        // Only replaced values are copied: two updates and a deletion.
        let versions: i64 = new
            .query_row("SELECT count(*) FROM observation_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(versions, 3);
        let new_events = trail(&new);
        // The deletion's time is the clock's, so it may differ between the two files.
        let without_clock = |events: &[String]| -> Vec<String> {
            events
                .iter()
                .filter(|e| !e.contains("\"delete\""))
                .cloned()
                .collect()
        };
        assert_eq!(without_clock(&new_events), without_clock(&events));
        assert_eq!(new_events.len(), events.len());
    }

    #[test]
    fn a_row_replaced_outside_planeval_under_schema_3_migrates_as_a_deleted_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = database_at_schema(&path, 3);
        conn.execute_batch(TRAIL_SCRIPT).unwrap();
        // REPLACE removes the row without running the delete trigger.
        conn.execute_batch(
            "INSERT OR REPLACE INTO observation (indicator_id, year, value, status,
                 department_code, recorded_by, recorded_at)
             VALUES (1, 2021, 9.0, 'final', 'stats', 'ed', '2099-06-01T00:00:00Z')",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let ended: String = store
            .conn()
            .query_row(
                "SELECT ended_by FROM observation_version WHERE year = 2021 AND value = 1.6",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ended, "delete");
    }

    #[test]
    fn an_observations_indicator_and_year_cannot_change() {
        let dir = tempfile::tempdir().unwrap();
        let conn = database_at_schema(&dir.path().join("t.db"), MIGRATIONS.len());
        conn.execute_batch(TRAIL_SCRIPT).unwrap();
        let moved = conn.execute("UPDATE observation SET year = 2023 WHERE year = 2021", []);
        assert!(moved.unwrap_err().to_string().contains("cannot change"));
        conn.execute("UPDATE observation SET value = 7 WHERE year = 2021", [])
            .unwrap();
    }

    #[test]
    fn migrating_schema_3_keeps_every_event_of_its_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = database_at_schema(&path, 3);
        conn.execute_batch(TRAIL_SCRIPT).unwrap();
        let before = trail(&conn);
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(trail(store.conn()), before);
    }

    #[test]
    fn an_older_database_is_migrated_after_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(dir.path().join("t.db.schema-v1.bak").exists());
    }
}
