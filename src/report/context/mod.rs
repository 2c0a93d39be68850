//! The report context: one serialisable value holding everything a report
//! prints, already formatted (values with units, percentages, status words and
//! CSS classes), so templates only loop and print and the PDF layout maps the
//! same parts to its blocks (cover, table of contents, headings, paragraphs,
//! tables, charts). It is format-neutral: charts are chart models and
//! commentary is Markdown; the HTML renderer draws the SVG and the HTML.
//! One submodule per template partial builds its part.
//!
//! Building it is deterministic: no clock is read; the printed date comes from
//! the data (or `SOURCE_DATE_EPOCH`), and every list keeps plan order.

use super::chart::Rgb;
use super::commentary::CommentarySet;
use super::edition::ReportEdition;
use crate::evaluate::{PlanEvaluation, Status, Thresholds};
use crate::model::{Chapter, DataSource, ReportKind};
use serde::Serialize;

mod annexes;
mod chapters;
mod charts;
mod cover;
mod lagging;
mod summary;
mod wording;

// The parts' types are the context's public API; their builders are for `build`.
pub use annexes::*;
pub use chapters::*;
pub use charts::*;
pub use cover::*;
pub use lagging::*;
pub use summary::*;
pub use wording::*;

/// The notice printed wherever demo data is shown.
pub const DEMO_NOTICE: &str = "演示数据，非官方统计数据";

/// Everything a report template prints.
#[derive(Debug, Clone, Serialize)]
pub struct ReportContext {
    /// Which report, for which year, and its titles.
    pub report: ReportInfo,
    /// The plan being monitored.
    pub plan: PlanInfo,
    /// The cover page.
    pub cover: Cover,
    /// The notice shown wherever demo data appears; `None` for real data only.
    pub data_notice: Option<String>,
    /// Fixed wording shared by every renderer (headings of recurring blocks).
    pub labels: Labels,
    /// Table of contents, in document order.
    pub toc: Vec<TocEntry>,
    /// The office's foreword (前言).
    pub foreword: Commentary,
    /// 总体进展: counts by status, headline figures, binding indicators.
    pub summary: Summary,
    /// One part per plan chapter, in plan order (all chapters, with or without indicators).
    pub chapters: Vec<ChapterPart>,
    /// Indicators with a yellow or red light and what they still need.
    pub lagging: Lagging,
    /// The mid-term review (projection to the target year); `None` in the annual report.
    pub midterm: Option<MidtermReview>,
    /// Annex: how progress and lights are computed.
    pub method: MethodNotes,
    /// Annex: where the data comes from and what was excluded.
    pub data_notes: DataNotes,
    /// The report's edition, the data it was built from, and the annex of
    /// changes since the previous edition.
    pub edition: EditionNotes,
}

/// Identity of the report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInfo {
    /// "annual" or "midterm".
    pub kind: ReportKind,
    /// True for the mid-term evaluation (templates show its extra columns).
    pub is_midterm: bool,
    /// The year evaluated (data up to this year).
    pub year: i32,
    /// "年度监测报告" or "中期评估报告".
    pub kind_label: String,
    /// The full title, for `<title>` and the PDF metadata.
    pub title: String,
    /// The printed date (e.g. "2026年3月31日").
    pub date: String,
    /// Where the date comes from, said in the data notes.
    pub date_note: String,
    /// The output file name without extension ("annual-2025").
    pub file_stem: String,
    /// The edition number (1 for the first edition of this report and year).
    pub edition: u32,
    /// "第1版".
    pub edition_label: String,
}

/// The plan's identity.
#[derive(Debug, Clone, Serialize)]
pub struct PlanInfo {
    /// Catalog code.
    pub code: String,
    /// Full title of the plan.
    pub title: String,
    /// Short title (铁西区“十四五”规划纲要).
    pub short_title: String,
    /// Region covered.
    pub region: String,
    /// Government that issued it.
    pub issuer: String,
    /// The office publishing the report.
    pub office: String,
    /// "2021—2025年".
    pub period: String,
    /// "2020年" (the base year of all time-elapsed figures).
    pub base_year: String,
    /// Adoption date as printed, or empty.
    pub adopted: String,
}

/// A status light in words, with its CSS class.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// "green", "yellow", "red" or "grey".
    pub key: String,
    /// "绿灯" …
    pub label: String,
    /// "达到或快于序时进度" …
    pub meaning: String,
    /// "status-green" …
    pub css: String,
}

impl StatusView {
    pub(super) fn of(status: Status) -> StatusView {
        StatusView {
            key: status.as_str().to_string(),
            label: status.label_zh().to_string(),
            meaning: status.meaning_zh().to_string(),
            css: format!("status-{}", status.as_str()),
        }
    }
}

