//! `planeval commentary set|show`: the office's Markdown commentary per report,
//! year and chapter (or foreword), stored in the database in one audited
//! transaction and rendered in place by `planeval report`.

use super::print;
use crate::error::{exit, Error, Result};
use crate::model::ReportKind;
use crate::report::commentary::file_name;
use crate::store::plans::{find_plan, plan_structure, PlanRecord};
use crate::store::reports::{commentaries, set_commentary};
use crate::store::Store;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// Arguments of `planeval commentary`.
#[derive(Debug, Args)]
pub struct CommentaryArgs {
    #[command(subcommand)]
    pub action: CommentaryAction,
}

/// What to do with commentary.
#[derive(Debug, Subcommand)]
pub enum CommentaryAction {
    /// Store the commentary of a chapter (or, without --chapter, the foreword).
    Set(CommentarySetArgs),
    /// Print stored commentary.
    Show(CommentaryShowArgs),
}

/// Which report, year and place a commentary belongs to.
#[derive(Debug, Args)]
pub struct CommentaryPlace {
    /// The report the commentary appears in.
    #[arg(long, value_enum)]
    pub report: ReportKind,

    /// The report's year.
    #[arg(long)]
    pub year: i32,

    /// Plan chapter number; leave out for the foreword.
    #[arg(long)]
    pub chapter: Option<u32>,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Arguments of `planeval commentary set`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("body").required(true).args(["file", "text"])))]
pub struct CommentarySetArgs {
    #[command(flatten)]
    pub place: CommentaryPlace,

    /// A Markdown file with the commentary.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The commentary itself (Markdown).
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
}

/// Arguments of `planeval commentary show`.
#[derive(Debug, Args)]
pub struct CommentaryShowArgs {
    #[command(flatten)]
    pub place: CommentaryPlace,

    /// Show the foreword and every chapter's commentary (ignores --chapter).
    #[arg(long)]
    pub all: bool,
}

/// Runs `planeval commentary`; the value is the exit code.
pub fn run(db: &Path, args: &CommentaryArgs) -> Result<u8> {
    match &args.action {
        CommentaryAction::Set(set) => {
            let body = match (&set.file, &set.text) {
                (Some(file), _) => std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?,
                (None, Some(text)) => text.clone(),
                (None, None) => return Err(Error::Usage("give --file or --text".into())),
            };
            if body.trim().is_empty() {
                return Err(Error::Usage(
                    "the commentary is empty; the report shows a placeholder without one".into(),
                ));
            }
            let mut store = Store::open(db)?;
            let plan = checked_plan(&store, &set.place)?;
            set_commentary(
                &mut store,
                (plan.id, &plan.code),
                set.place.report,
                set.place.year,
                set.place.chapter,
                &body,
            )?;
            tracing::info!(
                "stored {} for the {} report {} ({} characters)",
                place_name(set.place.chapter),
                set.place.report.as_str(),
                set.place.year,
                body.chars().count()
            );
        }
        CommentaryAction::Show(show) => {
            let store = Store::open_read_only(db)?;
            let plan = checked_plan(&store, &show.place)?;
            let stored = commentaries(store.conn(), plan.id, show.place.report, show.place.year)
                .map_err(|e| Error::db(db, "reading commentary", e))?;
            let mut text = String::new();
            for entry in &stored {
                if show.all {
                    text.push_str(&format!(
                        "<!-- {} ({}, {} {}) -->\n",
                        place_name(entry.chapter),
                        file_name(entry.chapter),
                        entry.updated_by,
                        entry.updated_at
                    ));
                    text.push_str(entry.body.trim_end());
                    text.push_str("\n\n");
                } else if entry.chapter == show.place.chapter {
                    text.push_str(&entry.body);
                }
            }
            if text.is_empty() {
                tracing::info!("no commentary stored for this report and place");
            }
            print(&text)?;
        }
    }
    Ok(exit::OK)
}

fn place_name(chapter: Option<u32>) -> String {
    chapter.map_or_else(|| "foreword".to_string(), |c| format!("chapter {c}"))
}

/// The plan, after checking that the year is in its period and the chapter exists.
fn checked_plan(store: &Store, place: &CommentaryPlace) -> Result<PlanRecord> {
    let plan = find_plan(store, place.plan.as_deref())?;
    plan.check_year(place.year, crate::model::YearSpan::Period)?;
    if let Some(chapter) = place.chapter {
        let structure = plan_structure(store.conn(), plan.id)
            .map_err(|e| Error::db(store.path(), "reading plan chapters", e))?;
        if !structure.iter().any(|c| c.number == chapter) {
            return Err(Error::Usage(format!(
                "plan {} has no chapter {chapter} (chapters 1-{})",
                plan.code,
                structure.len()
            )));
        }
    }
    Ok(plan)
}
