//! Writing output files safely: a reader (a browser, a file-sync client, the
//! office's web server) sees either the old file or the complete new one, never
//! a half-written report, even if planeval is interrupted or the disk fills up.
//! Files that belong together (a report's HTML and PDF) are replaced together:
//! every new file is written and flushed first, and only then are they all
//! renamed over the old ones, so a failure while writing any of them leaves
//! every old file as it was.
//!
//! Temporary files are named `.NAME.PID.SERIAL.tmp` beside NAME. A run that is
//! killed leaves its temporary files behind; the next write of NAME removes
//! those whose process is gone (see [`is_stale`]).

use crate::error::{Error, Result};
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Distinguishes temporary files of concurrent writes within one process.
static NEXT_TEMPORARY: AtomicU64 = AtomicU64::new(0);

/// How long a temporary file of a process that is not running is left alone.
/// A writer renames its files within seconds of creating them; the grace
/// protects one whose PID means nothing here (another machine writing to a
/// shared folder, another PID namespace).
const DEAD_WRITER_GRACE: Duration = Duration::from_secs(60);

/// After this long a temporary file is stale even if a process of its PID is
/// running: no write takes a day, so the PID has been reused.
const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Writes `bytes` to `path` atomically: into a temporary file in the same
/// directory (so the rename never crosses file systems), flushed to disk, then
/// renamed over `path`. On failure the temporary file is removed and `path` is
/// left as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut files = FileSet::default();
    files.add(path, bytes)?;
    files.commit()
}

/// New versions of several files, replaced together by [`FileSet::commit`].
/// Dropped without a commit (an error while writing a later file), it removes
/// its temporary files and every old file stays.
#[derive(Debug, Default)]
pub struct FileSet {
    staged: Vec<Staged>,
}

#[derive(Debug)]
struct Staged {
    temporary: PathBuf,
    path: PathBuf,
}

impl FileSet {
    /// Writes the new contents of `path` to a temporary file beside it and
    /// flushes them to disk; `path` itself is untouched until the commit.
    pub fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        remove_stale_temporaries(path);
        let temporary = temporary_path(path);
        if let Err(e) = write_and_sync(&temporary, bytes) {
            // Best effort: the temporary file may not exist if creating it failed.
            let _ = std::fs::remove_file(&temporary);
            return Err(Error::io(path, e));
        }
        self.staged.push(Staged {
            temporary,
            path: path.to_path_buf(),
        });
        Ok(())
    }

    /// Renames every temporary file over its final name, then makes the
    /// renames durable. Renames within a directory do not run out of space; if
    /// one fails all the same, the files not yet renamed keep their old versions.
    pub fn commit(mut self) -> Result<()> {
        let staged = std::mem::take(&mut self.staged);
        for (done, file) in staged.iter().enumerate() {
            if let Err(e) = std::fs::rename(&file.temporary, &file.path) {
                for rest in &staged[done..] {
                    let _ = std::fs::remove_file(&rest.temporary);
                }
                return Err(Error::io(&file.path, e));
            }
        }
        let mut directories: Vec<&Path> = staged.iter().map(|f| folder_of(&f.path)).collect();
        directories.dedup();
        for dir in directories {
            sync_directory(dir);
        }
        Ok(())
    }
}

