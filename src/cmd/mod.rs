//! One file per subcommand; `run` dispatches. Commands print results to stdout
//! (through [`print`], so a full disk is an error, not a panic) and progress to
//! stderr (silenced by --quiet).

mod backup;
mod bench;
mod check;
mod commentary;
mod demo;
mod evaluate;
mod export;
mod form;
mod history;
mod import;
mod init;
mod missing;
mod plan;
pub mod progress;
mod report;
mod synth;
pub mod text_table;
mod verdict;

use crate::cli::{Cli, Command};
use crate::error::{Error, Result};
use crate::store::db::Access;
use crate::store::Store;
use crate::text::escape_controls;
use std::io::Write;
use std::path::Path;

/// Writes a command's result to standard output. `print!` would panic when
/// stdout cannot be written (a full disk under `> file`) after the command's
/// work is done; here that is an error, exit code 1, so a cron job never
/// mistakes a lost result for a delivered one.
pub fn print(text: &str) -> Result<()> {
    // Through a duplicate of the descriptor, unbuffered: the standard library's
    // stdout reports success when the descriptor is not open for writing
    // (EBADF, as under `1</dev/null`), which would pass for delivered output.
    #[cfg(unix)]
    let duplicate = std::os::fd::AsFd::as_fd(&std::io::stdout()).try_clone_to_owned();
    #[cfg(windows)]
    let duplicate =
        std::os::windows::io::AsHandle::as_handle(&std::io::stdout()).try_clone_to_owned();
    let mut stdout = duplicate.map(std::fs::File::from).map_err(Error::Stdout)?;
    stdout.write_all(text.as_bytes()).map_err(Error::Stdout)
}

/// Writes a message line to standard error. A message that cannot be written
/// (stderr full or closed) is dropped: there is nowhere left to say so, and
/// the exit code still tells the outcome, where `eprintln!` would panic.
///
/// Messages quote file names, codes and cells, so control characters other
/// than the line breaks between a message's lines are shown escaped.
pub fn stderr_line(line: &str) {
    let mut stderr = std::io::stderr().lock();
    for (index, part) in line.split('\n').enumerate() {
        let separator = if index == 0 { "" } else { "\n" };
        let _ = write!(stderr, "{separator}{}", escape_controls(part));
    }
    let _ = writeln!(stderr);
}

/// How chatty a command should be.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    quiet: bool,
    verbose: bool,
}

impl Output {
    /// Progress and outcome messages (stderr), unless --quiet.
    pub fn info(&self, message: impl AsRef<str>) {
        if !self.quiet {
            stderr_line(message.as_ref());
        }
    }

    /// True with --quiet.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// True with --verbose.
    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// Detail shown only with --verbose.
    pub fn detail(&self, message: impl AsRef<str>) {
        if self.verbose {
            stderr_line(message.as_ref());
        }
    }

    /// Warnings are shown even with --quiet: they are about the data.
    pub fn warn(&self, message: impl AsRef<str>) {
        stderr_line(&format!("warning: {}", message.as_ref()));
    }
}

/// Opens an existing database for a command that may write, warning when it
/// sits on a network filesystem.
pub fn open_store(db: &Path, out: Output) -> Result<Store> {
    warn_about_access(Store::open(db)?, out)
}

/// Opens an existing database read-only, for a command that only reads.
pub fn read_store(db: &Path, out: Output) -> Result<Store> {
    warn_about_access(Store::open_read_only(db)?, out)
}

/// Opens or creates a database, with the same warnings.
pub fn create_store(db: &Path, out: Output) -> Result<Store> {
    warn_about_access(Store::create_or_open(db)?, out)
}

fn warn_about_access(store: Store, out: Output) -> Result<Store> {
    if let Some(kind) = store.network_filesystem() {
        out.warn(format!(
            "{} is on {kind}: using a rollback journal instead of WAL, because WAL's shared \
             memory does not work across machines and can corrupt the file (see docs/sharing.md)",
            store.path().display()
        ));
    }
    if store.access() == Access::Immutable {
        out.warn(format!(
            "{} is in WAL mode and this user may not create its -shm file in the folder: \
             reading it without locks, as SQLite allows only for a file nobody writes \
             meanwhile; if someone writes to it during this command, run it again \
             (see docs/sharing.md)",
            store.path().display()
        ));
    }
    Ok(store)
}

/// Runs a parsed command line; the value is the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let out = Output {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Init(args) => init::run(&cli.db, &args, out),
        Command::Demo(args) => demo::run(&args, out),
        Command::Plan(args) => plan::run(&cli.db, &args, out),
        Command::Check => check::run(&cli.db, out),
        Command::Evaluate(args) => evaluate::run(&cli.db, cli.config.as_deref(), &args, out),
        Command::Verdict(args) => verdict::run(&cli.db, &args, out),
        Command::Synth(args) => synth::run(&args, out),
        Command::Bench(args) => bench::run(&args, out),
        Command::BenchStage(args) => bench::stage(&cli.db, &args),
        Command::Backup(args) => backup::backup(&cli.db, &args, out),
        Command::Restore(args) => backup::restore(&cli.db, &args, out),
        Command::Report(args) => report::run(&cli.db, cli.config.as_deref(), &args, out),
        Command::Commentary(args) => commentary::run(&cli.db, &args, out),
        Command::Form(args) => form::run(&cli.db, &args, out),
        Command::Import(args) => import::run(&cli.db, &args, out),
        Command::History(args) => history::run(&cli.db, &args),
        Command::Missing(args) => missing::run(&cli.db, &args, out),
        Command::Export(args) => export::run(&cli.db, cli.config.as_deref(), &args, out),
    }
}
