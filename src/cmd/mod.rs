//! One file per subcommand, each with its arguments beside its `run`; `run`
//! here dispatches. Commands print results to stdout (through [`print`], so a
//! full disk is an error, not a panic) and diagnostics to stderr through
//! `tracing` (see [`logging`]).

pub mod backup;
pub mod bench;
pub mod check;
pub mod cli;
pub mod commentary;
pub mod demo;
pub mod evaluate;
pub mod export;
pub mod form;
pub mod history;
pub mod import;
pub mod init;
pub mod logging;
pub mod missing;
pub mod plan;
pub mod progress;
pub mod report;
pub mod synth;
pub mod text_table;
pub mod verdict;

use crate::error::{Error, Result};
use crate::store::db::Access;
use crate::store::Store;
use crate::text::escape_controls;
use cli::{Cli, Command};
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

/// Opens an existing database for a command that may write, warning when it
/// sits on a network filesystem.
pub fn open_store(db: &Path) -> Result<Store> {
    warn_about_access(Store::open(db)?)
}

/// Opens an existing database read-only, for a command that only reads.
pub fn read_store(db: &Path) -> Result<Store> {
    warn_about_access(Store::open_read_only(db)?)
}

/// Opens or creates a database, with the same warnings.
pub fn create_store(db: &Path) -> Result<Store> {
    warn_about_access(Store::create_or_open(db)?)
}

fn warn_about_access(store: Store) -> Result<Store> {
    if let Some(kind) = store.network_filesystem() {
        tracing::warn!(
            "{} is on {kind}: using a rollback journal instead of WAL, because WAL's shared \
             memory does not work across machines and can corrupt the file (see docs/sharing.md)",
            store.path().display()
        );
    }
    if store.access() == Access::Immutable {
        tracing::warn!(
            "{} is in WAL mode and this user may not create its -shm file in the folder: \
             reading it without locks, as SQLite allows only for a file nobody writes \
             meanwhile; if someone writes to it during this command, run it again \
             (see docs/sharing.md)",
            store.path().display()
        );
    }
    Ok(store)
}

/// Runs a parsed command line; the value is the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Init(args) => init::run(&cli.db, &args),
        Command::Demo(args) => demo::run(&args),
        Command::Plan(args) => plan::run(&cli.db, &args),
        Command::Check => check::run(&cli.db),
        Command::Evaluate(args) => evaluate::run(&cli.db, config, &args),
        Command::Verdict(args) => verdict::run(&cli.db, &args),
        Command::Synth(args) => synth::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchStage(args) => bench::stage(&cli.db, &args),
        Command::Backup(args) => backup::backup(&cli.db, &args),
        Command::Restore(args) => backup::restore(&cli.db, &args),
        Command::Report(args) => report::run(&cli.db, config, &args),
        Command::Commentary(args) => commentary::run(&cli.db, &args),
        Command::Form(args) => form::run(&cli.db, &args),
        Command::Import(args) => import::run(&cli.db, &args),
        Command::History(args) => history::run(&cli.db, &args),
        Command::Missing(args) => missing::run(&cli.db, &args),
        Command::Export(args) => export::run(&cli.db, config, &args),
    }
}
