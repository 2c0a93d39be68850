//! The office's commentary for one report: Markdown per chapter and a foreword,
//! from the database (`planeval commentary set`) and from a `--commentary DIR`
//! of files (`foreword.md`, `chapter-03.md`, …). A file wins over the database
//! for the same place, because passing the directory is the more deliberate act.
//! A missing file is not an error: the report shows a neutral placeholder; a
//! file that is a link leading out of the directory is one ([`Folder`]).

use super::folder::Folder;
use crate::error::{Error, Result};
use crate::model::StoredCommentary;
use std::collections::BTreeMap;
use std::path::Path;

/// One piece of commentary and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentaryEntry {
    /// The Markdown text.
    pub markdown: String,
    /// The file name (`chapter-03.md`), or "数据库".
    pub source: String,
}

/// The commentary of one report, by place (`None` = foreword, `Some(n)` = chapter n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentarySet {
    entries: BTreeMap<Option<u32>, CommentaryEntry>,
}

/// The file name of a place's commentary: `foreword.md` or `chapter-03.md`.
pub fn file_name(chapter: Option<u32>) -> String {
    match chapter {
        None => "foreword.md".to_string(),
        Some(n) => format!("chapter-{n:02}.md"),
    }
}

impl CommentarySet {
    /// Combines stored commentary with the files of `dir` for the given chapters.
    /// Blank text counts as missing, so an empty file never hides the placeholder.
    pub fn load(
        stored: Vec<StoredCommentary>,
        dir: Option<&Path>,
        chapters: &[u32],
    ) -> Result<Self> {
        let mut entries = BTreeMap::new();
        for entry in stored {
            if !entry.body.trim().is_empty() {
                entries.insert(
                    entry.chapter,
                    CommentaryEntry {
                        markdown: entry.body,
                        source: "数据库".to_string(),
                    },
                );
            }
        }
        if let Some(dir) = dir {
            let folder = Folder::open(dir, "--commentary")?;
            let places = std::iter::once(None).chain(chapters.iter().map(|n| Some(*n)));
            for place in places {
                let name = file_name(place);
                let Some(path) = folder.file(&name)? else {
                    continue;
                };
                let bytes = std::fs::read(&path).map_err(|e| Error::io(folder.shown(&name), e))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::Usage(format!("{}: not UTF-8 text", folder.shown(&name).display()))
                })?;
                if !text.trim().is_empty() {
                    entries.insert(
                        place,
                        CommentaryEntry {
                            markdown: text,
                            // The name only: the same files give the same report
                            // wherever the directory lives.
                            source: name,
                        },
                    );
                }
            }
        }
        Ok(CommentarySet { entries })
    }

    /// The commentary of a place, if any was written.
    pub fn get(&self, chapter: Option<u32>) -> Option<&CommentaryEntry> {
        self.entries.get(&chapter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(chapter: Option<u32>, body: &str) -> StoredCommentary {
        StoredCommentary {
            chapter,
            body: body.to_string(),
            updated_by: "tester".to_string(),
            updated_at: "2026-01-01T00:00:00Z".to_string(),
        }
    }

    #[test]
    fn files_win_over_the_database_and_missing_files_are_fine() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("chapter-03.md"), "来自文件").unwrap();
        std::fs::write(dir.path().join("chapter-04.md"), "  \n").unwrap();
        let set = CommentarySet::load(
            vec![stored(Some(3), "来自数据库"), stored(None, "前言")],
            Some(dir.path()),
            &[3, 4, 5],
        )
        .unwrap();
        assert_eq!(set.get(Some(3)).unwrap().markdown, "来自文件");
        assert_eq!(set.get(None).unwrap().source, "数据库");
        assert!(set.get(Some(4)).is_none());
        assert!(set.get(Some(5)).is_none());
    }

    #[test]
    fn a_file_linking_out_of_the_directory_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("passwd"), "root:x:0:0").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("passwd"),
            dir.path().join("chapter-02.md"),
        )
        .unwrap();
        let err = CommentarySet::load(Vec::new(), Some(dir.path()), &[1, 2])
            .unwrap_err()
            .to_string();
        assert!(err.contains("chapter-02.md: a symbolic link to"), "{err}");
    }

    #[test]
    fn a_missing_directory_is_a_usage_error() {
        let err =
            CommentarySet::load(Vec::new(), Some(Path::new("/nonexistent/dir")), &[1]).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
    }
}
