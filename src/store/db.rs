//! Opening the SQLite file: telling planeval's own files from anything else
//! (`PRAGMA application_id`), reading without write access, schema migrations
//! tracked with `PRAGMA user_version`, a check of the file before its first
//! write, and write transactions that wait politely for other writers instead
//! of failing with "database is locked". docs/sharing.md states the guarantees.

use crate::atomic::folder_of;
use crate::error::{is_corrupt, Error, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, MAIN_DB};
use std::path::{Path, PathBuf};
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

/// planeval's mark in the SQLite header (`PRAGMA application_id`), "PLEV" in
/// ASCII: it tells planeval's files from other programs' SQLite files.
pub const APPLICATION_ID: i32 = 0x504C_4556;

/// The newest schema a file can have without the mark: planeval began marking
/// its files after schema 4, so an unmarked file of schema 1..=4 holding
/// planeval's tables is planeval's own, and is marked by its next write.
const LAST_UNMARKED_SCHEMA: i64 = 4;

/// Tables every planeval schema has had since the first migration.
const CORE_TABLES: &[&str] = &["department", "indicator", "observation", "plan"];

/// Files up to this size get SQLite's full `PRAGMA integrity_check` before the
/// first write of a command (0.1 s at most); larger ones only the checks that
/// cost nothing (header, size) and SQLite's own checks of every page a write
/// touches. The check reads every page: 0.55 s of CPU for the 74 MB catalog of
/// the 1,000,000-row import benchmark, 2.6 s for the 866 MB 3,000-plan file,
/// which `planeval check` should check nightly instead (docs/sharing.md).
const FULL_CHECK_MAX_BYTES: u64 = 16 << 20;

/// How long one statement waits for another process's lock before SQLite gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many times a write transaction is retried when it still finds the file busy.
const WRITE_ATTEMPTS: u32 = 5;

/// How a store's connection may use the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading and writing.
    ReadWrite,
    /// Reading only (SQLITE_OPEN_READONLY): a read command, or a file this user
    /// may not write.
    ReadOnly,
    /// Reading a WAL-mode file whose `-shm` this user cannot create (its folder
    /// is read-only): SQLite reads the main file as immutable, without locks, so
    /// a write by someone else during the command is not seen and may make it fail.
    Immutable,
}

/// Why a store is opened, which decides what it may do to the file on opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    /// A read command: opened read-only; writes nothing, except migrating an
    /// older schema (which this planeval could not read otherwise).
    Read,
    /// A command that may write: opened read-write when the user may, but the
    /// file is changed only by the command's writes (and a migration).
    Write,
    /// A command that creates a database: a missing, empty or table-less file
    /// becomes a new planeval database.
    Create,
}

/// An open planeval database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    network_filesystem: Option<&'static str>,
    access: Access,
    /// The file carries [`APPLICATION_ID`]; an unmarked one is marked by the
    /// first write that commits.
    marked: bool,
    /// The file passed the checks made before this store's first write.
    ready_to_write: bool,
}

