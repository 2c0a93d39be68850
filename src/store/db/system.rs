//! What planeval asks the operating system about a database: the SQLite URI of
//! its path, whether this process may write its folder, whether it lies on a
//! network filesystem, and the account and time recorded with each change.

use crate::atomic::folder_of;
use std::path::Path;

/// An SQLite URI for `path`: `file:` and the path, every byte but unreserved
/// ASCII percent-encoded (so `?`, `#` and non-ASCII names survive).
pub(super) fn file_uri(path: &Path) -> String {
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
pub(super) fn may_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: c_path is a valid NUL-terminated string; access only reads it.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(not(unix))]
pub(super) fn may_write(path: &Path) -> bool {
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
pub(super) fn network_filesystem(path: &Path) -> Option<&'static str> {
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
pub(super) fn filesystem_magic(path: &Path) -> Option<i64> {
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
pub(super) fn filesystem_magic(_path: &Path) -> Option<i64> {
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
    fn a_uri_keeps_every_byte_of_the_path() {
        assert_eq!(
            file_uri(Path::new("/srv/规划 db/a?b#c%.db")),
            "file:/srv/%E8%A7%84%E5%88%92%20db/a%3Fb%23c%25.db"
        );
    }

    #[test]
    fn a_local_file_is_not_on_a_network_filesystem() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(network_filesystem(&dir.path().join("t.db")), None);
        assert!(filesystem_magic(dir.path()).is_some());
    }
}
