//! One file per subcommand; `run` dispatches. Commands print results to stdout
//! and progress to stderr (silenced by --quiet).

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
use crate::error::Result;
use crate::store::db::Access;
use crate::store::Store;
use std::path::Path;

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
            eprintln!("{}", message.as_ref());
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
            eprintln!("{}", message.as_ref());
        }
    }

    /// Warnings are shown even with --quiet: they are about the data.
    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!("warning: {}", message.as_ref());
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
