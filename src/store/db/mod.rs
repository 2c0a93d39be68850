//! Opening the SQLite file: telling planeval's own files from anything else
//! (`PRAGMA application_id`), reading without write access, schema migrations
//! tracked with `PRAGMA user_version`, a check of the file before its first
//! write, and write transactions that wait politely for other writers instead
//! of failing with "database is locked". docs/sharing.md states the guarantees.
//!
//! The submodules: [`checks`] tells what a file is and whether it is sound,
//! [`migrate`] brings an older schema up to date, [`write`] runs write
//! transactions, [`files`] makes copies and new databases, and [`system`] asks
//! the operating system about the file and the account.

mod checks;
mod files;
mod migrate;
mod system;
mod write;

pub(crate) use checks::sqlite_check;
pub use files::{build_new_database, process_sibling, remove_database_files, with_suffix};
pub use migrate::SCHEMA_VERSION;
pub use system::{current_user, now_utc, ASSUME_NETWORK_FS};
pub use write::Decision;

use crate::atomic::folder_of;
use crate::error::{Error, Result};
use checks::{identify, not_planeval, not_sqlite, probe_file, FileState, Identity};
use rusqlite::{Connection, OpenFlags, MAIN_DB};
use std::path::{Path, PathBuf};
use std::time::Duration;
use system::{file_uri, may_write, network_filesystem};

/// How many times a write (a transaction, or a backup step) is retried when
/// it still finds the file busy.
pub(super) const WRITE_ATTEMPTS: u32 = 5;

/// planeval's mark in the SQLite header (`PRAGMA application_id`), "PLEV" in
/// ASCII: it tells planeval's files from other programs' SQLite files.
pub const APPLICATION_ID: i32 = 0x504C_4556;

/// How long one statement waits for another process's lock before SQLite gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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
}
