//! Opening the SQLite file: pragmas, schema migrations tracked with
//! `PRAGMA user_version`, and write transactions that wait politely for other
//! writers instead of failing with "database is locked".

use crate::error::{Error, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Schema migrations, applied in order; the position + 1 is the `user_version` after it.
const MIGRATIONS: &[(&str, &str)] = &[
    ("001_catalog.sql", include_str!("../../sql/001_catalog.sql")),
    (
        "002_verdicts_reports.sql",
        include_str!("../../sql/002_verdicts_reports.sql"),
    ),
    ("003_import.sql", include_str!("../../sql/003_import.sql")),
    (
        "004_versions.sql",
        include_str!("../../sql/004_versions.sql"),
    ),
    (
        "005_audit_chain.sql",
        include_str!("../../sql/005_audit_chain.sql"),
    ),
];

/// The schema version this build of planeval writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long one statement waits for another process's lock before SQLite gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many times a write transaction is retried when it still finds the file busy.
const WRITE_ATTEMPTS: u32 = 5;

/// Write transactions retried in this process because the file stayed busy.
static WRITE_RETRIES: AtomicU64 = AtomicU64::new(0);

/// The longest time, in microseconds, one write in this process waited for the
/// write lock (SQLite's busy waiting and planeval's retries together).
static LONGEST_WRITE_WAIT_MICROS: AtomicU64 = AtomicU64::new(0);

/// How much the writes of this process had to wait for other processes'.
/// Counted here rather than printed, so the library stays silent; `planeval
/// import --verbose` reports it, and the stress tests add it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteContention {
    /// Write transactions started again after finding the file busy.
    pub retries: u64,
    /// The longest wait of one write for the write lock.
    pub longest_wait: Duration,
}

/// The contention the writes of this process met so far.
pub fn write_contention() -> WriteContention {
    WriteContention {
        retries: WRITE_RETRIES.load(Ordering::Relaxed),
        longest_wait: Duration::from_micros(LONGEST_WRITE_WAIT_MICROS.load(Ordering::Relaxed)),
    }
}

/// An open planeval database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    network_filesystem: Option<&'static str>,
}

