//! Write transactions that wait politely for other writers instead of failing
//! with "database is locked" (each write says at debug level how long it
//! waited), and the checks before a store's first write.

use super::checks::check_health;
use super::system::may_write;
use super::{Access, Store, APPLICATION_ID, WRITE_ATTEMPTS};
use crate::atomic::folder_of;
use crate::error::{Error, Result};
use rusqlite::{Transaction, TransactionBehavior};
use std::time::{Duration, Instant};

impl Store {
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
    /// wait for the lock and the retries are logged at debug level (`-v`).
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

    pub(super) fn cannot_write(&self) -> Error {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

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
}
