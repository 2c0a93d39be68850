//! The cover and the table of contents (cover.html, toc.html): titles, the
//! printed date (from the data or `SOURCE_DATE_EPOCH`, never the clock) and
//! the entries that link to each part.

use super::annexes::{DataNotes, EditionNotes, MethodNotes};
use super::chapters::ChapterPart;
use super::lagging::{Lagging, MidtermReview};
use super::summary::Summary;
use super::wording::Labels;
use serde::Serialize;

/// The cover page (红头 style).
#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    /// The red heading: the issuing office.
    pub red_head: String,
    /// Title lines, printed large and centred.
    pub title_lines: Vec<String>,
    /// The line under the title ("（2025年度）").
    pub subtitle: String,
    /// Who publishes it, above the date.
    pub issuer: String,
    /// The printed date.
    pub date: String,
    /// The edition and the start of the data hash ("第1版　数据快照：3f9a…（前12位）").
    pub edition: String,
}

/// One entry of the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// The target element's id (without '#').
    pub anchor: String,
    /// The heading text.
    pub label: String,
    /// 1 for parts, 2 for plan chapters inside "分章实施情况".
    pub level: u8,
}

/// The date printed on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDate {
    /// As printed ("2026年3月31日").
    pub text: String,
    /// Where it comes from, in one sentence.
    pub note: String,
}

impl ReportDate {
    /// The date of an ISO timestamp ("2026-03-31T00:00:00Z") recorded in the data.
    pub fn from_data(recorded_at: Option<&str>) -> ReportDate {
        match recorded_at.and_then(chinese_date) {
            Some(text) => ReportDate {
                note: format!("报告日期{text}为所用数据（含评述、统计局意见）的最近更新日期。"),
                text,
            },
            None => ReportDate {
                text: "（尚无数据）".to_string(),
                note: "数据库中尚无本报告所用数据，报告未标注日期。".to_string(),
            },
        }
    }

    /// The date of a `SOURCE_DATE_EPOCH` value (seconds since 1970, UTC).
    pub fn from_epoch(seconds: i64) -> Option<ReportDate> {
        let date = chrono::DateTime::from_timestamp(seconds, 0)?;
        let text = chinese_date(&date.format("%Y-%m-%d").to_string())?;
        Some(ReportDate {
            note: format!("报告日期{text}由环境变量SOURCE_DATE_EPOCH指定。"),
            text,
        })
    }
}

/// "2026-03-31…" → "2026年3月31日".
pub(super) fn chinese_date(iso: &str) -> Option<String> {
    let mut parts = iso.get(..10)?.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    Some(format!("{year}年{month}月{day}日"))
}

#[allow(clippy::too_many_arguments)] // one argument per part of the report, in document order
pub(super) fn table_of_contents(
    labels: &Labels,
    summary: &Summary,
    chapters: &[ChapterPart],
    lagging: &Lagging,
    midterm: Option<&MidtermReview>,
    method: &MethodNotes,
    data: &DataNotes,
    edition: &EditionNotes,
) -> Vec<TocEntry> {
    let entry = |anchor: &str, label: &str, level: u8| TocEntry {
        anchor: anchor.to_string(),
        label: label.to_string(),
        level,
    };
    let mut toc = vec![
        entry("foreword", &labels.foreword, 1),
        entry(&summary.anchor, &summary.heading, 1),
        entry("chapters", &labels.chapters, 1),
    ];
    toc.extend(
        chapters
            .iter()
            .map(|c| entry(&c.anchor, &format!("{}　{}", c.number_label, c.title), 2)),
    );
    toc.push(entry(&lagging.anchor, &lagging.heading, 1));
    if let Some(midterm) = midterm {
        toc.push(entry(&midterm.anchor, &midterm.heading, 1));
    }
    toc.push(entry(&method.anchor, &method.heading, 1));
    toc.push(entry(&data.anchor, &data.heading, 1));
    toc.push(entry(&edition.anchor, &edition.heading, 1));
    toc
}