impl Store {
    /// Opens an existing planeval database for a command that may write to it,
    /// migrating an older schema (after a backup). Opening changes nothing else:
    /// the journal mode is left as it is, and the file is checked and marked
    /// only when the command writes. A file this user may only read opens
    /// read-only, and a write then fails with [`Error::NoAccess`].
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, Intent::Write)
    }

    /// Opens an existing planeval database for a command that only reads, with
    /// SQLITE_OPEN_READONLY, so it cannot change the file. The one exception is
    /// an older schema, which this planeval cannot read: it is migrated first
    /// (as by [`Store::open`]) when this user may write the file.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let store = Self::open_with(path, Intent::Read)?;
        if store.schema_version()? >= SCHEMA_VERSION {
            return Ok(store);
        }
        drop(store);
        drop(Self::open(path)?);
        Self::open_with(path, Intent::Read)
    }

    /// Opens a database for a command that creates one (init, demo, synth, the
    /// benchmarks). A missing file, an empty one (0 bytes, as `touch` leaves it)
    /// or a SQLite file without a single table becomes a new planeval database,
    /// in WAL mode (a rollback journal on a network filesystem); a planeval file
    /// opens as with [`Store::open`]; anything else is refused.
    pub fn create_or_open(path: &Path) -> Result<Store> {
        Self::open_with(path, Intent::Create)
    }

    /// Opens a planeval file read-only exactly as it is, of any schema version up
    /// to this planeval's, migrating nothing: for looking at a backup.
    pub fn open_unchanged(path: &Path) -> Result<Store> {
        Self::open_with(path, Intent::Read)
    }

    /// Marks the file as planeval's now rather than at its next write (a copy
    /// about to be restored). Checks it as a first write does.
    pub fn mark(&mut self) -> Result<()> {
        if self.marked {
            return Ok(());
        }
        self.write("marking the file as planeval's", |_| Ok(()))
    }

    /// Opens the live database that a restore is about to replace: any planeval
    /// file (even one too damaged for a check, or from a newer planeval) or an
    /// empty SQLite file, read-write, without migrating or checking it.
    pub fn open_to_replace(path: &Path) -> Result<Store> {
        match probe_file(path)? {
            FileState::Missing => {
                return Err(Error::NoDatabase {
                    path: path.to_path_buf(),
                })
            }
            FileState::Empty => return Err(not_planeval(path, "the file is empty (0 bytes)")),
            FileState::Present => {}
        }
        let (store, identity) = Self::connect(path, Intent::Write)?;
        match identity {
            Identity::Foreign(what) => Err(not_planeval(
                path,
                format!("{what}; a restore replaces only a planeval database"),
            )),
            _ if store.access != Access::ReadWrite => Err(store.cannot_write()),
            _ => Ok(store),
        }
    }

    fn open_with(path: &Path, intent: Intent) -> Result<Store> {
        match probe_file(path)? {
            FileState::Missing | FileState::Empty if intent == Intent::Create => {}
            FileState::Missing => {
                return Err(Error::NoDatabase {
                    path: path.to_path_buf(),
                })
            }
            FileState::Empty => return Err(not_planeval(path, "the file is empty (0 bytes)")),
            FileState::Present => {}
        }
        let (mut store, identity) = Self::connect(path, intent)?;
        let version = match identity {
            Identity::Marked(found) if found > SCHEMA_VERSION => {
                return Err(Error::NewerSchema {
                    path: path.to_path_buf(),
                    found,
                    supported: SCHEMA_VERSION,
                })
            }
            Identity::Marked(version) if version > 0 => {
                store.marked = true;
                version
            }
            Identity::Unmarked(version) => version,
            Identity::Marked(_) | Identity::Blank if intent == Intent::Create => {
                store.choose_journal_mode()?;
                0
            }
            Identity::Marked(_) | Identity::Blank => {
                return Err(not_planeval(
                    path,
                    "it is a SQLite file without planeval's tables",
                ))
            }
            Identity::Foreign(what) => {
                return Err(not_planeval(
                    path,
                    format!(
                        "{what}; planeval does not add its tables to another program's \
                         file: choose another --db"
                    ),
                ))
            }
        };
        if version < SCHEMA_VERSION && intent != Intent::Read {
            store.migrate()?;
        }
        Ok(store)
    }

    /// Opens the connection and reads what the file is. A WAL-mode file whose
    /// `-shm` this user cannot create is opened again as immutable, the one way
    /// SQLite reads it then; that is right only while the main file holds every
    /// commit, so a `-wal` with content is refused instead.
    fn connect(path: &Path, intent: Intent) -> Result<(Store, Identity)> {
        let store = Self::connect_as(path, intent, false)?;
        let failed = match identify(&store.conn) {
            Ok(identity) => {
                store.configure()?;
                return Ok((store, identity));
            }
            Err(failed) => failed,
        };
        drop(store);
        if failed.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
            return Err(not_sqlite(path));
        }
        // What SQLite says when it cannot create the -shm of a WAL file.
        let shm_uncreatable = matches!(
            failed.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
        ) && !with_suffix(path, "-shm").exists()
            && !may_write(folder_of(path));
        if !shm_uncreatable {
            return Err(Error::db(path, "reading what kind of file it is", failed));
        }
        let wal = with_suffix(path, "-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Err(Error::NoAccess {
                path: path.to_path_buf(),
                detail: format!(
                    "it is in WAL mode and {} holds changes not yet in the main file; SQLite \
                     reads them only with {}-shm, which this user may not create in {}: ask \
                     someone who may write there to run a planeval command that writes, or to \
                     make the folder writable for you (docs/sharing.md)",
                    wal.display(),
                    path.display(),
                    folder_of(path).display()
                ),
            });
        }
        let store = Self::connect_as(path, intent, true)?;
        let identity = identify(&store.conn)
            .map_err(|e| Error::db(path, "reading what kind of file it is", e))?;
        store.configure()?;
        Ok((store, identity))
    }

    /// Opens the connection: read-only for reading, read-write otherwise (which
    /// SQLite turns into read-only by itself for a write-protected file), or
    /// read-only without locks when `immutable`.
    fn connect_as(path: &Path, intent: Intent, immutable: bool) -> Result<Store> {
        let network_filesystem = network_filesystem(path);
        // Every connection is used by one thread at a time.
        let open = |target: &Path, flags: OpenFlags| {
            Connection::open_with_flags(target, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| Error::db(path, "cannot open", e))
        };
        let (conn, access) = if immutable {
            let uri = format!("{}?immutable=1", file_uri(path));
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
            (open(Path::new(&uri), flags)?, Access::Immutable)
        } else {
            let flags = match intent {
                Intent::Read => OpenFlags::SQLITE_OPEN_READ_ONLY,
                Intent::Write => OpenFlags::SQLITE_OPEN_READ_WRITE,
                Intent::Create => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            };
            let conn = open(path, flags)?;
            let read_only = conn
                .is_readonly(MAIN_DB)
                .map_err(|e| Error::db(path, "cannot open", e))?;
            let access = if read_only {
                Access::ReadOnly
            } else {
                Access::ReadWrite
            };
            (conn, access)
        };
        if access != Access::ReadWrite && intent == Intent::Create {
            return Err(Error::NoAccess {
                path: path.to_path_buf(),
                detail: "this user may not write it, and creating a database writes it".into(),
            });
        }
        // Before the first read, which may wait for another process's lock.
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| Error::db(path, "setting busy timeout", e))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            network_filesystem,
            access,
            marked: false,
            ready_to_write: false,
        })
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// How this store's connection may use the file.
    pub fn access(&self) -> Access {
        self.access
    }

    /// The kind of network filesystem the file lives on, if any: the database then
    /// uses a rollback journal, and callers should warn (see docs/sharing.md).
    pub fn network_filesystem(&self) -> Option<&'static str> {
        self.network_filesystem
    }

    /// Settings of this connection only, once it has read the file; nothing
    /// here changes the file.
    fn configure(&self) -> Result<()> {
        // A 64 MiB page cache: a big import or a batch over thousands of plans
        // otherwise spends much of its time fetching the same pages again. No
        // memory-mapped reads: every page a report worker touched would count in
        // its resident memory (300 MB of the 3,000-plan batch) for no speed gained.
        self.conn
            .execute_batch(
                "PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -65536;
                 PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| Error::db(&self.path, "setting pragmas", e))?;
        self.set_synchronous()
    }

    /// NORMAL in WAL mode is durable except for the last commits before a power
    /// cut (SQLite's docs); with a rollback journal only FULL is.
    fn set_synchronous(&self) -> Result<()> {
        let synchronous = if self.journal_mode()? == "wal" {
            "NORMAL"
        } else {
            "FULL"
        };
        self.conn
            .pragma_update(None, "synchronous", synchronous)
            .map_err(|e| Error::db(&self.path, "setting synchronous", e))
    }

    fn journal_mode(&self) -> Result<String> {
        self.conn
            .pragma_query_value(None, "journal_mode", |row| row.get::<_, String>(0))
            .map(|mode| mode.to_ascii_lowercase())
            .map_err(|e| Error::db(&self.path, "reading the journal mode", e))
    }

    /// The journal mode of a file being created; an existing file keeps its own
    /// (an office may have chosen a rollback journal so that read-only users
    /// need no `-shm`, see docs/sharing.md).
    fn choose_journal_mode(&self) -> Result<()> {
        // WAL lets reports read while departments write. It needs shared memory
        // between all processes on one host; over NFS or SMB that breaks silently
        // and corrupts the file, while a rollback journal relies only on file
        // locks, which network filesystems provide.
        let mode = if self.network_filesystem.is_some() {
            "DELETE"
        } else {
            "WAL"
        };
        self.conn
            .pragma_update_and_check(None, "journal_mode", mode, |_| Ok(()))
            .map_err(|e| Error::db(&self.path, "setting the journal mode", e))?;
        self.set_synchronous()
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| Error::db(&self.path, "reading schema version", e))
    }

    fn migrate(&mut self) -> Result<()> {
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

    /// Copies the database with SQLite's online backup API (safe while others write).
    ///
    /// All pages are copied in one step, inside one read transaction: a consistent
    /// snapshot that other processes' commits cannot disturb (in WAL mode they go
    /// on writing meanwhile). Copying in chunks, as `Connection::backup` does,
    /// starts again from the first page whenever another process commits between
    /// two chunks, so a large file under steady imports took seconds instead of
    /// milliseconds, and could be kept from ever finishing.
    ///
    /// `dest` must not exist: the copy goes only into a file this call creates,
    /// so a link planted under its name is never a way to overwrite another file.
    /// A failed copy removes what it created.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        create_new_file(dest)?;
        let copied = self.copy_pages_to(dest);
        if copied.is_err() {
            remove_database_files(dest);
        }
        copied
    }

    fn copy_pages_to(&self, dest: &Path) -> Result<()> {
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

    /// Replaces this database's content with `src`'s through the backup API, in
    /// one write transaction of the live file: other readers see either the old
    /// or the restored database, and an interrupted restore rolls back.
    pub fn restore_from(&mut self, src: &Path) -> Result<()> {
        let path = self.path.clone();
        self.conn
            .restore(MAIN_DB, src, None::<fn(rusqlite::backup::Progress)>)
            .map_err(|e| Error::db(&path, format!("restoring from {}", src.display()), e))
    }

    /// SQLite's full `PRAGMA integrity_check`: every page, every index entry
    /// against its row (seconds on a large file; see docs/sharing.md). Returns
    /// its messages, none when the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        sqlite_check(&self.conn, "integrity_check")
            .map_err(|e| Error::db(&self.path, "running integrity_check", e))
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
    /// The first write of a store checks the file first and refuses a damaged
    /// one ([`Error::Damaged`]) or one this user may not write ([`Error::NoAccess`]).
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
        if !self.ready_to_write {
            self.prepare_to_write()?;
        }
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_write(context, started, attempt, &mut work) {
                Err(Error::Busy { .. }) if attempt < WRITE_ATTEMPTS => {
                    tracing::debug!("{context}: the file is busy; trying again");
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
        attempt: u32,
        work: &mut impl FnMut(&Transaction<'_>) -> Result<Decision<T>>,
    ) -> Result<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Error::db(&path, format!("{context}: starting transaction"), e))?;
        // How long other processes' writes kept this one waiting (`-v`, and
        // what the stress tests add up).
        tracing::debug!(
            "{context}: write lock taken after {:.1} ms, {} retries",
            started.elapsed().as_secs_f64() * 1000.0,
            attempt - 1
        );
        if !self.marked {
            // In the transaction, so a write that is rolled back leaves no mark either.
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| Error::db(&path, "marking the file as planeval's", e))?;
        }
        match work(&tx)? {
            Decision::Commit(value) => {
                tx.commit()
                    .map_err(|e| Error::db(&path, format!("{context}: committing"), e))?;
                self.marked = true;
                Ok(value)
            }
            Decision::RollBack(value) => {
                tx.rollback()
                    .map_err(|e| Error::db(&path, format!("{context}: rolling back"), e))?;
                Ok(value)
            }
        }
    }

    /// What the first write of a store needs before it begins: write access,
    /// the journal a network filesystem needs, and a file in good health.
    fn prepare_to_write(&mut self) -> Result<()> {
        if self.access != Access::ReadWrite {
            return Err(self.cannot_write());
        }
        let mut journal = self.journal_mode()?;
        if self.network_filesystem.is_some() && journal == "wal" {
            // Before writing, not after: WAL across machines is what corrupts.
            journal = self
                .conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
                .map_err(|e| Error::db(&self.path, "switching to a rollback journal", e))?
                .to_ascii_lowercase();
            if journal == "wal" {
                return Err(Error::Busy {
                    what: format!("database {}", self.path.display()),
                    detail: "it is in WAL mode on a network filesystem; planeval switches it \
                             to a rollback journal before writing, which needs the file to \
                             itself while other processes have it open: try again later"
                        .into(),
                });
            }
            self.set_synchronous()?;
        }
        let folder = folder_of(&self.path);
        if journal != "wal" && !may_write(folder) {
            return Err(Error::NoAccess {
                path: self.path.clone(),
                detail: format!(
                    "with a rollback journal SQLite writes {}-journal beside the file for \
                     every change, and this user may not create files in {}",
                    self.path.display(),
                    folder.display()
                ),
            });
        }
        self.read_snapshot(|| check_health(&self.conn, &self.path))?;
        // Checks the cells of every page the writes read, so damage there is
        // refused (SQLITE_CORRUPT) instead of written around.
        self.conn
            .pragma_update(None, "cell_size_check", true)
            .map_err(|e| Error::db(&self.path, "setting cell_size_check", e))?;
        self.ready_to_write = true;
        Ok(())
    }

    fn cannot_write(&self) -> Error {
        let detail = match self.access {
            Access::Immutable => {
                "it is open read-only without locks (WAL mode, and this user may not create \
                 its -shm in the folder), so this command cannot write it"
            }
            _ => {
                "this user may read it but not write it (the file or its folder is \
                 write-protected); nothing was written"
            }
        };
        Error::NoAccess {
            path: self.path.clone(),
            detail: detail.into(),
        }
    }
}

