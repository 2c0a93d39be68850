//! `planeval report annual|midterm`: build the report context from the store,
//! render each requested format, and write the files atomically.

use super::Output;
use crate::cli::{ReportArgs, ReportFormat, ReportName};
use crate::error::{exit, Result};
use crate::evaluate::Config;
use crate::report::templates::Templates;
use crate::report::{self, Format, ReportRequest};
use crate::store::reports::ReportKind;
use crate::store::Store;
use std::path::Path;

/// The environment variable that fixes the printed date (reproducible builds).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

pub fn run(db: &Path, config: Option<&Path>, args: &ReportArgs, out: Output) -> Result<u8> {
    let formats = formats(&args.format);
    let templates = Templates::new(args.templates.as_deref())?;
    let config = Config::load(config)?;
    let store = Store::open(db)?;
    let source_date_epoch = std::env::var(SOURCE_DATE_EPOCH).ok();
    let context = report::prepare(
        &store,
        &config.thresholds,
        &ReportRequest {
            kind: report_kind(args.kind),
            year: args.year,
            plan: args.plan.as_deref(),
            commentary_dir: args.commentary.as_deref(),
            source_date_epoch: source_date_epoch.as_deref(),
        },
    )?;
    for path in report::publish(&context, &formats, &templates, &args.out)? {
        out.info(format!("{}: {}", path.display(), context.report.title));
    }
    if context.data_notice.is_some() {
        out.warn("the report shows demo data (labelled 演示数据，非官方统计数据 in the file)");
    }
    Ok(exit::OK)
}

/// The library's report kind for a command-line name.
pub fn report_kind(name: ReportName) -> ReportKind {
    match name {
        ReportName::Annual => ReportKind::Annual,
        ReportName::Midterm => ReportKind::Midterm,
    }
}

/// The requested formats in the order given, each once.
fn formats(requested: &[ReportFormat]) -> Vec<Format> {
    let mut formats = Vec::with_capacity(requested.len());
    for format in requested {
        let format = match format {
            ReportFormat::Html => Format::Html,
            ReportFormat::Pdf => Format::Pdf,
        };
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    formats
}
