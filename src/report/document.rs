//! The PDF edition of a report: the same prepared context as the HTML, laid out
//! as a flow of blocks for the PDF engine. Like the templates, this only
//! arranges what the context already says; it computes nothing.

use super::context::{
    ChapterPart, Commentary, IndicatorRow, IndicatorTable, ReportContext, StatusView,
};
use super::pdf::{Align, Block, Cell, Column, Document, Meta, ParagraphStyle, Table};
use crate::evaluate::Status;

/// Lays out a report context as a PDF document.
pub fn pdf_document(context: &ReportContext) -> Document {
    let mut blocks = vec![cover(context), Block::TableOfContents];
    heading(&mut blocks, 1, &context.labels.foreword);
    commentary(&mut blocks, &context.foreword);
    summary(&mut blocks, context);
    for chapter in &context.chapters {
        chapter_part(&mut blocks, context, chapter);
    }
    lagging(&mut blocks, context);
    if let Some(midterm) = &context.midterm {
        heading(&mut blocks, 1, &midterm.heading);
        paragraphs(&mut blocks, &midterm.paragraphs);
        heading(&mut blocks, 2, &midterm.projection_heading);
        paragraph(
            &mut blocks,
            &midterm.projection_summary,
            ParagraphStyle::Body,
        );
        blocks.push(Block::Table(projection_table(
            &midterm.projection_heading,
            &midterm.projection_columns,
            &midterm.projections,
        )));
        heading(&mut blocks, 2, &midterm.binding_heading);
        indicator_table(
            &mut blocks,
            context,
            &midterm.binding_heading,
            &midterm.binding,
        );
    }
    method(&mut blocks, context);
    data_notes(&mut blocks, context);
    edition_changes(&mut blocks, context);
    Document {
        meta: Meta {
            title: context.report.title.clone(),
            subject: context.plan.title.clone(),
            author: context.plan.office.clone(),
            language: "zh-CN".to_string(),
            running_header: context.report.title.clone(),
            date: numeric_date(&context.report.date),
        },
        blocks,
    }
}

/// "2026年3月31日" as (2026, 3, 31); the PDF's dates come from the report's own date.
fn numeric_date(text: &str) -> (i32, u8, u8) {
    let numbers: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect();
    match numbers[..] {
        [year, month, day, ..] => (year as i32, month as u8, day as u8),
        _ => (2000, 1, 1),
    }
}

fn cover(context: &ReportContext) -> Block {
    let cover = &context.cover;
    Block::Cover {
        title: cover.title_lines.join(""),
        subtitle: cover.subtitle.clone(),
        lines: vec![
            cover.red_head.clone(),
            cover.issuer.clone(),
            cover.date.clone(),
            cover.edition.clone(),
        ],
        notice: context.data_notice.clone(),
    }
}

fn heading(blocks: &mut Vec<Block>, level: u8, text: &str) {
    blocks.push(Block::Heading {
        level,
        text: text.to_string(),
    });
}

fn paragraph(blocks: &mut Vec<Block>, text: &str, style: ParagraphStyle) {
    if !text.trim().is_empty() {
        blocks.push(Block::Paragraph {
            text: text.to_string(),
            style,
        });
    }
}

fn paragraphs(blocks: &mut Vec<Block>, texts: &[String]) {
    for text in texts {
        paragraph(blocks, text, ParagraphStyle::Body);
    }
}

fn commentary(blocks: &mut Vec<Block>, commentary: &Commentary) {
    for text in super::markdown::plain_paragraphs(&commentary.markdown) {
        paragraph(blocks, &text, ParagraphStyle::Body);
    }
}

fn mark(status: &StatusView) -> Cell {
    Cell {
        text: status.label.clone(),
        mark: Status::parse(&status.key).map(super::context::status_color),
    }
}

fn text(value: impl Into<String>) -> Cell {
    Cell {
        text: value.into(),
        mark: None,
    }
}

fn with_year(value: &str, year: &str) -> String {
    if year.is_empty() {
        value.to_string()
    } else {
        format!("{value}（{year}）")
    }
}

fn columns(titles: &[String], widths: &[(f32, Align)]) -> Vec<Column> {
    titles
        .iter()
        .zip(widths.iter().chain(std::iter::repeat(&(1.0, Align::Left))))
        .map(|(title, (width, align))| Column {
            title: title.clone(),
            width: *width,
            align: *align,
        })
        .collect()
}

