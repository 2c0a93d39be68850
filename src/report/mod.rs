//! Publishing: the report context built from an evaluation, rendered to HTML
//! through templates (and, later, to PDF through the layout engine), written
//! atomically.
//!
//! [`prepare`] gathers everything from the store and evaluates; [`render`] turns
//! the context into one format's bytes; [`publish`] renders every requested
//! format in memory first and writes only when all of them succeeded, so a bad
//! template never leaves a half-updated set of files.

pub mod chart;
pub mod commentary;
pub mod context;
pub mod html;
pub mod markdown;
pub mod pdf;
pub mod svg;
pub mod templates;

use crate::error::{Error, Result};
use crate::evaluate::{self, Thresholds};
use crate::store::plans::{find_plan, plan_structure};
use crate::store::reports::{self, ReportKind};
use crate::store::Store;
use commentary::CommentarySet;
use context::{ContextInputs, ReportContext, ReportDate};
use std::path::{Path, PathBuf};
use templates::Templates;

/// Output formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One self-contained HTML file.
    Html,
    /// A PDF document (rendered by the layout engine; not wired in yet).
    Pdf,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

/// The formats this build can write (`planeval demo` writes all of them).
pub const AVAILABLE_FORMATS: &[Format] = &[Format::Html];

/// What to build a report from.
#[derive(Debug, Clone)]
pub struct ReportRequest<'a> {
    /// Annual report or mid-term evaluation.
    pub kind: ReportKind,
    /// The year evaluated; `None` for the plan's mid-term year (mid-term report only).
    pub year: Option<i32>,
    /// Plan code; `None` when the database holds one plan.
    pub plan: Option<&'a str>,
    /// Directory of commentary files, if any.
    pub commentary_dir: Option<&'a Path>,
    /// `SOURCE_DATE_EPOCH`, when set: the date printed instead of the data's date.
    pub source_date_epoch: Option<&'a str>,
}

/// Reads the store, evaluates the plan for the report year and builds the context.
pub fn prepare(
    store: &Store,
    thresholds: &Thresholds,
    request: &ReportRequest<'_>,
) -> Result<ReportContext> {
    let plan = find_plan(store, request.plan)?;
    let year = match (request.kind, request.year) {
        (_, Some(year)) => year,
        (ReportKind::Midterm, None) => plan.midterm_year,
        (ReportKind::Annual, None) => {
            return Err(Error::Usage("report annual needs --year".to_string()))
        }
    };
    if !(plan.period_start..=plan.period_end).contains(&year) {
        return Err(Error::Usage(format!(
            "--year {year} is outside the plan period {}-{} of {}",
            plan.period_start, plan.period_end, plan.code
        )));
    }
    let read = |context: &'static str| move |e| Error::db(store.path(), context, e);
    let structure = plan_structure(store.conn(), plan.id).map_err(read("reading plan chapters"))?;
    let input = evaluate::load_input(store, Some(&plan))?;
    let evaluation = evaluate::evaluate(&input, year, thresholds)?
        .into_iter()
        .find(|e| e.plan.id == plan.id)
        .ok_or_else(|| Error::Evaluate(format!("no evaluation for plan {}", plan.code)))?;
    let stored = reports::commentaries(store.conn(), plan.id, request.kind, year)
        .map_err(read("reading commentary"))?;
    let chapters: Vec<u32> = structure.iter().map(|c| c.number).collect();
    let commentary = CommentarySet::load(stored, request.commentary_dir, &chapters)?;
    let sources =
        reports::data_sources(store.conn(), plan.id, year).map_err(read("reading data sources"))?;
    let date = match request.source_date_epoch {
        Some(epoch) => epoch
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(ReportDate::from_epoch)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH={epoch} is not a number of seconds since 1970"
                ))
            })?,
        None => ReportDate::from_data(
            reports::latest_change(store.conn(), plan.id, request.kind, year)
                .map_err(read("reading the latest change"))?
                .as_deref(),
        ),
    };
    Ok(context::build(&ContextInputs {
        kind: request.kind,
        evaluation: &evaluation,
        structure: &structure,
        commentary: &commentary,
        thresholds,
        sources: &sources,
        date: &date,
    }))
}

/// Renders a context in one format.
pub fn render(context: &ReportContext, format: Format, templates: &Templates) -> Result<Vec<u8>> {
    match format {
        Format::Html => html::render(context, templates).map(String::into_bytes),
        Format::Pdf => Err(Error::Usage(
            "--format pdf is not yet available; use --format html".to_string(),
        )),
    }
}

/// Renders every format, then writes `DIR/<kind>-<year>.<ext>` for each; nothing
/// is written unless every format rendered. Returns the paths written.
pub fn publish(
    context: &ReportContext,
    formats: &[Format],
    templates: &Templates,
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    let mut rendered = Vec::with_capacity(formats.len());
    for format in formats {
        let path = out_dir.join(format!(
            "{}.{}",
            context.report.file_stem,
            format.extension()
        ));
        rendered.push((path, render(context, *format, templates)?));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    for (path, bytes) in &rendered {
        crate::atomic::write_atomically(path, bytes)?;
    }
    Ok(rendered.into_iter().map(|(path, _)| path).collect())
}