impl Store {
    /// Opens an existing database, migrating an older schema (after a backup).
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::NoDatabase {
                path: path.to_path_buf(),
            });
        }
        Self::open_with(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    /// Opens a database, creating an empty one with the current schema if needed.
    pub fn create_or_open(path: &Path) -> Result<Store> {
        Self::open_with(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Store> {
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| Error::db(path, "cannot open", e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            network_filesystem: network_filesystem(path),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The kind of network filesystem the file lives on, if any: the database then
    /// uses a rollback journal, and callers should warn (see docs/sharing.md).
    pub fn network_filesystem(&self) -> Option<&'static str> {
        self.network_filesystem
    }

    fn configure(&mut self) -> Result<()> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| Error::db(&self.path, "setting busy timeout", e))?;
        let pragmas = if self.network_filesystem.is_some() {
            // WAL needs shared memory between all processes on one host; over NFS or
            // SMB that breaks silently and corrupts the file. A rollback journal with
            // full syncs relies only on file locks, which network filesystems provide.
            "PRAGMA foreign_keys = ON;
             PRAGMA journal_mode = DELETE;
             PRAGMA synchronous = FULL;"
        } else {
            // WAL lets reports read while departments write; NORMAL is durable in WAL
            // mode except for the last commits before a power cut (SQLite's docs).
            "PRAGMA foreign_keys = ON;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;"
        };
        self.conn
            .execute_batch(pragmas)
            .map_err(|e| Error::db(&self.path, "setting pragmas", e))?;
        // A 64 MiB page cache: a big import or a batch over thousands of plans
        // otherwise spends much of its time fetching the same pages again. No
        // memory-mapped reads: every page a report worker touched would count in
        // its resident memory (300 MB of the 3,000-plan batch) for no speed gained.
        self.conn
            .execute_batch("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;")
            .map_err(|e| Error::db(&self.path, "setting cache pragmas", e))
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| Error::db(&self.path, "reading schema version", e))
    }

    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(Error::NewerSchema {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == SCHEMA_VERSION {
            return Ok(());
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

    /// Copies the database with SQLite's online backup API (safe while others write).
    ///
    /// All pages are copied in one step, inside one read transaction: a consistent
    /// snapshot that other processes' commits cannot disturb (in WAL mode they go
    /// on writing meanwhile). Copying in chunks, as `Connection::backup` does,
    /// starts again from the first page whenever another process commits between
    /// two chunks, so a large file under steady imports took seconds instead of
    /// milliseconds, and could be kept from ever finishing.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let failed = |e| Error::db(&self.path, format!("backing up to {}", dest.display()), e);
        let mut target = Connection::open(dest).map_err(failed)?;
        let backup = Backup::new(&self.conn, &mut target).map_err(failed)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match backup.step(-1).map_err(failed)? {
                StepResult::Done => return Ok(()),
                StepResult::Busy | StepResult::Locked if attempt < WRITE_ATTEMPTS => {
                    std::thread::sleep(Duration::from_millis(50 * u64::from(attempt)));
                }
                StepResult::Busy | StepResult::Locked => {
                    return Err(Error::Busy {
                        what: format!("database {}", self.path.display()),
                        detail: format!("backing up to {}: the file stayed locked", dest.display()),
                    })
                }
                // A step of -1 pages copies everything or fails; More is not expected,
                // but stepping again is what it asks for.
                _ => {}
            }
        }
    }

    /// Replaces this database's content with `src`'s through the backup API.
    pub fn restore_from(mut self, src: &Path) -> Result<()> {
        let path = self.path.clone();
        self.conn
            .restore(
                rusqlite::MAIN_DB,
                src,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(|e| Error::db(&path, format!("restoring from {}", src.display()), e))
    }

    /// Runs `read` inside one read transaction, so that every query it makes sees
    /// the same snapshot of the file even while others commit (WAL keeps it).
    pub fn read_snapshot<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| Error::db(&self.path, "starting a read transaction", e))?;
        let value = read();
        // Only reads happened: ending the transaction either way changes nothing.
        let ended = self
            .conn
            .execute_batch(if value.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let value = value?;
        ended.map_err(|e| Error::db(&self.path, "ending a read transaction", e))?;
        Ok(value)
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction, committing only if it succeeds.
    /// A busy file is retried a bounded number of times before giving up; the
    /// retries and the wait for the lock are counted (see [`write_contention`]).
    pub fn write<T>(
        &mut self,
        context: &str,
        mut work: impl FnMut(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_or_roll_back(context, |tx| work(tx).map(Decision::Commit))
    }

    /// Like [`Store::write`], for work that may decide, after writing, that what
    /// it wrote must not stay: an import that finds an error after writing the
    /// rows checked before it.
    pub fn write_or_roll_back<T>(
        &mut self,
        context: &str,
        mut work: impl FnMut(&Transaction<'_>) -> Result<Decision<T>>,
    ) -> Result<T> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_write(context, started, &mut work) {
                Err(Error::Busy { .. }) if attempt < WRITE_ATTEMPTS => {
                    WRITE_RETRIES.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(50 * u64::from(attempt)));
                }
                other => return other,
            }
        }
    }

    fn try_write<T>(
        &mut self,
        context: &str,
        started: Instant,
        work: &mut impl FnMut(&Transaction<'_>) -> Result<Decision<T>>,
    ) -> Result<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Error::db(&path, format!("{context}: starting transaction"), e))?;
        let waited = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        LONGEST_WRITE_WAIT_MICROS.fetch_max(waited, Ordering::Relaxed);
        match work(&tx)? {
            Decision::Commit(value) => {
                tx.commit()
                    .map_err(|e| Error::db(&path, format!("{context}: committing"), e))?;
                Ok(value)
            }
            Decision::RollBack(value) => {
                tx.rollback()
                    .map_err(|e| Error::db(&path, format!("{context}: rolling back"), e))?;
                Ok(value)
            }
        }
    }
}

/// What the work of a write transaction decided about what it wrote.
#[derive(Debug)]
pub enum Decision<T> {
    Commit(T),
    RollBack(T),
}

/// Builds a new database at `path` with `fill`, under a temporary name that is
/// renamed into place only when complete, so a repeated or overlapping run (or a
/// failure half-way) never leaves half a file under the real name.
pub fn build_new_database<T>(path: &Path, fill: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
    let temporary = process_sibling(path, "tmp");
    remove_database_files(&temporary);
    // The store is dropped before the rename: closing checkpoints the WAL into
    // the main file, so the rename moves everything.
    let filled = Store::create_or_open(&temporary).and_then(|mut store| fill(&mut store));
    let value = match filled {
        Ok(value) => value,
        Err(error) => {
            remove_database_files(&temporary);
            return Err(error);
        }
    };
    std::fs::rename(&temporary, path).map_err(|e| Error::io(path, e))?;
    Ok(value)
}

/// `path` with `suffix` appended to its file name, the way SQLite names a
/// database's companions (`planeval.db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A name next to `path`, unique to this process (`planeval.db.4242.tmp`), for
/// a file that is renamed into place or removed once the work is done.
pub fn process_sibling(path: &Path, what: &str) -> PathBuf {
    with_suffix(path, &format!(".{}.{what}", std::process::id()))
}

