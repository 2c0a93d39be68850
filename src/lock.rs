//! A run lock for unattended jobs: `planeval report --lock FILE` holds an
//! exclusive lock on FILE (the standard library's `File::try_lock`: `flock` on
//! Linux and macOS, `LockFileEx` on Windows) so two cron runs never overlap. The
//! second run waits up to `--wait` seconds, then gives up with exit code 3. The
//! operating system releases the lock when the process ends, even on SIGKILL,
//! so a crash never leaves a stale lock behind.
//!
//! The lock file is only ever opened read-only and never written: locking needs
//! no write access, so a lock file left by another account (root's run, mode
//! 644) locks nobody out, and a lock path that names another file (a planted
//! symbolic or hard link) can never be a way to change that file. Links are not
//! followed at all, and anything but a regular file is refused. Who holds the
//! lock is read from the kernel's list of locks (Linux's /proc/locks) instead of
//! from the file; other platforms do not name the holder.

use crate::atomic::folder_of;
use crate::error::{Error, Result};
use std::fs::{File, FileType, TryLockError};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting run tries the lock again.
const POLL: Duration = Duration::from_millis(100);

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
    /// How long acquiring it took.
    pub waited: Duration,
}

impl RunLock {
    /// Takes the lock on `path`, waiting up to `wait` for another holder to finish.
    pub fn acquire(path: &Path, wait: Duration) -> Result<RunLock> {
        let file = open_lock_file(path)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(POLL)
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Busy {
                        what: format!("lock {}", path.display()),
                        detail: busy_detail(platform::holder(&file), wait),
                    })
                }
                Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
            }
        }
        Ok(RunLock {
            _file: file,
            path: path.to_path_buf(),
            waited: started.elapsed(),
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Opens the lock file read-only, creating it (empty) when it does not exist.
fn open_lock_file(path: &Path) -> Result<File> {
    loop {
        match platform::open_existing(path) {
            Ok(file) => return regular_file(path, file),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(open_error(path, e)),
        }
        match platform::create_empty(path) {
            Ok(file) => return Ok(file),
            // Another run created it in between: open that one.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(create_error(path, e)),
        }
    }
}

/// Refuses a lock that is not a regular file (a link, a directory, a FIFO, a device).
fn regular_file(path: &Path, file: File) -> Result<File> {
    let metadata = file.metadata().map_err(|e| Error::io(path, e))?;
    if metadata.file_type().is_file() {
        return Ok(file);
    }
    Err(not_a_plain_file(path, metadata.file_type()))
}

/// The refusal of a lock path that names something other than a regular file.
fn not_a_plain_file(path: &Path, kind: FileType) -> Error {
    let reason = if kind.is_symlink() {
        "a symbolic link; planeval never follows a link for its run lock, so the lock \
         cannot be used to change another file: remove the link or pass another --lock"
    } else {
        "not a regular file; a run lock must be a plain file (pass another --lock)"
    };
    Error::Refused {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Says why the lock file could not be opened, with what to do about it.
fn open_error(path: &Path, error: std::io::Error) -> Error {
    // Opening without following links fails on a link (ELOOP on Unix), and
    // Windows refuses to open a directory as a file: name what is there instead.
    if let Ok(metadata) = std::fs::symlink_metadata(path) {
        if !metadata.file_type().is_file() {
            return not_a_plain_file(path, metadata.file_type());
        }
    }
    if error.kind() == ErrorKind::PermissionDenied {
        let owner = platform::owner_and_mode(path);
        return Error::Refused {
            path: path.to_path_buf(),
            reason: format!(
                "cannot be opened for reading{owner}: {error}; the lock file holds nothing and \
                 no run holds it once its process has ended, so remove it or make it readable \
                 (chmod a+r)"
            ),
        };
    }
    Error::io(path, error)
}

/// A lock file that does not exist and cannot be created: most often a reader
/// whose folder is read-only for them. Once any account that may write there
/// has created it, every account can use it.
fn create_error(path: &Path, error: std::io::Error) -> Error {
    if !matches!(
        error.kind(),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
    ) {
        return Error::io(path, error);
    }
    Error::Refused {
        path: path.to_path_buf(),
        reason: format!(
            "the run lock cannot be created: {error} in {}; pass --lock with a file in a \
             folder you may write, or ask someone who may write there to run a report once \
             (the lock file it leaves can then be used by every account)",
            folder_of(path).display()
        ),
    }
}

/// What a run that gives up says about the holder.
fn busy_detail(holder: Option<u32>, wait: Duration) -> String {
    let holder = holder
        .map(|pid| format!(" (pid {pid})"))
        .unwrap_or_default();
    format!(
        "another planeval run holds it{holder}; waited {} s (--wait)",
        wait.as_secs()
    )
}

#[cfg(not(unix))]
use other as platform;
#[cfg(unix)]
use unix as platform;

/// Opening and creating the lock file on Unix: `open(2)` flags the standard
/// library has no portable name for.
#[cfg(unix)]
mod unix {
    use std::ffi::CString;
    use std::fs::{File, OpenOptions};
    use std::io::ErrorKind;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::os::unix::io::FromRawFd;
    use std::path::Path;

    /// The mode of a lock file planeval creates, whatever the umask: the file
    /// stays empty, and every account that runs reports must be able to open it.
    pub(super) const LOCK_MODE: u32 = 0o644;

    /// Not following links, and not blocking on a FIFO planted under the lock's
    /// name (it is refused once opened).
    const OPEN_FLAGS: libc::c_int = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;

    /// Opens an existing lock file read-only, never through a link.
    pub(super) fn open_existing(path: &Path) -> std::io::Result<File> {
        OpenOptions::new()
            .read(true)
            .custom_flags(OPEN_FLAGS)
            .open(path)
    }

    /// Creates `path` exclusively (never through a link) and opens it read-only.
    /// The standard library refuses to create a file without write access, which
    /// the lock never needs, hence `open(2)` itself.
    pub(super) fn create_empty(path: &Path) -> std::io::Result<File> {
        let name = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::new(ErrorKind::InvalidInput, "NUL byte in the path"))?;
        let flags = libc::O_RDONLY | libc::O_CREAT | libc::O_EXCL | OPEN_FLAGS;
        // SAFETY: `name` is a valid NUL-terminated string that outlives the call.
        let fd = unsafe { libc::open(name.as_ptr(), flags, LOCK_MODE as libc::c_uint) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned by nothing else.
        let file = unsafe { File::from_raw_fd(fd) };
        // Best effort: the umask may have narrowed the mode; where it cannot be
        // widened, a run of another account still gets a clear error naming the file.
        let _ = file.set_permissions(std::fs::Permissions::from_mode(LOCK_MODE));
        Ok(file)
    }

    /// ` (owner uid N, mode M)` of a lock file this account may not read.
    pub(super) fn owner_and_mode(path: &Path) -> String {
        std::fs::symlink_metadata(path)
            .map(|m| format!(" (owner uid {}, mode {:o})", m.uid(), m.mode() & 0o7777))
            .unwrap_or_default()
    }

    #[cfg(target_os = "linux")]
    pub(super) use super::linux::holder;

    /// No list of locks to read the holder from.
    #[cfg(not(target_os = "linux"))]
    pub(super) fn holder(_file: &File) -> Option<u32> {
        None
    }
}

/// Reading who holds a lock from the kernel's list of locks.
#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::os::unix::fs::MetadataExt;

    /// The process holding a `flock` on `file`, from the kernel's list of locks
    /// (Linux's /proc/locks); `None` where there is no such list or the holder has
    /// just let go.
    pub(super) fn holder(file: &File) -> Option<u32> {
        let metadata = file.metadata().ok()?;
        let id = format!(
            "{:02x}:{:02x}:{}",
            libc::major(metadata.dev()),
            libc::minor(metadata.dev()),
            metadata.ino()
        );
        holder_in(&std::fs::read_to_string("/proc/locks").ok()?, &id)
    }

    /// The holder of a `flock` on the file `id` (`MAJOR:MINOR:INODE`, as the
    /// kernel prints it) in the text of /proc/locks.
    pub(super) fn holder_in(locks: &str, id: &str) -> Option<u32> {
        locks.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // Requests still waiting are listed as `N: -> FLOCK …` and do not match.
            match fields.as_slice() {
                [_, "FLOCK", _, _, pid, file, ..] if *file == id => pid.parse().ok(),
                _ => None,
            }
        })
    }
}

/// Opening and creating the lock file elsewhere (Windows) with the standard
/// library alone.
#[cfg(not(unix))]
mod other {
    use std::fs::{File, OpenOptions};
    use std::path::Path;

    /// Opens a link as itself rather than its target, so that it is refused.
    #[cfg(windows)]
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;

    /// Read access only, for a file that must be created (the standard library
    /// asks for write access to create one, which the lock never uses).
    #[cfg(windows)]
    const GENERIC_READ: u32 = 0x8000_0000;

    /// Opens an existing lock file read-only, never through a link.
    pub(super) fn open_existing(path: &Path) -> std::io::Result<File> {
        let mut options = OpenOptions::new();
        options.read(true);
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt;
            options.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
        }
        options.open(path)
    }

    /// Creates `path` exclusively and opens it for reading only where the
    /// platform allows it.
    pub(super) fn create_empty(path: &Path) -> std::io::Result<File> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt;
            options
                .access_mode(GENERIC_READ)
                .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
        }
        options.open(path)
    }

    /// No owner or mode bits to show.
    pub(super) fn owner_and_mode(_path: &Path) -> String {
        String::new()
    }

    /// The holder of a lock is not listed anywhere planeval can read.
    pub(super) fn holder(_file: &File) -> Option<u32> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.lock");
        let first = RunLock::acquire(&path, Duration::ZERO).unwrap();
        let err = RunLock::acquire(&path, Duration::from_millis(250)).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::BUSY);
        // Only Linux lists who holds a lock.
        let names_the_holder = err
            .to_string()
            .contains(&format!("(pid {})", std::process::id()));
        assert_eq!(names_the_holder, cfg!(target_os = "linux"), "{err}");
        drop(first);
        assert!(RunLock::acquire(&path, Duration::ZERO).is_ok());
    }

    #[test]
    fn the_lock_file_is_created_empty_and_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let created = dir.path().join("new.lock");
        drop(RunLock::acquire(&created, Duration::ZERO).unwrap());
        let metadata = std::fs::metadata(&created).unwrap();
        assert_eq!(metadata.len(), 0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            assert_eq!(metadata.mode() & 0o777, unix::LOCK_MODE);
        }
        let existing = dir.path().join("old.lock");
        std::fs::write(&existing, "pid 12345\n").unwrap();
        drop(RunLock::acquire(&existing, Duration::ZERO).unwrap());
        assert_eq!(std::fs::read(&existing).unwrap(), b"pid 12345\n");
    }

    #[cfg(unix)]
    #[test]
    fn links_and_other_kinds_of_file_are_refused() {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("planeval.db");
        std::fs::write(&target, "data").unwrap();
        let link = dir.path().join("link.lock");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let dangling = dir.path().join("dangling.lock");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let fifo = dir.path().join("fifo.lock");
        let name = CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: `name` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        for path in [&link, &dangling, &fifo, &dir.path().to_path_buf()] {
            let err = RunLock::acquire(path, Duration::ZERO).unwrap_err();
            assert!(matches!(err, Error::Refused { .. }), "{err}");
            assert!(
                err.to_string().contains(&path.display().to_string()),
                "{err}"
            );
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"data");
        assert!(!dir.path().join("nowhere").exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_holder_is_read_from_the_kernels_list() {
        use super::linux::holder_in;
        let locks = "1: FLOCK  ADVISORY  WRITE 1784 fe:00:5308689 0 EOF\n\
                     1: -> FLOCK  ADVISORY  WRITE 1790 fe:00:42 0 EOF\n\
                     2: FLOCK  ADVISORY  WRITE 1785 fe:00:42 0 EOF\n\
                     3: POSIX  ADVISORY  WRITE 1786 fe:00:77 0 EOF\n";
        assert_eq!(holder_in(locks, "fe:00:42"), Some(1785));
        assert_eq!(holder_in(locks, "fe:00:77"), None);
        assert_eq!(holder_in(locks, "fe:00:1"), None);
        assert!(!busy_detail(None, Duration::ZERO).contains("()"));
    }
}
