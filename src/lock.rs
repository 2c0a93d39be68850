//! A run lock for unattended jobs: `planeval report --lock FILE` holds an
//! exclusive `flock` on FILE so two cron runs never overlap. The second run waits
//! up to `--wait` seconds, then gives up with exit code 3. The kernel releases
//! the lock when the process ends, even on SIGKILL, so a crash never leaves a
//! stale lock behind.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
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
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let started = Instant::now();
        loop {
            match try_lock(&file) {
                Ok(true) => break,
                Ok(false) if started.elapsed() < wait => std::thread::sleep(POLL),
                Ok(false) => {
                    let holder = std::fs::read_to_string(path).unwrap_or_default();
                    return Err(Error::Busy {
                        what: format!("lock {}", path.display()),
                        detail: format!(
                            "another planeval run holds it ({}); waited {} s (--wait)",
                            holder.trim(),
                            wait.as_secs()
                        ),
                    });
                }
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        // Who holds the lock, for the message a waiting run prints.
        file.set_len(0).map_err(|e| Error::io(path, e))?;
        writeln!(file, "pid {}", std::process::id()).map_err(|e| Error::io(path, e))?;
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

fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: the descriptor belongs to `file`, which outlives this call.
    let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if result == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(error)
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
        assert!(err.to_string().contains("pid"), "{err}");
        drop(first);
        assert!(RunLock::acquire(&path, Duration::ZERO).is_ok());
    }
}
