//! The HTML renderer: the report context through the templates, into one
//! self-contained file (inline CSS and SVG, no scripts, no external resources).
//! The context describes charts and holds commentary as Markdown; this renderer
//! draws each chart as SVG for the templates (`chart_svg`), and the templates
//! turn the Markdown into HTML (`markdown`).

use super::context::ReportContext;
use super::svg;
use super::templates::{Markup, Templates};
use crate::error::Result;
use crate::model::ReportKind;

/// Renders a report context to an HTML document.
pub fn render(context: &ReportContext, templates: &Templates) -> Result<String> {
    let name = match context.report.kind {
        ReportKind::Annual => "annual.html",
        ReportKind::Midterm => "midterm.html",
    };
    templates.render(name, context, markup(context))
}

/// Every chart of the report drawn as SVG, by element id.
fn markup(context: &ReportContext) -> Markup {
    let charts = context
        .chapters
        .iter()
        .flat_map(|chapter| chapter.progress_chart.iter().chain(&chapter.trend_charts))
        .map(|block| (block.id.clone(), svg::render(&block.chart, &block.id)))
        .collect();
    Markup { charts }
}
