//! `planeval backup DEST` and `planeval restore SRC`: SQLite's online backup API
//! copies a consistent snapshot even while departments are writing; a restore
//! checks its source first and only replaces a database when told to.

use super::{open_store, Output};
use crate::cli::{BackupArgs, RestoreArgs};
use crate::error::{exit, Error, Result};
use crate::store::check::{check, Severity};
use crate::store::db::process_sibling;
use crate::store::Store;
use rusqlite::{Connection, OpenFlags, MAIN_DB};
use std::path::Path;

pub fn backup(db: &Path, args: &BackupArgs, out: Output) -> Result<u8> {
    if args.dest.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} exists; pass --force to overwrite it",
            args.dest.display()
        )));
    }
    let store = open_store(db, out)?;
    // Copy to a temporary name in the destination's directory, then rename, so an
    // interrupted backup never leaves a half-written file under the real name.
    let temporary = process_sibling(&args.dest, "tmp");
    let _ = std::fs::remove_file(&temporary);
    let copied = store.backup_to(&temporary);
    if copied.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    copied?;
    std::fs::rename(&temporary, &args.dest).map_err(|e| Error::io(&args.dest, e))?;
    out.info(format!(
        "backed up {} to {}",
        db.display(),
        args.dest.display()
    ));
    Ok(exit::OK)
}

pub fn restore(db: &Path, args: &RestoreArgs, out: Output) -> Result<u8> {
    if db.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} exists; restoring replaces all of it: pass --force",
            db.display()
        )));
    }
    // The source is checked, and migrated if it is older, on a private copy:
    // opening a file as a database may switch it to WAL or migrate its schema,
    // and a backup must stay exactly as it was taken.
    let scratch = process_sibling(db, "restore");
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
    let restored = restore_checked_copy(db, &args.src, &scratch.join("source.db"));
    let _ = std::fs::remove_dir_all(&scratch);
    restored?;
    out.info(format!(
        "restored {} from {}",
        db.display(),
        args.src.display()
    ));
    Ok(exit::OK)
}

/// Copies `src` to `copy` (read-only on `src`), checks the copy and restores
/// `db` from it.
fn restore_checked_copy(db: &Path, src: &Path, copy: &Path) -> Result<()> {
    let failed = |e| Error::db(src, "copying the backup before checking it", e);
    if !src.is_file() {
        return Err(Error::Usage(format!(
            "{}: no such backup file",
            src.display()
        )));
    }
    Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|source| source.backup(MAIN_DB, copy, None))
        .map_err(failed)?;
    let source = Store::open(copy)?;
    let problems: Vec<String> = check(&source)?
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.to_string())
        .collect();
    if !problems.is_empty() {
        return Err(Error::Usage(format!(
            "{} does not pass `planeval check`, not restoring: {}",
            src.display(),
            problems.join("; ")
        )));
    }
    drop(source);
    let target = Store::create_or_open(db)?;
    // The backup API writes through SQLite's locks, so readers of the live file
    // see either the old or the restored database, never a mixture.
    target.restore_from(copy)
}
