//! The database's files: copies through SQLite's backup API, a restore into the
//! live file, a new database built under a temporary name, and the names of a
//! database's companions (`-wal`, `-shm`, this process's temporary file).

use super::Store;
use super::WRITE_ATTEMPTS;
use crate::error::{Error, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, MAIN_DB};
use std::path::{Path, PathBuf};
use std::time::Duration;

impl Store {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
