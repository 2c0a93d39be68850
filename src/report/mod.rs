//! Publishing: the report context built from an evaluation, rendered to HTML
//! through templates and to PDF through the layout engine, written atomically.
//!
//! The report layer reads no database: [`build_context`] turns an evaluation
//! and the store's snapshot into the context; [`render`] turns the context
//! into one format's bytes; [`publish`] renders every requested
//! format in memory first, writes them all to temporary files and replaces the
//! old files only when every one was written, so neither a bad template nor a
//! full disk leaves a half-updated set of files. Once the files are
//! written, the pipeline (`crate::pipeline`) records the report's edition.

pub mod chart;
pub mod commentary;
pub mod context;
pub mod document;
pub mod edition;
pub mod folder;
pub mod html;
pub mod markdown;
pub mod pdf;
pub mod svg;
pub mod templates;

use crate::atomic::FileSet;
use crate::error::{Error, Result};
use crate::evaluate::{PlanEvaluation, Thresholds};
use crate::model::{ReportKind, ReportSnapshot};
use commentary::CommentarySet;
use context::{ContextInputs, ReportContext, ReportDate};
use edition::ReportEdition;
use std::path::{Path, PathBuf};
use templates::Templates;

/// Output formats of a report (the variants' docs are `planeval report --help`'s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// One self-contained HTML file.
    Html,
    /// A4 PDF with the Chinese font embedded (see --font).
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
pub const AVAILABLE_FORMATS: &[Format] = &[Format::Html, Format::Pdf];

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

/// A report ready to render: what it prints, and its edition, to record once
/// its files are written (the pipeline does, `crate::pipeline`).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Everything the report prints.
    pub context: ReportContext,
    /// The report's edition.
    pub edition: ReportEdition,
}

/// Builds the context of one plan's report from its evaluation (which may come
/// from a batch over many plans) and the snapshot the store read for the
/// report, including its edition. Reads no database; only the commentary files
/// of `request.commentary_dir`, if given.
pub fn build_context(
    snapshot: &ReportSnapshot,
    thresholds: &Thresholds,
    evaluation: &PlanEvaluation,
    request: &ReportRequest<'_>,
) -> Result<Prepared> {
    let chapters: Vec<u32> = snapshot.structure.iter().map(|c| c.number).collect();
    let commentary = CommentarySet::load(
        snapshot.commentary.clone(),
        request.commentary_dir,
        &chapters,
    )?;
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
        None => ReportDate::from_data(snapshot.latest_change.as_deref()),
    };
    let edition = edition::resolve(&snapshot.editions, evaluation, request.kind);
    let context = context::build(&ContextInputs {
        kind: request.kind,
        evaluation,
        structure: &snapshot.structure,
        commentary: &commentary,
        thresholds,
        sources: &snapshot.sources,
        date: &date,
        edition: &edition,
    });
    Ok(Prepared { context, edition })
}

/// Which font PDF output is set in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FontChoice {
    /// Noto Sans SC, shipped with planeval (assets/fonts, SIL OFL).
    #[default]
    Bundled,
    /// A TTF, OTF or TTC file, with the face index within a collection.
    File { path: PathBuf, face: u32 },
}

/// Everything that turns a context into files: the templates for HTML, the
/// fonts for PDF (parsed once, reused for every report of a run).
pub struct Renderers {
    templates: Templates,
    fonts: Option<pdf::FontSet>,
    strict_glyphs: bool,
}

impl Renderers {
    /// Prepares the renderers `formats` need; a font is read only when PDF is asked for.
    pub fn new(
        templates: Templates,
        formats: &[Format],
        font: &FontChoice,
        strict_glyphs: bool,
    ) -> Result<Renderers> {
        let fonts = if formats.contains(&Format::Pdf) {
            Some(
                match font {
                    FontChoice::Bundled => pdf::FontSet::embedded_default(),
                    FontChoice::File { path, face } => pdf::FontSet::from_path(path, *face),
                }
                .map_err(Error::pdf)?,
            )
        } else {
            None
        };
        Ok(Renderers {
            templates,
            fonts,
            strict_glyphs,
        })
    }
}

/// One rendered file and what the renderer noticed.
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// Characters the PDF font has no glyph for (shown as boxes), if any.
    pub missing_glyphs: Vec<char>,
}

/// Renders a context in one format.
pub fn render(context: &ReportContext, format: Format, renderers: &Renderers) -> Result<Rendered> {
    match format {
        Format::Html => Ok(Rendered {
            bytes: html::render(context, &renderers.templates)?.into_bytes(),
            missing_glyphs: Vec::new(),
        }),
        Format::Pdf => {
            let fonts = renderers.fonts.as_ref().ok_or_else(|| {
                Error::Usage("PDF output was not prepared (no font loaded)".to_string())
            })?;
            let document = document::pdf_document(context);
            let missing_glyphs = fonts.missing_glyphs(&document);
            if renderers.strict_glyphs && !missing_glyphs.is_empty() {
                return Err(Error::MissingGlyphs(missing_glyphs.iter().collect()));
            }
            Ok(Rendered {
                bytes: pdf::render(&document, fonts).map_err(Error::pdf)?,
                missing_glyphs,
            })
        }
    }
}

/// What `publish` wrote.
pub struct Published {
    pub paths: Vec<PathBuf>,
    /// Warnings about the output (e.g. characters without a glyph).
    pub warnings: Vec<String>,
}

/// Renders every format, then writes `DIR/<kind>-<year>.<ext>` for each; nothing
/// is replaced unless every format rendered and every file was written.
pub fn publish(
    context: &ReportContext,
    formats: &[Format],
    renderers: &Renderers,
    out_dir: &Path,
) -> Result<Published> {
    let mut rendered = Vec::with_capacity(formats.len());
    let mut warnings = Vec::new();
    for format in formats {
        let path = out_dir.join(format!(
            "{}.{}",
            context.report.file_stem,
            format.extension()
        ));
        let output = render(context, *format, renderers)?;
        if !output.missing_glyphs.is_empty() {
            warnings.push(format!(
                "{}: the font has no glyph for {} (shown as boxes; --strict makes this an error)",
                path.display(),
                output.missing_glyphs.iter().collect::<String>()
            ));
        }
        rendered.push((path, output.bytes));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    // The formats replace their old files together: a full disk or a kill
    // while writing the PDF must not leave the new HTML beside the old PDF.
    let mut files = FileSet::default();
    for (path, bytes) in &rendered {
        files.add(path, bytes)?;
    }
    files.commit()?;
    Ok(Published {
        paths: rendered.into_iter().map(|(path, _)| path).collect(),
        warnings,
    })
}