impl Drop for FileSet {
    fn drop(&mut self) {
        for file in &self.staged {
            let _ = std::fs::remove_file(&file.temporary);
        }
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let serial = NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{serial}.tmp", std::process::id()))
}

/// The PID in `file_name` when it is a temporary file of `name` as
/// [`temporary_path`] names them (`.NAME.PID.SERIAL.tmp`).
fn temporary_writer(file_name: &OsStr, name: &str) -> Option<u32> {
    let rest = file_name
        .to_str()?
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?
        .strip_suffix(".tmp")?;
    let (pid, serial) = rest.split_once('.')?;
    serial.parse::<u64>().ok()?;
    pid.parse().ok().filter(|pid| *pid > 0)
}

/// Whether a temporary file this old, of a writer that is or is not running,
/// was left by a write that will never finish.
fn is_stale(age: Duration, writer_running: bool) -> bool {
    if writer_running {
        age > ABANDONED_AFTER
    } else {
        age > DEAD_WRITER_GRACE
    }
}

/// True when a process `pid` exists on this machine (owned by anyone).
#[cfg(unix)]
fn is_running(pid: u32) -> bool {
    // A number beyond pid_t is no process (and a negative one would name a group).
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Without a portable way to ask, every writer counts as running, so its
/// temporary files are removed only once abandoned (see [`is_stale`]).
#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    true
}

/// Removes the temporary files that killed writes of `path` left behind.
/// Best effort: a file that cannot be removed now is tried again next time.
fn remove_stale_temporaries(path: &Path) {
    let Some(name) = path.file_name().and_then(OsStr::to_str) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(folder_of(path)) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let Some(pid) = temporary_writer(&entry.file_name(), name) else {
            continue;
        };
        // Not followed if it is a link: only planeval's own files are removed.
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let age = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .unwrap_or_default();
        if metadata.is_file() && is_stale(age, is_running(pid)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn write_and_sync(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    // Without this the rename can reach the disk before the data does, and a
    // power cut would leave an empty file under the final name.
    file.sync_all()
}

/// The folder holding `path` (`.` for a bare file name): where its temporary
/// files, its lock's companions and its database's journals go.
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Removes a file, link or folder at `path` (a link itself, never its target).
pub fn remove_if_present(path: &Path) -> Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => Err(e),
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
    };
    removed.map_err(|e| Error::io(path, e))
}

/// Makes the renames themselves durable. Best effort: some file systems refuse
/// to sync a directory, and the files' contents are already safe.
fn sync_directory(dir: &Path) {
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("annual-2025.html");
        write_atomically(&path, b"old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["annual-2025.html"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        // The name fits the file system's limit of 255 bytes; its temporary
        // name (`.NAME.PID.SERIAL.tmp`) does not, so the write fails after
        // the old file exists, whoever runs the test (root ignores modes).
        let name = format!("{}.html", "a".repeat(240));
        let path = dir.path().join(&name);
        std::fs::write(&path, b"old").unwrap();
        let err = write_atomically(&path, b"new").unwrap_err();
        assert!(err.to_string().contains(&name), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), [name]);
    }

    #[test]
    fn a_set_not_committed_leaves_every_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("annual-2025.html");
        let pdf = dir.path().join("annual-2025.pdf");
        write_atomically(&html, b"old html").unwrap();
        write_atomically(&pdf, b"old pdf").unwrap();
        let mut files = FileSet::default();
        files.add(&html, b"new html").unwrap();
        assert!(files.add(&dir.path().join("gone/x.pdf"), b"new").is_err());
        drop(files);
        assert_eq!(std::fs::read(&html).unwrap(), b"old html");
        assert_eq!(names(dir.path()), ["annual-2025.html", "annual-2025.pdf"]);
        let mut files = FileSet::default();
        files.add(&html, b"new html").unwrap();
        files.add(&pdf, b"new pdf").unwrap();
        files.commit().unwrap();
        assert_eq!(std::fs::read(&pdf).unwrap(), b"new pdf");
        assert_eq!(names(dir.path()), ["annual-2025.html", "annual-2025.pdf"]);
    }

    #[test]
    fn temporary_names_carry_the_writers_pid() {
        let path = temporary_path(Path::new("out/annual-2025.html"));
        let pid = std::process::id();
        let name = path.file_name().unwrap();
        assert_eq!(temporary_writer(name, "annual-2025.html"), Some(pid));
        assert_eq!(temporary_writer(name, "annual-2025"), None);
        for other in [
            ".annual-2025.html.tmp",
            ".annual-2025.html.12.tmp",
            ".annual-2025.html.x.1.tmp",
            ".annual-2025.html.0.1.tmp",
            "annual-2025.html.12.1.tmp",
        ] {
            assert_eq!(
                temporary_writer(OsStr::new(other), "annual-2025.html"),
                None,
                "{other}"
            );
        }
    }

    #[test]
    fn only_temporaries_of_writers_gone_for_a_while_are_stale() {
        let minute = Duration::from_secs(61);
        assert!(!is_stale(Duration::from_secs(5), false));
        assert!(is_stale(minute, false));
        assert!(!is_stale(minute, true));
        assert!(is_stale(ABANDONED_AFTER + minute, true));
        assert!(is_running(std::process::id()));
    }
}