fn summary(blocks: &mut Vec<Block>, context: &ReportContext) {
    let summary = &context.summary;
    let labels = &context.labels;
    heading(blocks, 1, &summary.heading);
    paragraphs(blocks, &summary.paragraphs);
    if let Some(notice) = &context.data_notice {
        paragraph(blocks, notice, ParagraphStyle::Notice);
    }
    let mut rows: Vec<Vec<Cell>> = summary
        .counts
        .iter()
        .map(|c| {
            vec![
                mark(&c.status),
                text(&c.status.meaning),
                text(c.count.to_string()),
                text(&c.share),
            ]
        })
        .collect();
    rows.push(vec![
        text(&labels.total),
        text(""),
        text(summary.total.to_string()),
        text("100%"),
    ]);
    blocks.push(Block::Table(Table {
        caption: labels.status_counts.clone(),
        columns: columns(
            &[
                "状态".into(),
                "含义".into(),
                labels.item.clone(),
                "占比".into(),
            ],
            &[
                (1.0, Align::Left),
                (2.6, Align::Left),
                (0.8, Align::Right),
                (0.8, Align::Right),
            ],
        ),
        rows,
    }));
    if !summary.headline.is_empty() {
        blocks.push(Block::Table(Table {
            caption: labels.headline.clone(),
            columns: columns(
                &[
                    "指标".into(),
                    "最新值".into(),
                    "年份".into(),
                    "目标".into(),
                    "状态".into(),
                ],
                &[
                    (2.4, Align::Left),
                    (1.2, Align::Right),
                    (0.7, Align::Right),
                    (1.6, Align::Right),
                    (0.9, Align::Left),
                ],
            ),
            rows: summary
                .headline
                .iter()
                .map(|f| {
                    vec![
                        text(&f.name),
                        text(&f.value),
                        text(&f.year),
                        text(&f.target),
                        mark(&f.status),
                    ]
                })
                .collect(),
        }));
    }
    let groups = |caption: &str, first: &str, groups: &[super::context::GroupCounts]| {
        Block::Table(Table {
            caption: caption.to_string(),
            columns: columns(
                &[
                    first.into(),
                    "绿灯".into(),
                    "黄灯".into(),
                    "红灯".into(),
                    "灰灯".into(),
                    labels.total.clone(),
                ],
                &[
                    (3.0, Align::Left),
                    (0.7, Align::Right),
                    (0.7, Align::Right),
                    (0.7, Align::Right),
                    (0.7, Align::Right),
                    (0.7, Align::Right),
                ],
            ),
            rows: groups
                .iter()
                .map(|g| {
                    [
                        g.label.clone(),
                        g.green.to_string(),
                        g.yellow.to_string(),
                        g.red.to_string(),
                        g.grey.to_string(),
                        g.total.to_string(),
                    ]
                    .into_iter()
                    .map(text)
                    .collect()
                })
                .collect(),
        })
    };
    blocks.push(groups(
        &labels.by_chapter,
        &labels.chapter,
        &summary.by_chapter,
    ));
    blocks.push(groups("按指标属性统计", "属性", &summary.by_nature));
    heading(blocks, 2, &labels.binding);
    indicator_table(blocks, context, &labels.binding, &summary.binding);
}

fn chapter_part(blocks: &mut Vec<Block>, context: &ReportContext, chapter: &ChapterPart) {
    heading(
        blocks,
        1,
        &format!("{} {}", chapter.number_label, chapter.title),
    );
    if let Some(notice) = &chapter.data_notice {
        paragraph(blocks, notice, ParagraphStyle::Notice);
    }
    paragraph(blocks, &chapter.counts_text, ParagraphStyle::Body);
    if let Some(chart) = &chapter.progress_chart {
        blocks.push(Block::Chart(chart.chart.clone()));
    }
    // Rows name their section as the plan does ("第一节 …"); chapter-level rows name none.
    let in_section = |label: &str| -> Vec<IndicatorRow> {
        chapter
            .table
            .rows
            .iter()
            .filter(|r| r.section == label)
            .cloned()
            .collect()
    };
    let chapter_level = in_section("");
    if !chapter_level.is_empty() {
        indicator_table(
            blocks,
            context,
            &chapter.title,
            &IndicatorTable {
                rows: chapter_level,
                ..chapter.table.clone()
            },
        );
    }
    for section in &chapter.sections {
        let label = format!("{} {}", section.number_label, section.title);
        heading(blocks, 2, &label);
        let rows = in_section(&label);
        if rows.is_empty() {
            paragraph(blocks, "本节无量化指标。", ParagraphStyle::Small);
        } else {
            indicator_table(
                blocks,
                context,
                &section.title,
                &IndicatorTable {
                    rows,
                    ..chapter.table.clone()
                },
            );
        }
    }
    if !chapter.has_indicators {
        paragraph(blocks, &chapter.empty_note, ParagraphStyle::Small);
    }
    for chart in &chapter.trend_charts {
        blocks.push(Block::Chart(chart.chart.clone()));
    }
    heading(blocks, 3, &context.labels.commentary);
    commentary(blocks, &chapter.commentary);
}