/// Everything the context is built from.
#[derive(Debug, Clone, Copy)]
pub struct ContextInputs<'a> {
    /// Which report.
    pub kind: ReportKind,
    /// The evaluation of the plan for the report year.
    pub evaluation: &'a PlanEvaluation,
    /// The plan's chapters and sections.
    pub structure: &'a [Chapter],
    /// The office's commentary, from files and the database.
    pub commentary: &'a CommentarySet,
    /// The thresholds the evaluation used.
    pub thresholds: &'a Thresholds,
    /// The responsible departments and what they supplied.
    pub sources: &'a [DataSource],
    /// The printed date and where it comes from.
    pub date: &'a ReportDate,
    /// The report's edition and the changes since the previous one.
    pub edition: &'a ReportEdition,
}

/// Bar colour of each light in the charts (matches the CSS of the built-in templates).
pub fn status_color(status: Status) -> Rgb {
    match status {
        Status::Green => Rgb(46, 125, 50),
        Status::Yellow => Rgb(212, 160, 23),
        Status::Red => Rgb(198, 40, 40),
        Status::Grey => Rgb(158, 158, 158),
    }
}

/// Builds the context of one report.
pub fn build(inputs: &ContextInputs<'_>) -> ReportContext {
    let evaluation = inputs.evaluation;
    let plan = &evaluation.plan;
    let year = evaluation.year;
    let is_midterm = inputs.kind == ReportKind::Midterm;
    let kind_label = if is_midterm {
        "中期评估报告"
    } else {
        "年度监测报告"
    };
    let any_illustrative = evaluation.indicators.iter().any(|i| i.illustrative);
    let data_notice = any_illustrative.then(|| {
        format!("{DEMO_NOTICE}：本报告中的数值由 planeval 演示程序按固定规则生成，仅用于展示报告格式与评价方法，不反映{}的实际情况。", plan.region)
    });
    let rows = RowBuilder::new(inputs);
    let chapters: Vec<ChapterPart> = inputs
        .structure
        .iter()
        .map(|chapter| chapter_part(inputs, chapter, &rows))
        .collect();
    let title = if is_midterm {
        format!("{}实施情况中期评估报告", plan.short_title)
    } else {
        format!("{}{year}年度实施情况监测报告", plan.short_title)
    };
    let summary = summary(inputs, &rows, &chapters);
    let lagging = lagging(inputs, &rows);
    let midterm = is_midterm.then(|| midterm_review(inputs, &rows));
    let method = method_notes(inputs);
    let data_notes = data_notes(inputs, data_notice.as_deref());
    let edition = edition_notes(inputs);
    let labels = Labels::zh();
    let toc = table_of_contents(
        &labels,
        &summary,
        &chapters,
        &lagging,
        midterm.as_ref(),
        &method,
        &data_notes,
        &edition,
    );
    ReportContext {
        report: ReportInfo {
            kind: inputs.kind,
            is_midterm,
            year,
            kind_label: kind_label.to_string(),
            title: title.clone(),
            date: inputs.date.text.clone(),
            date_note: inputs.date.note.clone(),
            file_stem: format!("{}-{year}", inputs.kind.as_str()),
            edition: edition.number,
            edition_label: edition.label.clone(),
        },
        plan: PlanInfo {
            code: plan.code.clone(),
            title: plan.title.clone(),
            short_title: plan.short_title.clone(),
            region: plan.region.clone(),
            issuer: plan.issuer.clone(),
            office: plan.office.clone(),
            period: format!("{}—{}年", plan.period_start, plan.period_end),
            base_year: format!("{}年", plan.base_year),
            adopted: plan
                .adopted
                .as_deref()
                .and_then(chinese_date)
                .unwrap_or_default(),
        },
        cover: Cover {
            red_head: plan.office.clone(),
            title_lines: vec![
                plan.short_title.clone(),
                if is_midterm {
                    "实施情况中期评估报告".to_string()
                } else {
                    "实施情况年度监测报告".to_string()
                },
            ],
            subtitle: if is_midterm {
                format!("（{}—{year}年）", plan.period_start)
            } else {
                format!("（{year}年度）")
            },
            issuer: plan.office.clone(),
            date: inputs.date.text.clone(),
            edition: format!("{}　{}", edition.label, edition.snapshot_line),
        },
        data_notice,
        labels,
        toc,
        foreword: commentary(inputs.commentary, None),
        summary,
        chapters,
        lagging,
        midterm,
        method,
        data_notes,
        edition,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_cover_plan_chapters() {
        let labels: Vec<String> = [1, 10, 13, 20, 21, 99]
            .into_iter()
            .map(chinese_numeral)
            .collect();
        assert_eq!(labels, ["一", "十", "十三", "二十", "二十一", "九十九"]);
    }

    #[test]
    fn dates_come_from_the_data_or_the_epoch() {
        assert_eq!(
            ReportDate::from_data(Some("2026-03-31T00:00:00Z")).text,
            "2026年3月31日"
        );
        assert_eq!(
            ReportDate::from_epoch(0).map(|d| d.text),
            Some("1970年1月1日".to_string())
        );
        assert_eq!(ReportDate::from_data(None).text, "（尚无数据）");
    }
}