/// What the work of a write transaction decided about what it wrote.
#[derive(Debug)]
pub enum Decision<T> {
    Commit(T),
    RollBack(T),
}

/// The checks before a store's first write: the file's size against SQLite's
/// page count and, on a file small enough for it to be quick, SQLite's
/// integrity check of every page and index. Writing into a damaged file would
/// bury the damage under new data that the restore from a backup then loses.
fn check_health(conn: &Connection, path: &Path) -> Result<()> {
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

/// Builds a new database at `path` with `fill`, under a temporary name that is
/// renamed into place only when complete, so a repeated or overlapping run (or a
/// failure half-way) never leaves half a file under the real name.
pub fn build_new_database<T>(path: &Path, fill: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
    let temporary = process_sibling(path, "tmp");
    remove_database_files(&temporary);
    // The store is dropped before the rename: closing checkpoints the WAL into
    // the main file, so the rename moves everything. The file is created here,
    // exclusively, so that SQLite never opens a link planted under its name.
    let filled = create_new_file(&temporary)
        .and_then(|()| Store::create_or_open(&temporary))
        .and_then(|mut store| fill(&mut store));
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

/// Creates `path` as a new empty file, failing if anything (a link included)
/// already has that name.
fn create_new_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(drop)
        .map_err(|e| Error::io(path, e))
}

/// Removes a database file with its WAL and shared-memory files.
pub fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        // Best effort: the file may never have been created.
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
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
enum FileState {
    Missing,
    /// 0 bytes: what `touch` leaves, and what SQLite would silently make a database of.
    Empty,
    /// Something, which SQLite is to say what it is.
    Present,
}

fn probe_file(path: &Path) -> Result<FileState> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() == 0 => Ok(FileState::Empty),
        Ok(_) => Ok(FileState::Present),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileState::Missing),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn not_planeval(path: &Path, reason: impl Into<String>) -> Error {
    Error::NotPlaneval {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn not_sqlite(path: &Path) -> Error {
    not_planeval(
        path,
        "SQLite does not recognise it as a database; if it was planeval's, its header \
         is damaged: restore it from a backup (`planeval restore`)",
    )
}

/// What a SQLite file holds, as far as planeval is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    /// Carries planeval's application_id; the schema version.
    Marked(i64),
    /// planeval's from before it marked its files: schema 1..=4 and its tables.
    Unmarked(i64),
    /// No table, no version, no mark: a database with nothing in it yet.
    Blank,
    /// Another program's file, described.
    Foreign(String),
}

fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
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

/// An SQLite URI for `path`: `file:` and the path, every byte but unreserved
/// ASCII percent-encoded (so `?`, `#` and non-ASCII names survive).
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Whether this process may write (create files in) `path`, as the kernel
/// decides for its real user: root may write anything.
#[cfg(unix)]
fn may_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: c_path is a valid NUL-terminated string; access only reads it.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
fn may_write(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
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
        folder_of(path).to_path_buf()
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
    fn a_write_waits_for_another_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::create_or_open(&path).unwrap();
        let mut other = Connection::open(&path).unwrap();
        let (locked, lock_taken) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let tx = other
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .unwrap();
            locked.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(300));
            let released = std::time::Instant::now();
            tx.commit().unwrap();
            released
        });
        lock_taken.recv().unwrap();
        store
            .write("waiting", |tx| {
                tx.execute_batch("CREATE TABLE written (n)")
                    .map_err(|e| Error::db(&path, "writing", e))
            })
            .unwrap();
        let written = std::time::Instant::now();
        let released = holder.join().unwrap();
        // The write cannot have finished while the other writer held the lock:
        // it waited (instead of failing with SQLITE_BUSY) until the commit.
        assert!(written > released, "the write did not wait for the lock");
        let tables: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'written'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn a_uri_keeps_every_byte_of_the_path() {
        assert_eq!(
            file_uri(Path::new("/srv/规划 db/a?b#c%.db")),
            "file:/srv/%E8%A7%84%E5%88%92%20db/a%3Fb%23c%25.db"
        );
    }

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

    #[test]
    fn a_foreign_or_blank_file_is_refused_unless_creating() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE invoice (n)")
            .unwrap();
        for open in [Store::open, Store::open_read_only, Store::create_or_open] {
            let err = open(&foreign).err().unwrap();
            assert!(matches!(err, Error::NotPlaneval { .. }), "{err}");
        }
        let blank = dir.path().join("blank.db");
        std::fs::write(&blank, b"").unwrap();
        assert!(matches!(
            Store::open(&blank).err().unwrap(),
            Error::NotPlaneval { .. }
        ));
        let created = Store::create_or_open(&blank).unwrap();
        assert_eq!(created.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(created.journal_mode().unwrap(), "wal");
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
    fn a_link_planted_under_a_copys_or_a_new_databases_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, b"someone else's file").unwrap();
        let path = dir.path().join("t.db");
        let store = Store::create_or_open(&path).unwrap();
        let dest = dir.path().join("copy.db");
        std::os::unix::fs::symlink(&victim, &dest).unwrap();
        assert!(store.backup_to(&dest).is_err());
        drop(store);
        // The temporary name of a new database is removed first, link and all.
        let new = dir.path().join("new.db");
        std::os::unix::fs::symlink(&victim, process_sibling(&new, "tmp")).unwrap();
        build_new_database(&new, |_| Ok(())).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"someone else's file");
        assert!(std::fs::symlink_metadata(&new).unwrap().is_file());
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