/// The indicator table of the report, then one line per indicator saying how its
/// light was reached (the explanation the HTML shows under the name).
fn indicator_table(
    blocks: &mut Vec<Block>,
    context: &ReportContext,
    caption: &str,
    table: &IndicatorTable,
) {
    let midterm = context.report.is_midterm;
    let mut widths = vec![
        (2.6, Align::Left),
        (0.9, Align::Left),
        (1.2, Align::Right),
        (1.2, Align::Right),
        (1.3, Align::Right),
        (1.0, Align::Right),
        (0.9, Align::Left),
    ];
    if midterm {
        widths.push((1.2, Align::Right));
    }
    widths.push((1.1, Align::Left));
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let name = if row.is_binding {
                format!("{}〔{}〕", row.name, context.labels.binding_tag)
            } else {
                row.name.clone()
            };
            let mut cells = vec![
                text(name),
                text(&row.unit),
                text(with_year(&row.baseline, &row.baseline_year)),
                text(with_year(&row.target, &row.target_year)),
                text(with_year(&row.latest, &row.latest_year)),
                text(&row.progress),
                mark(&row.status),
            ];
            if midterm {
                cells.push(text(format!(
                    "{}{}",
                    row.projection, row.projection_verdict
                )));
            }
            cells.push(match &row.office_verdict {
                Some(verdict) => Cell {
                    text: format!("{} {}", verdict.status.label, verdict.reason),
                    ..mark(&verdict.status)
                },
                None => text("—"),
            });
            cells
        })
        .collect();
    blocks.push(Block::Table(Table {
        caption: caption.to_string(),
        columns: columns(&table.columns, &widths),
        rows,
    }));
    for row in &table.rows {
        let mut line = format!("{}：{}", row.name, row.explanation);
        for note in row.caveats.iter().chain(&row.data_problems) {
            line.push_str(&format!("；{note}"));
        }
        paragraph(blocks, &line, ParagraphStyle::Small);
    }
}

fn projection_table(caption: &str, titles: &[String], rows: &[IndicatorRow]) -> Table {
    Table {
        caption: caption.to_string(),
        columns: columns(
            titles,
            &[
                (2.4, Align::Left),
                (0.8, Align::Left),
                (1.3, Align::Right),
                (1.2, Align::Right),
                (1.2, Align::Right),
                (0.9, Align::Left),
                (2.0, Align::Left),
            ],
        ),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    text(&r.name),
                    text(&r.unit),
                    text(with_year(&r.latest, &r.latest_year)),
                    text(&r.target),
                    text(&r.projection),
                    text(&r.projection_verdict),
                    text(&r.need),
                ]
            })
            .collect(),
    }
}

fn lagging(blocks: &mut Vec<Block>, context: &ReportContext) {
    let lagging = &context.lagging;
    heading(blocks, 1, &lagging.heading);
    paragraphs(blocks, &lagging.paragraphs);
    if lagging.rows.is_empty() {
        paragraph(blocks, &lagging.empty_note, ParagraphStyle::Body);
        return;
    }
    if context.data_notice.is_some() {
        paragraph(blocks, &context.labels.demo, ParagraphStyle::Notice);
    }
    blocks.push(Block::Table(Table {
        caption: "滞后指标及仍需增速一览表".to_string(),
        columns: columns(
            &lagging.columns,
            &[
                (2.2, Align::Left),
                (0.9, Align::Left),
                (1.0, Align::Left),
                (0.8, Align::Left),
                (1.3, Align::Right),
                (0.9, Align::Right),
                (3.0, Align::Left),
            ],
        ),
        rows: lagging
            .rows
            .iter()
            .map(|r| {
                vec![
                    text(&r.name),
                    text(&r.chapter),
                    text(&r.department),
                    mark(&r.status),
                    text(with_year(&r.latest, &r.latest_year)),
                    text(&r.pace),
                    text(if r.need.is_empty() {
                        &r.explanation
                    } else {
                        &r.need
                    }),
                ]
            })
            .collect(),
    }));
}

