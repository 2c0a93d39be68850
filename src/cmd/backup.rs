//! `planeval backup DEST` and `planeval restore SRC`: SQLite's online backup API
//! copies a consistent snapshot even while departments are writing; a restore
//! checks its source completely before the live file is touched, and only
//! replaces a database when told to.

use super::read_store;
use crate::atomic::remove_if_present;
use crate::error::{exit, Error, Result};
use crate::store::check::{check, Severity};
use crate::store::db::{build_new_database, process_sibling, remove_database_files};
use crate::store::plans::all_plans;
use crate::store::Store;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `planeval backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy.
    pub dest: PathBuf,

    /// Overwrite DEST if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `planeval restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore from.
    pub src: PathBuf,

    /// Replace an existing database (required when --db exists).
    #[arg(long)]
    pub force: bool,
}

/// Runs `planeval backup`; the value is the exit code.
pub fn backup(db: &Path, args: &BackupArgs) -> Result<u8> {
    if args.dest.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} exists; pass --force to overwrite it",
            args.dest.display()
        )));
    }
    let store = read_store(db)?;
    // Copy to a temporary name in the destination's directory, then rename, so an
    // interrupted backup never leaves a half-written file under the real name.
    let temporary = process_sibling(&args.dest, "tmp");
    remove_database_files(&temporary);
    store.backup_to(&temporary)?;
    std::fs::rename(&temporary, &args.dest).map_err(|e| Error::io(&args.dest, e))?;
    tracing::info!("backed up {} to {}", db.display(), args.dest.display());
    Ok(exit::OK)
}

/// Runs `planeval restore`; the value is the exit code.
pub fn restore(db: &Path, args: &RestoreArgs) -> Result<u8> {
    if db.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} exists; restoring replaces all of it: pass --force",
            db.display()
        )));
    }
    if !args.src.is_file() {
        return Err(Error::Usage(format!(
            "{}: no such backup file",
            args.src.display()
        )));
    }
    // The source is checked, and migrated if it is older, on a private copy:
    // a backup must stay exactly as it was taken.
    let scratch = process_sibling(db, "restore");
    // A folder of its own, created here: a link planted under its name is
    // removed (not followed), and the copy never lands in another folder.
    remove_if_present(&scratch)?;
    std::fs::create_dir(&scratch).map_err(|e| Error::io(&scratch, e))?;
    let copy = scratch.join("source.db");
    let restored = checked_copy(&args.src, &copy).and_then(|plans| {
        if holds_a_database(db)? {
            replace(db, &copy, plans)
        } else {
            install(db, &copy)
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    restored?;
    tracing::info!("restored {} from {}", db.display(), args.src.display());
    Ok(exit::OK)
}

/// Copies `src` to `copy` and checks the copy completely: a planeval file of a
/// schema this planeval knows, SQLite's full integrity check, `planeval check`,
/// at least one plan. Returns the number of plans. Every refusal is
/// [`Error::NotRestorable`] (exit 1), except a busy file.
fn checked_copy(src: &Path, copy: &Path) -> Result<usize> {
    let refuse = |reason: String| Error::NotRestorable {
        path: src.to_path_buf(),
        reason,
    };
    let refused = |error: Error| match error {
        Error::Busy { .. } => error,
        other => refuse(other.to_string()),
    };
    Store::open_unchanged(src)
        .and_then(|source| source.backup_to(copy))
        .map_err(refused)?;
    // SQLite's verdict on the copy as it was taken, before a migration touches it.
    let damage = Store::open_unchanged(copy)
        .and_then(|taken| taken.integrity_problems())
        .map_err(refused)?;
    if !damage.is_empty() {
        return Err(refuse(format!(
            "SQLite's integrity check finds it damaged: {}",
            summary(&damage)
        )));
    }
    let mut source = Store::open(copy).map_err(refused)?;
    source.mark().map_err(refused)?;
    let problems: Vec<String> = check(&source)
        .map_err(refused)?
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.to_string())
        .collect();
    if !problems.is_empty() {
        return Err(refuse(format!(
            "it does not pass `planeval check`: {}",
            summary(&problems)
        )));
    }
    let plans = all_plans(&source).map_err(refused)?.len();
    if plans == 0 {
        return Err(refuse(
            "it holds no plan; restoring it would leave an empty database".into(),
        ));
    }
    Ok(plans)
}

/// The first few problems, and how many more there are: a damaged index alone
/// can give a hundred lines.
fn summary(problems: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = problems[..problems.len().min(SHOWN)].join("; ");
    if problems.len() > SHOWN {
        text.push_str(&format!(
            " … and {} more (see `planeval --db BACKUP check`)",
            problems.len() - SHOWN
        ));
    }
    text
}

/// Whether there is a database at `db` to replace (a 0-byte file is not one).
fn holds_a_database(db: &Path) -> Result<bool> {
    match std::fs::metadata(db) {
        Ok(meta) => Ok(meta.len() > 0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(db, e)),
    }
}

/// Makes the checked copy the database where there was none: a new file built
/// under a temporary name and renamed into place when complete.
fn install(db: &Path, copy: &Path) -> Result<()> {
    build_new_database(db, |store| store.restore_from(copy))
}

/// Replaces the live database with the checked copy. The live file is copied
/// beside itself first and that copy kept until the restored file opens with
/// its plans; the replacement goes through SQLite's backup API, in one write
/// transaction, so other readers see the old or the restored data, never a
/// mixture, and an interrupted restore rolls back.
fn replace(db: &Path, copy: &Path, plans: usize) -> Result<()> {
    let mut live = Store::open_to_replace(db)?;
    let kept = process_sibling(db, "replaced");
    remove_database_files(&kept);
    live.backup_to(&kept)?;
    let restored = live.restore_from(copy).and_then(|()| {
        let restored = Store::open_read_only(db)?;
        let found = all_plans(&restored)?.len();
        if found == plans {
            Ok(())
        } else {
            Err(Error::Damaged {
                path: db.to_path_buf(),
                detail: format!("after the restore it holds {found} plans instead of {plans}"),
            })
        }
    });
    match restored {
        Ok(()) => {
            let _ = std::fs::remove_file(&kept);
            Ok(())
        }
        Err(error) => {
            // An error, not a warning: -q must not hide where the old data is.
            tracing::error!(
                "the database as it was before the restore is kept in {}",
                kept.display()
            );
            Err(error)
        }
    }
}
