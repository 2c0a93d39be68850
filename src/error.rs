//! One error type for the library. Every variant names what went wrong and where
//! (file, line, field, indicator), and maps to a documented process exit code.

use std::path::PathBuf;

/// Result alias used throughout planeval.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes, documented in docs/cron.md so wrappers can act on them.
pub mod exit {
    /// Everything worked.
    pub const OK: u8 = 0;
    /// Any error not listed below.
    pub const ERROR: u8 = 1;
    /// Bad command-line usage.
    pub const USAGE: u8 = 2;
    /// The database or a lock stayed busy longer than allowed.
    pub const BUSY: u8 = 3;
    /// Data is missing (e.g. `planeval missing` found values still owed).
    pub const DATA_MISSING: u8 = 4;
}

/// Everything that can go wrong in planeval.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A catalog file is malformed or inconsistent.
    #[error("{file}{}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default(), field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
    Catalog {
        file: String,
        line: Option<u64>,
        field: Option<String>,
        message: String,
    },

    /// SQLite reported an error while working on the database.
    #[error("database {}: {context}: {source}", path.display())]
    Database {
        path: PathBuf,
        context: String,
        #[source]
        source: rusqlite::Error,
    },

    /// The database was written by a newer planeval.
    #[error("database {} has schema version {found}, but this planeval understands up to {supported}; use a newer planeval", path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// The database file does not exist and the command needs one.
    #[error("no database at {}: create one with `planeval init` (or pass --db)", path.display())]
    NoDatabase { path: PathBuf },

    /// The database or a lock file stayed busy.
    #[error("{what} is busy: {detail}")]
    Busy { what: String, detail: String },

    /// The user asked for something that does not exist or does not make sense.
    #[error("{0}")]
    Usage(String),

    /// `planeval check` found problems.
    #[error("check found {errors} error(s) in {}", path.display())]
    CheckFailed { path: PathBuf, errors: usize },

    /// An import found errors in its files; nothing was written.
    #[error("import rejected: {errors} error(s) in {files} file(s); nothing was written")]
    ImportRejected { errors: usize, files: usize },

    /// Values are missing (used by `planeval missing`).
    #[error("{0}")]
    DataMissing(String),

    /// The PDF engine failed (a bad font file, names the file). The engine's
    /// own error is kept as the source, boxed, so this enum (which the store and
    /// the evaluation use) does not depend on the PDF module.
    #[error("PDF: {0}")]
    Pdf(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// The PDF font lacks glyphs for characters of the report (with --strict).
    #[error(
        "the PDF font has no glyph for these characters: {0} (choose another font with --font)"
    )]
    MissingGlyphs(String),

    /// The evaluation engine failed.
    #[error("evaluation failed: {0}")]
    Evaluate(String),

    // The database file's identity, access and health (docs/sharing.md).
    /// The file at a database path is not a planeval database: empty, not SQLite
    /// at all, or another program's SQLite file.
    #[error("{} is not a planeval database: {reason}", path.display())]
    NotPlaneval { path: PathBuf, reason: String },

    /// SQLite found the file damaged (an integrity check failed, or it reported
    /// SQLITE_CORRUPT while working); `detail` says what and what to do.
    #[error("database {} is damaged: {detail}", path.display())]
    Damaged { path: PathBuf, detail: String },

    /// A backup cannot be restored; the live database was left as it was.
    #[error("not restoring from {} (the database was not changed): {reason}", path.display())]
    NotRestorable { path: PathBuf, reason: String },

    /// The file or its folder does not let this user do what the command needs
    /// (write, or read a WAL file whose `-shm` it cannot create).
    #[error("database {}: {detail}", path.display())]
    NoAccess { path: PathBuf, detail: String },

    /// A report template has a syntax error or refers to something the context lacks.
    #[error("template {file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        /// The template file (the user's override path, or the built-in name).
        file: String,
        /// The line in that file, when minijinja knows it.
        line: Option<usize>,
        /// What is wrong, as minijinja describes it.
        message: String,
    },

    // Output hardening: locks, output files, standard output, stored editions.
    /// Standard output could not be written (a full disk, a descriptor not open
    /// for writing); the command's work may be done, but its result did not arrive.
    #[error("writing standard output: {0}")]
    Stdout(#[source] std::io::Error),

    /// planeval refused to use a file that could make it read or write
    /// something else: a link leading out of a folder, a lock that is a link.
    #[error("{}: {reason}", path.display())]
    Refused { path: PathBuf, reason: String },

    /// A recorded report edition's snapshot cannot be read: the database is
    /// damaged there.
    #[error("database {}: the snapshot of {report} edition {edition} is damaged ({message}); restore the database from a backup taken before the damage", path.display())]
    DamagedSnapshot {
        path: PathBuf,
        /// Plan, report kind and year, e.g. `tiexi-14th annual 2025`.
        report: String,
        edition: u32,
        message: String,
    },
}

impl Error {
    /// Wraps a SQLite error with the database path and what planeval was doing.
    pub fn db(
        path: impl Into<PathBuf>,
        context: impl Into<String>,
        source: rusqlite::Error,
    ) -> Self {
        if is_busy(&source) {
            return Error::Busy {
                what: format!("database {}", path.into().display()),
                detail: format!("{}: {source}", context.into()),
            };
        }
        if is_corrupt(&source) {
            return Error::Damaged {
                path: path.into(),
                detail: format!(
                    "{}: {source}; anything being written was rolled back: restore the \
                         file from a backup (`planeval restore`, see docs/sharing.md)",
                    context.into()
                ),
            };
        }
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
            return Error::NoAccess {
                path: path.into(),
                detail: format!("{}: {source}", context.into()),
            };
        }
        Error::Database {
            path: path.into(),
            context: context.into(),
            source,
        }
    }

    /// An error of the PDF engine.
    pub fn pdf(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Pdf(Box::new(source))
    }

    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when standard output is a pipe whose reader has gone (`planeval
    /// plan | head`): the reader wanted no more, so nothing is worth printing.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Busy { .. } => exit::BUSY,
            Error::DataMissing(_) => exit::DATA_MISSING,
            _ => exit::ERROR,
        }
    }
}

/// True for SQLite's "database is locked/busy" family of errors.
pub fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// True for SQLite's "the file is damaged" errors: SQLITE_CORRUPT, and
/// SQLITE_NOTADB for a file whose header no longer says SQLite.
pub fn is_corrupt(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}
