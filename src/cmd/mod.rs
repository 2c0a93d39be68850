//! One file per subcommand; `run` dispatches. Commands print results to stdout
//! and progress to stderr (silenced by --quiet).

mod check;
mod demo;
mod export;
mod form;
mod history;
mod import;
mod init;
mod missing;
mod plan;
pub mod text_table;

use crate::cli::{Cli, Command};
use crate::error::Result;

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

/// Runs a parsed command line; the value is the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let out = Output {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Init(args) => init::run(&cli.db, &args, out),
        Command::Demo(args) => demo::run(&args, out),
        Command::Plan(args) => plan::run(&cli.db, &args),
        Command::Check => check::run(&cli.db, out),
        Command::Form(args) => form::run(&cli.db, &args, out),
        Command::Import(args) => import::run(&cli.db, &args, out),
        Command::History(args) => history::run(&cli.db, &args),
        Command::Missing(args) => missing::run(&cli.db, &args, out),
        Command::Export(args) => export::run(&cli.db, &args, out),
    }
}