fn method(blocks: &mut Vec<Block>, context: &ReportContext) {
    let method = &context.method;
    heading(blocks, 1, &method.heading);
    paragraphs(blocks, &method.paragraphs);
    blocks.push(Block::Table(Table {
        caption: context.labels.status_rules.clone(),
        columns: columns(
            &["状态".into(), "含义".into(), "判定规则".into()],
            &[(0.9, Align::Left), (1.6, Align::Left), (4.0, Align::Left)],
        ),
        rows: method
            .thresholds
            .iter()
            .map(|t| vec![mark(&t.status), text(&t.status.meaning), text(&t.rule)])
            .collect(),
    }));
}

fn data_notes(blocks: &mut Vec<Block>, context: &ReportContext) {
    let notes = &context.data_notes;
    heading(blocks, 1, &notes.heading);
    paragraphs(blocks, &notes.paragraphs);
    blocks.push(Block::Table(Table {
        caption: "数据来源一览表".to_string(),
        columns: columns(
            &notes.source_columns,
            &[
                (1.6, Align::Left),
                (0.8, Align::Right),
                (1.0, Align::Right),
                (3.4, Align::Left),
            ],
        ),
        rows: notes
            .sources
            .iter()
            .map(|s| {
                vec![
                    text(&s.department),
                    text(s.indicators.to_string()),
                    text(s.observations.to_string()),
                    text(&s.sources),
                ]
            })
            .collect(),
    }));
    if !notes.problems.is_empty() {
        paragraph(blocks, &notes.problems_intro, ParagraphStyle::Body);
        blocks.push(Block::Table(Table {
            caption: context.labels.problems.clone(),
            columns: columns(
                &["指标".into(), "年份".into(), "问题".into()],
                &[(2.0, Align::Left), (0.8, Align::Right), (4.0, Align::Left)],
            ),
            rows: notes
                .problems
                .iter()
                .map(|p| vec![text(&p.indicator), text(&p.year), text(&p.problem)])
                .collect(),
        }));
    }
    paragraph(blocks, &notes.data_hash_note, ParagraphStyle::Body);
    paragraph(blocks, &notes.data_hash, ParagraphStyle::Small);
}

fn edition_changes(blocks: &mut Vec<Block>, context: &ReportContext) {
    let edition = &context.edition;
    heading(blocks, 1, &edition.heading);
    paragraphs(blocks, &edition.paragraphs);
    if !edition.changes.is_empty() {
        blocks.push(Block::Table(Table {
            caption: "数据变化一览表".to_string(),
            columns: columns(
                &edition.change_columns,
                &[
                    (2.0, Align::Left),
                    (0.7, Align::Right),
                    (2.4, Align::Left),
                    (1.3, Align::Right),
                    (1.3, Align::Right),
                ],
            ),
            rows: edition
                .changes
                .iter()
                .map(|c| {
                    vec![
                        text(&c.indicator),
                        text(&c.year),
                        text(&c.change),
                        text(&c.old),
                        text(&c.new),
                    ]
                })
                .collect(),
        }));
    }
    if edition.lights_heading.is_empty() {
        return;
    }
    heading(blocks, 2, &edition.lights_heading);
    paragraph(blocks, &edition.lights_note, ParagraphStyle::Body);
    if !edition.light_changes.is_empty() {
        let light = |status: &Option<StatusView>| status.as_ref().map_or_else(|| text("—"), mark);
        blocks.push(Block::Table(Table {
            caption: edition.lights_heading.clone(),
            columns: columns(
                &edition.light_columns,
                &[(3.0, Align::Left), (1.2, Align::Left), (1.2, Align::Left)],
            ),
            rows: edition
                .light_changes
                .iter()
                .map(|c| vec![text(&c.indicator), light(&c.old), light(&c.new)])
                .collect(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_date_comes_from_the_report_date() {
        assert_eq!(numeric_date("2026年3月31日"), (2026, 3, 31));
        assert_eq!(numeric_date("（尚无数据）"), (2000, 1, 1));
    }
}