/// Removes a database file with its WAL and shared-memory files.
fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        // Best effort: the file may never have been created.
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// Filesystem magic numbers (statfs f_type) of network filesystems.
const NETWORK_FILESYSTEMS: &[(i64, &str)] = &[
    (0x6969, "NFS"),
    (0x517B, "SMB"),
    (0xFF53_4D42, "CIFS"),
    (0xFE53_4D42, "SMB2"),
    (0x6573_5546, "FUSE (e.g. sshfs)"),
    (0x0BD0_0BD0, "Lustre"),
    (0x0102_1997, "9P"),
];

/// Environment variable that makes planeval treat the file as on a network
/// filesystem, to exercise (and document) the fallback on a local disk.
pub const ASSUME_NETWORK_FS: &str = "PLANEVAL_ASSUME_NETWORK_FS";

/// The network filesystem holding `path` (or its directory, for a new file).
fn network_filesystem(path: &Path) -> Option<&'static str> {
    if std::env::var_os(ASSUME_NETWORK_FS).is_some_and(|v| v == "1") {
        return Some("network filesystem (PLANEVAL_ASSUME_NETWORK_FS=1)");
    }
    let probe = if path.exists() {
        path.to_path_buf()
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    let magic = filesystem_magic(&probe)?;
    NETWORK_FILESYSTEMS
        .iter()
        .find(|(known, _)| *known == magic)
        .map(|(_, name)| *name)
}

#[cfg(target_os = "linux")]
fn filesystem_magic(path: &Path) -> Option<i64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: c_path is a valid NUL-terminated string and stat points to writable
    // memory of the right size; statfs only writes into it.
    let result = unsafe { libc::statfs(c_path.as_ptr(), stat.as_mut_ptr()) };
    if result != 0 {
        return None;
    }
    // SAFETY: statfs returned 0, so it filled the structure.
    let stat = unsafe { stat.assume_init() };
    #[allow(clippy::unnecessary_cast)] // f_type's integer type differs between libc targets
    Some(stat.f_type as i64)
}

#[cfg(not(target_os = "linux"))]
fn filesystem_magic(_path: &Path) -> Option<i64> {
    None
}

/// The operating-system account planeval runs as, recorded with every change:
/// the name of the effective user id, or `uid N` when it has no name. It comes
/// from the kernel, not from `$USER`, which anyone can set (`USER=wang.li
/// planeval import …` run as root is root's import); a name the user gives is
/// kept beside it as `claimed_by` (see `audit::claimed_user`).
pub fn current_user() -> String {
    static ACCOUNT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ACCOUNT
        .get_or_init(|| {
            #[cfg(unix)]
            {
                // SAFETY: geteuid has no preconditions and cannot fail.
                let uid = unsafe { libc::geteuid() };
                let mut buffer = vec![0 as libc::c_char; 1024];
                loop {
                    let mut entry = std::mem::MaybeUninit::<libc::passwd>::zeroed();
                    let mut found: *mut libc::passwd = std::ptr::null_mut();
                    // SAFETY: every pointer is to writable memory of the size given;
                    // getpwuid_r writes the entry's strings into `buffer` only.
                    let code = unsafe {
                        libc::getpwuid_r(
                            uid,
                            entry.as_mut_ptr(),
                            buffer.as_mut_ptr(),
                            buffer.len(),
                            &mut found,
                        )
                    };
                    if code == libc::ERANGE && buffer.len() < 1 << 20 {
                        buffer.resize(buffer.len() * 2, 0);
                        continue;
                    }
                    if code != 0 || found.is_null() {
                        return format!("uid {uid}");
                    }
                    // SAFETY: getpwuid_r succeeded, so `found` points to `entry`, whose
                    // pw_name is a NUL-terminated string inside `buffer`.
                    let name = unsafe { std::ffi::CStr::from_ptr((*found).pw_name) };
                    return name.to_string_lossy().into_owned();
                }
            }
            #[cfg(not(unix))]
            {
                // No effective uid to ask for; the login name is the best there is.
                std::env::var("USERNAME").unwrap_or_else(|_| "unknown".to_string())
            }
        })
        .clone()
}

/// The current UTC time as stored in the database.
pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_gets_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create_or_open(&dir.path().join("t.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_write_waits_for_another_writer_and_counts_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::create_or_open(&path).unwrap();
        let mut other = Connection::open(&path).unwrap();
        let held = Duration::from_millis(300);
        let (locked, lock_taken) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let tx = other
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .unwrap();
            locked.send(()).unwrap();
            std::thread::sleep(held);
            tx.commit().unwrap();
        });
        lock_taken.recv().unwrap();
        store.write("waiting", |_| Ok(())).unwrap();
        holder.join().unwrap();
        // Other tests of this process may have waited longer, never less.
        assert!(write_contention().longest_wait >= held - Duration::from_millis(50));
    }

    #[test]
    fn a_local_file_is_not_on_a_network_filesystem() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(network_filesystem(&dir.path().join("t.db")), None);
        assert!(filesystem_magic(dir.path()).is_some());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(Store::create_or_open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, Error::NewerSchema { .. }), "{err}");
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
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
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
