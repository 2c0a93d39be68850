//! Progress for long runs: a bar on a terminal, plain log lines under cron
//! (where a bar would fill the mail with control characters).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use tracing::Level;

/// Reports progress through `total` steps.
pub struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    total: usize,
    next_log: usize,
}

impl Progress {
    /// A bar when stderr is a terminal (and info lines are shown, as without
    /// --quiet), log lines otherwise.
    pub fn new(label: &str, total: usize) -> Progress {
        let shown = tracing::enabled!(Level::INFO);
        let bar = (std::io::stderr().is_terminal() && shown).then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {elapsed}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(label.to_string());
            bar
        });
        Progress {
            bar,
            label: label.to_string(),
            total,
            next_log: 0,
        }
    }

    /// Marks `done` steps as finished.
    pub fn set(&mut self, done: usize) {
        match &self.bar {
            Some(bar) => bar.set_position(done as u64),
            None if done >= self.next_log || done == self.total => {
                tracing::info!("{}: {done}/{}", self.label, self.total);
                // One line per tenth of the work keeps cron output short.
                self.next_log = done + (self.total / 10).max(1);
            }
            None => {}
        }
    }

    /// Removes the bar.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
