//! The HTML renderer: the report context through the templates, into one
//! self-contained file (inline CSS and SVG, no scripts, no external resources).

use super::context::ReportContext;
use super::templates::Templates;
use crate::error::Result;
use crate::model::ReportKind;

/// Renders a report context to an HTML document.
pub fn render(context: &ReportContext, templates: &Templates) -> Result<String> {
    let name = match context.report.kind {
        ReportKind::Annual => "annual.html",
        ReportKind::Midterm => "midterm.html",
    };
    templates.render(name, context)
}
