//! What a file is and whether it is sound: planeval's mark and tables told from
//! another program's SQLite file, without opening the file ourselves, and the
//! checks of its size and pages before the first write.

use super::files::with_suffix;
use super::{Store, APPLICATION_ID};
use crate::error::{is_corrupt, Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// The newest schema a file can have without the mark: planeval began marking
/// its files after schema 4, so an unmarked file of schema 1..=4 holding
/// planeval's tables is planeval's own, and is marked by its next write.
pub(super) const LAST_UNMARKED_SCHEMA: i64 = 4;

/// Tables every planeval schema has had since the first migration.
const CORE_TABLES: &[&str] = &["department", "indicator", "observation", "plan"];

/// Files up to this size get SQLite's full `PRAGMA integrity_check` before the
/// first write of a command (0.1 s at most); larger ones only the checks that
/// cost nothing (header, size) and SQLite's own checks of every page a write
/// touches. The check reads every page: 0.55 s of CPU for the 74 MB catalog of
/// the 1,000,000-row import benchmark, 2.6 s for the 866 MB 3,000-plan file,
/// which `planeval check` should check nightly instead (docs/sharing.md).
const FULL_CHECK_MAX_BYTES: u64 = 16 << 20;

impl Store {
    /// SQLite's full `PRAGMA integrity_check`: every page, every index entry
    /// against its row (seconds on a large file; see docs/sharing.md). Returns
    /// its messages, none when the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        sqlite_check(&self.conn, "integrity_check")
            .map_err(|e| Error::db(&self.path, "running integrity_check", e))
    }
}

/// The checks before a store's first write: the file's size against SQLite's
/// page count and, on a file small enough for it to be quick, SQLite's
/// integrity check of every page and index. Writing into a damaged file would
/// bury the damage under new data that the restore from a backup then loses.
pub(super) fn check_health(conn: &Connection, path: &Path) -> Result<()> {
    let damaged = |detail: String| Error::Damaged {
        path: path.to_path_buf(),
        detail: format!(
            "{detail}; nothing was written: restore it from a backup (`planeval restore`, \
             see docs/sharing.md)"
        ),
    };
    let read = |e| Error::db(path, "checking the file before writing", e);
    // SQLite refuses a file shorter than its header says on opening; a longer
    // one it reads as if the rest were not there, which is what a file appended
    // to looks like. The size SQLite counts is the main file's own only when
    // nothing waits in the WAL; the caller's read transaction keeps others from
    // changing the main file meanwhile.
    let page_size: u64 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .map_err(read)?;
    let pages: u64 = conn
        .pragma_query_value(None, "page_count", |r| r.get(0))
        .map_err(read)?;
    let bytes = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let wal_bytes = std::fs::metadata(with_suffix(path, "-wal")).map_or(0, |m| m.len());
    let expected = pages * page_size;
    if wal_bytes == 0 && expected != bytes {
        return Err(damaged(format!(
            "SQLite counts {pages} pages of {page_size} bytes ({expected} bytes), but the \
             file is {bytes} bytes long (cut short or appended to)"
        )));
    }
    if bytes > FULL_CHECK_MAX_BYTES {
        return Ok(());
    }
    let problems = sqlite_check(conn, "integrity_check(5)").map_err(read)?;
    if problems.is_empty() {
        return Ok(());
    }
    Err(damaged(format!(
        "SQLite's integrity check finds: {}",
        problems.join("; ")
    )))
}

/// Runs one of SQLite's check pragmas (`integrity_check`, `integrity_check(N)`)
/// and returns its findings. A page too damaged to read stops the check with
/// SQLITE_CORRUPT; that is a finding too, after those made before it.
pub(crate) fn sqlite_check(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
    let mut rows = stmt.query([])?;
    loop {
        match rows.next() {
            Ok(Some(row)) => {
                let message: String = row.get(0)?;
                if message != "ok" {
                    problems.push(message);
                }
            }
            Ok(None) => return Ok(problems),
            Err(e) if is_corrupt(&e) => {
                problems.push(format!("SQLite stopped checking: {e}"));
                return Ok(problems);
            }
            Err(e) => return Err(e),
        }
    }
}

/// What is at a database path, seen without opening it: planeval never opens
/// and closes a database file itself, because closing any descriptor of a file
/// drops every POSIX lock the process holds on it, SQLite's included, and lets
/// other processes corrupt it (sqlite.org/howtocorrupt.html, section 2.2).
pub(super) enum FileState {
    Missing,
    /// 0 bytes: what `touch` leaves, and what SQLite would silently make a database of.
    Empty,
    /// Something, which SQLite is to say what it is.
    Present,
}

pub(super) fn probe_file(path: &Path) -> Result<FileState> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() == 0 => Ok(FileState::Empty),
        Ok(_) => Ok(FileState::Present),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileState::Missing),
        Err(e) => Err(Error::io(path, e)),
    }
}

pub(super) fn not_planeval(path: &Path, reason: impl Into<String>) -> Error {
    Error::NotPlaneval {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

pub(super) fn not_sqlite(path: &Path) -> Error {
    not_planeval(
        path,
        "SQLite does not recognise it as a database; if it was planeval's, its header \
         is damaged: restore it from a backup (`planeval restore`)",
    )
}

/// What a SQLite file holds, as far as planeval is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Identity {
    /// Carries planeval's application_id; the schema version.
    Marked(i64),
    /// planeval's from before it marked its files: schema 1..=4 and its tables.
    Unmarked(i64),
    /// No table, no version, no mark: a database with nothing in it yet.
    Blank,
    /// Another program's file, described.
    Foreign(String),
}

pub(super) fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let application_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if application_id == APPLICATION_ID {
        return Ok(Identity::Marked(version));
    }
    if application_id != 0 {
        return Ok(Identity::Foreign(format!(
            "it is marked as another program's SQLite file (application_id {application_id:#010x})"
        )));
    }
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'
         ORDER BY name",
    )?;
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if tables.is_empty() && version == 0 {
        return Ok(Identity::Blank);
    }
    let has_core_tables = CORE_TABLES.iter().all(|t| tables.iter().any(|n| n == t));
    if has_core_tables && (1..=LAST_UNMARKED_SCHEMA).contains(&version) {
        return Ok(Identity::Unmarked(version));
    }
    let mut named: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    if tables.len() > named.len() {
        named.push("…");
    }
    Ok(Identity::Foreign(if has_core_tables {
        format!(
            "it has planeval's tables but schema version {version}, which no planeval \
             wrote without marking the file"
        )
    } else if tables.is_empty() {
        format!("it holds no tables but has user_version {version}")
    } else {
        format!(
            "it is another SQLite database (tables: {}; user_version {version})",
            named.join(", ")
        )
    }))
}
