//! The `planeval` binary: parse the command line, run, print errors.

use clap::Parser;
use planeval::cmd::logging::{self, Verbosity};
use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = planeval::cmd::cli::Cli::parse();
    logging::init(Verbosity::from_flags(cli.quiet, cli.verbose));
    match planeval::cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader of a pipe went away (its SIGPIPE was blocked, so the write
        // failed instead of ending the process): nobody is left to tell.
        Err(error) if error.is_broken_pipe() => ExitCode::from(error.exit_code()),
        // Printed directly, not logged: no filter (-q, RUST_LOG) may hide why it failed.
        Err(error) => {
            planeval::cmd::stderr_line(&format!("error: {error}"));
            ExitCode::from(error.exit_code())
        }
    }
}

/// Rust ignores SIGPIPE, so `planeval plan | head` would panic on a closed pipe;
/// the default action ends the process quietly, as other command-line tools do.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in main, before any thread exists; setting a
    // signal disposition to its default has no other effect on the process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Windows has no SIGPIPE: a closed pipe is an ordinary write error.
#[cfg(not(unix))]
fn restore_default_sigpipe() {}
