//! Diagnostics through `tracing`: warnings, progress and `-v` detail go to
//! standard error as plain lines, the way planeval always printed them
//! (`warning: …`, `error: …`, and info and debug lines as they are).
//!
//! The level comes from the flags (`-q`: errors only, default: info, `-v`:
//! debug); a non-empty `RUST_LOG` replaces it (`RUST_LOG=debug`,
//! `RUST_LOG=planeval::store=trace`). Messages quote file names, codes and
//! cells, so their control characters are shown escaped, as in every other
//! line planeval writes to a terminal; a line that cannot be written (stderr
//! closed or full) is dropped instead of ending the run.

use crate::text::escape_controls;
use std::fmt::{self, Write as _};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// The target of lines that name their own severity, such as an import's
/// problems (`FILE:ROW: code: warning: …`, the form departments grep and sort):
/// they are written without a `warning:` or `error:` of the logger's own.
pub const LISTING: &str = "planeval::listing";

/// How much the flags ask to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: errors only.
    Quiet,
    /// Warnings, progress and outcomes.
    Normal,
    /// `-v`: also the detail of what is being done.
    Verbose,
}

impl Verbosity {
    /// The verbosity of the `-q` and `-v` flags (clap keeps them apart).
    pub fn from_flags(quiet: bool, verbose: bool) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }

    fn level(self) -> LevelFilter {
        match self {
            Verbosity::Quiet => LevelFilter::ERROR,
            Verbosity::Normal => LevelFilter::INFO,
            Verbosity::Verbose => LevelFilter::DEBUG,
        }
    }
}

/// Installs the process's logger. Called once, by `main`; a second call (a
/// test that runs commands in one process) leaves the first logger in place.
pub fn init(verbosity: Verbosity) {
    let (filter, unreadable) = filter_from(std::env::var("RUST_LOG").ok(), verbosity);
    // The builder's own cap is info; the target filter decides instead.
    let installed = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .event_format(PlainLines)
        .with_writer(|| LossyStderr)
        .finish()
        .with(filter)
        .try_init();
    if let (Ok(()), Some(text)) = (installed, unreadable) {
        tracing::warn!(
            "RUST_LOG `{text}` is not a list of level or target=level directives; \
             the -q/-v level applies"
        );
    }
}

/// The filter: `RUST_LOG` when it is set and readable, else the flags' level,
/// with the unreadable `RUST_LOG` returned so that it can be reported. The
/// directives are `tracing_subscriber`'s target filter (`debug`,
/// `planeval::store=trace,warn`), which needs no regular-expression engine:
/// its full `EnvFilter` would change the features of the regex crates polars
/// is built with and so rebuild polars.
fn filter_from(rust_log: Option<String>, verbosity: Verbosity) -> (Targets, Option<String>) {
    let flags = Targets::new().with_default(verbosity.level());
    match rust_log.filter(|text| !text.trim().is_empty()) {
        None => (flags, None),
        Some(text) => match text.parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(_) => (flags, Some(text)),
        },
    }
}

/// Formats an event as one line (or several, when the message has line breaks).
struct PlainLines;

impl<S, N> FormatEvent<S, N> for PlainLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let metadata = event.metadata();
        let mut text = Text::default();
        event.record(&mut text);
        let line = line(metadata.level(), metadata.target(), &text.0);
        writer.write_str(&line)
    }
}

/// The line written for an event of `level` from `target` with `message`.
fn line(level: &Level, target: &str, message: &str) -> String {
    let mut line = String::new();
    if target != LISTING {
        match *level {
            Level::ERROR => line.push_str("error: "),
            Level::WARN => line.push_str("warning: "),
            Level::TRACE => line.push_str("trace: "),
            Level::INFO | Level::DEBUG => {}
        }
        // Another crate's events (under RUST_LOG) say where they come from.
        if !target.starts_with("planeval") {
            let _ = write!(line, "{target}: ");
        }
    }
    for (index, part) in message.split('\n').enumerate() {
        if index > 0 {
            line.push('\n');
        }
        line.push_str(&escape_controls(part));
    }
    line.push('\n');
    line
}

/// An event's message, then its other fields as ` name=value`.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

/// Standard error, where a failed write is dropped: there is nowhere left to
/// report it, and the exit code still tells the outcome.
struct LossyStderr;

impl std::io::Write for LossyStderr {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().lock().write_all(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_replaces_the_flags_and_an_unreadable_one_is_returned() {
        let enabled =
            |filter: &Targets, target: &str, level: Level| filter.would_enable(target, &level);
        let (quiet, none) = filter_from(None, Verbosity::Quiet);
        assert!(none.is_none());
        assert!(!enabled(&quiet, "planeval::cmd", Level::WARN));
        assert!(enabled(&quiet, "planeval::cmd", Level::ERROR));
        let (blank, _) = filter_from(Some("  ".into()), Verbosity::Verbose);
        assert!(enabled(&blank, "planeval::store::db", Level::DEBUG));
        let (store, _) = filter_from(Some("planeval::store=trace,warn".into()), Verbosity::Quiet);
        assert!(enabled(&store, "planeval::store::db", Level::TRACE));
        assert!(enabled(&store, "planeval::cmd", Level::WARN));
        assert!(!enabled(&store, "planeval::cmd", Level::INFO));
        let (flags, unreadable) = filter_from(Some("planeval=loud".into()), Verbosity::Normal);
        assert_eq!(unreadable.as_deref(), Some("planeval=loud"));
        assert!(enabled(&flags, "planeval::cmd", Level::INFO));
        assert!(!enabled(&flags, "planeval::cmd", Level::DEBUG));
    }

    #[test]
    fn warnings_and_errors_say_so_and_info_is_plain() {
        assert_eq!(line(&Level::WARN, "planeval::cmd", "w"), "warning: w\n");
        assert_eq!(line(&Level::ERROR, "planeval", "e"), "error: e\n");
        assert_eq!(line(&Level::INFO, "planeval::cmd", "i"), "i\n");
        assert_eq!(line(&Level::DEBUG, "planeval::store::db", "d"), "d\n");
    }

    #[test]
    fn a_listed_line_keeps_its_own_severity() {
        let problem = "a.csv:2: gdp: warning: +100% against 2023";
        assert_eq!(line(&Level::WARN, LISTING, problem), format!("{problem}\n"));
    }

    #[test]
    fn another_crates_event_names_its_target() {
        assert_eq!(line(&Level::DEBUG, "rusqlite", "x"), "rusqlite: x\n");
    }

    #[test]
    fn control_characters_are_shown_escaped_but_line_breaks_kept() {
        let written = line(&Level::WARN, "planeval", "\u{1b}[2Jname\r\nsecond");
        assert!(!written.contains('\u{1b}') && !written.contains('\r'));
        assert_eq!(written, "warning: \\u{1b}[2Jname\\u{d}\nsecond\n");
    }
}
