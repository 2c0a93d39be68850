//! A folder the user names for a report (`--templates`, `--commentary`) whose
//! files are read only from inside it. A symbolic link in the folder may lead
//! to another file of the folder, never out of it: a planted
//! `style.css -> /etc/passwd` would otherwise publish that file on the web.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// A folder whose files are read only from inside it.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The path as the user gave it, for messages.
    shown: PathBuf,
    /// The same folder with every link resolved.
    real: PathBuf,
}

impl Folder {
    /// The folder `dir`, which must be a directory; `option` names the
    /// command-line option it came from in the error.
    pub fn open(dir: &Path, option: &str) -> Result<Folder> {
        let not_a_directory =
            || Error::Usage(format!("{option} {}: not a directory", dir.display()));
        let real = dir.canonicalize().map_err(|_| not_a_directory())?;
        if !real.is_dir() {
            return Err(not_a_directory());
        }
        Ok(Folder {
            shown: dir.to_path_buf(),
            real,
        })
    }

    /// How the file `name` of the folder is named in messages.
    pub fn shown(&self, name: &str) -> PathBuf {
        self.shown.join(name)
    }

    /// The real path of the file `name` (a relative path without `..`), or
    /// `None` when the folder has no such file. A link whose target lies
    /// outside the folder is an error naming the link and the target.
    pub fn file(&self, name: &str) -> Result<Option<PathBuf>> {
        let real = match self.real.join(name).canonicalize() {
            Ok(real) => real,
            // No such file (or a link to nothing, which publishes nothing).
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    || e.kind() == std::io::ErrorKind::NotADirectory =>
            {
                return Ok(None)
            }
            Err(e) => return Err(Error::io(self.shown(name), e)),
        };
        if !real.starts_with(&self.real) {
            return Err(Error::Refused {
                path: self.shown(name),
                reason: format!(
                    "a symbolic link to {}, outside {}; planeval reads only the files inside \
                     the folder (copy the file into it instead)",
                    real.display(),
                    self.shown.display()
                ),
            });
        }
        Ok(real.is_file().then_some(real))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_inside_the_folder_are_followed_links_out_of_it_refused() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, "secret").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("themes")).unwrap();
        std::fs::write(dir.path().join("themes/blue.css"), "blue").unwrap();
        symlink("themes/blue.css", dir.path().join("style.css")).unwrap();
        symlink(&secret, dir.path().join("annual.html")).unwrap();
        symlink(outside.path(), dir.path().join("partials")).unwrap();
        symlink("nowhere.html", dir.path().join("cover.html")).unwrap();
        let folder = Folder::open(dir.path(), "--templates").unwrap();

        let style = folder.file("style.css").unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(style).unwrap(), "blue");
        assert_eq!(folder.file("chart.html").unwrap(), None);
        assert_eq!(folder.file("cover.html").unwrap(), None);
        assert_eq!(folder.file("themes").unwrap(), None);
        for name in ["annual.html", "partials/secret.txt"] {
            let err = folder.file(name).unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
            assert!(err.contains("secret.txt, outside"), "{err}");
        }
    }

    #[test]
    fn the_folder_itself_may_be_a_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("2025")).unwrap();
        std::fs::write(dir.path().join("2025/foreword.md"), "前言").unwrap();
        symlink("2025", dir.path().join("current")).unwrap();
        let folder = Folder::open(&dir.path().join("current"), "--commentary").unwrap();
        assert!(folder.file("foreword.md").unwrap().is_some());
        assert!(Folder::open(&dir.path().join("2025/foreword.md"), "--commentary").is_err());
    }
}
