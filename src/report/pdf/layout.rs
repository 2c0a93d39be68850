//! Pagination: turns the block flow into pages of drawing items.
//!
//! Two passes make the table of contents right: its page count is computed
//! first from the heading texts alone (page numbers sit in a fixed-width slot,
//! so they cannot change the wrapping), the flow is laid out with that many
//! pages reserved, and the reserved pages are filled in once every heading's
//! page is known. Running headers and footers come last, when the total page
//! count is known. Page numbers are physical (the cover is page 1), so they
//! agree with the viewer's page count.

use super::contents::{toc_pages, HeadingMark};
use super::document::{Block, Document};
use super::draw::Page;
use super::flow::Flow;
use super::fonts::FontSet;
use super::furniture::add_chrome;

/// The result of layout.
pub(crate) struct Laid {
    /// All pages, cover first.
    pub pages: Vec<Page>,
    /// Headings of level 1 and 2, for the outline.
    pub headings: Vec<HeadingMark>,
}

/// Lays out `doc`.
pub(crate) fn layout(doc: &Document, fonts: &FontSet) -> Laid {
    // Pass 1: how many pages the table of contents needs.
    let placeholders: Vec<HeadingMark> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } if heading_level(*level) <= 2 => Some(HeadingMark {
                level: heading_level(*level),
                text: text.clone(),
                page: 0,
                y: 0.0,
            }),
            _ => None,
        })
        .collect();
    let toc_len = toc_pages(fonts, &placeholders).len();

    // Pass 2: the flow, with the contents pages reserved.
    let mut flow = Flow::new(fonts);
    let mut toc_at = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Cover {
                title,
                subtitle,
                lines,
                notice,
            } => flow.cover(title, subtitle, lines, notice.as_deref()),
            Block::TableOfContents => {
                toc_at.push(flow.own_page(true));
                for _ in 1..toc_len {
                    flow.pages.push(Page::body());
                }
                flow.closed = true;
            }
            Block::Heading { level, text } => flow.heading(heading_level(*level), text),
            Block::Paragraph { text, style } => flow.paragraph(text, *style),
            Block::Table(t) => flow.table(t),
            Block::Chart(c) => flow.chart(c),
            Block::PageBreak => {
                if !flow.fresh {
                    flow.closed = true;
                }
            }
        }
    }
    let Flow {
        mut pages,
        headings,
        ..
    } = flow;
    if pages.is_empty() {
        // An empty document still makes a valid PDF: one blank page.
        pages.push(Page::body());
    }

    // Pass 3: the contents pages, now that every heading has its page.
    if !toc_at.is_empty() {
        let toc = toc_pages(fonts, &headings);
        for first in toc_at {
            for (i, page) in toc.iter().enumerate() {
                if let Some(slot) = pages.get_mut(first + i) {
                    slot.items.clone_from(&page.items);
                }
            }
        }
    }

    add_chrome(&mut pages, &headings, &doc.meta.running_header, fonts);
    Laid { pages, headings }
}

/// Heading levels outside 1..=3 are clamped.
fn heading_level(level: u8) -> u8 {
    level.clamp(1, 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Rgb;
    use crate::report::pdf::document::{Align, Cell, Column, Meta, ParagraphStyle, Table};
    use crate::report::pdf::draw::Item;
    use crate::report::pdf::theme::{BODY_SIZE, BOTTOM, WIDTH};

    pub(crate) fn meta() -> Meta {
        Meta {
            title: "测试报告".into(),
            subject: "测试".into(),
            author: "测试单位".into(),
            language: "zh-CN".into(),
            running_header: "某区“十四五”规划实施情况监测报告".into(),
            date: (2025, 3, 31),
        }
    }

    fn long_table(rows: usize) -> Table {
        Table {
            caption: "主要指标完成情况".into(),
            columns: vec![
                Column {
                    title: "序号".into(),
                    width: 0.6,
                    align: Align::Center,
                },
                Column {
                    title: "指标".into(),
                    width: 3.0,
                    align: Align::Left,
                },
                Column {
                    title: "2025年目标".into(),
                    width: 1.2,
                    align: Align::Right,
                },
                Column {
                    title: "状态".into(),
                    width: 1.0,
                    align: Align::Left,
                },
            ],
            rows: (1..=rows)
                .map(|i| {
                    vec![
                        Cell {
                            text: i.to_string(),
                            mark: None,
                        },
                        Cell {
                            text: format!("第{i}项指标名称"),
                            mark: None,
                        },
                        Cell {
                            text: format!("{}.5", i * 10),
                            mark: None,
                        },
                        Cell {
                            text: "绿 正常".into(),
                            mark: Some(Rgb(0x2e, 0x7d, 0x32)),
                        },
                    ]
                })
                .collect(),
        }
    }

    #[test]
    fn long_table_repeats_header_and_caption() {
        let fonts = FontSet::embedded_default().unwrap();
        let doc = Document {
            meta: meta(),
            blocks: vec![Block::Table(long_table(120))],
        };
        let laid = layout(&doc, &fonts);
        assert!(laid.pages.len() >= 3, "{} pages", laid.pages.len());
        for (i, page) in laid.pages.iter().enumerate() {
            let texts = page.texts();
            let caption = if i == 0 {
                "主要指标完成情况"
            } else {
                "续表：主要指标完成情况"
            };
            assert!(texts.contains(&caption), "page {i}: {texts:?}");
            assert_eq!(
                texts.iter().filter(|t| **t == "2025年目标").count(),
                1,
                "header once on page {i}"
            );
            // Nothing is drawn below the text area (only the footer).
            for item in &page.items {
                if let Item::Text { y, text, .. } = item {
                    assert!(*y <= BOTTOM || text.starts_with('第'), "{text} at {y}");
                }
            }
        }
        // Every row is drawn exactly once, in order.
        let names: Vec<String> = laid
            .pages
            .iter()
            .flat_map(|p| p.texts())
            .filter(|t| t.ends_with("项指标名称"))
            .map(str::to_string)
            .collect();
        let expected: Vec<String> = (1..=120).map(|i| format!("第{i}项指标名称")).collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn tall_row_is_split_rather_than_lost() {
        let fonts = FontSet::embedded_default().unwrap();
        let mut t = long_table(2);
        t.rows[1][1].text = "很长的说明文字。".repeat(400);
        let doc = Document {
            meta: meta(),
            blocks: vec![Block::Table(t)],
        };
        let laid = layout(&doc, &fonts);
        assert!(laid.pages.len() >= 3);
        let chars: usize = laid
            .pages
            .iter()
            .flat_map(|p| p.texts())
            .filter(|t| t.chars().all(|c| "很长的说明文字。".contains(c)))
            .map(|t| t.chars().count())
            .sum();
        assert_eq!(chars, "很长的说明文字。".chars().count() * 400);
    }

    #[test]
    fn paragraphs_leave_no_single_line_at_a_page_break() {
        let fonts = FontSet::embedded_default().unwrap();
        let per_line = (WIDTH / BODY_SIZE).floor() as usize;
        let lengths = [1, 2, 3, 4, 5, 7, 2, 3];
        // Paragraph k is one character repeated, so its lines are recognisable.
        let para_char = |k: usize| char::from_u32(0x4E00 + k as u32).unwrap();
        let blocks: Vec<Block> = (0..60)
            .map(|k| Block::Paragraph {
                text: para_char(k)
                    .to_string()
                    .repeat(per_line * lengths[k % lengths.len()] - 3),
                style: ParagraphStyle::Body,
            })
            .collect();
        let laid = layout(
            &Document {
                meta: meta(),
                blocks,
            },
            &fonts,
        );
        assert!(laid.pages.len() >= 4);
        let mut splits = 0;
        for k in 0..60 {
            let c = para_char(k);
            let parts: Vec<usize> = laid
                .pages
                .iter()
                .map(|p| p.texts().iter().filter(|t| t.starts_with(c)).count())
                .filter(|&n| n > 0)
                .collect();
            assert_eq!(parts.iter().sum::<usize>(), lengths[k % lengths.len()]);
            if parts.len() > 1 {
                assert!(parts.iter().all(|&n| n >= 2), "paragraph {k}: {parts:?}");
                splits += 1;
            }
        }
        assert!(
            splits > 0,
            "no paragraph was split: the test proves nothing"
        );
    }

    #[test]
    fn toc_lists_headings_with_their_pages() {
        let fonts = FontSet::embedded_default().unwrap();
        let mut blocks = vec![
            Block::Cover {
                title: "标题".into(),
                subtitle: "副标题".into(),
                lines: vec!["某区发展和改革委员会".into()],
                notice: None,
            },
            Block::TableOfContents,
        ];
        for ch in 1..=30 {
            blocks.push(Block::Heading {
                level: 1,
                text: format!("第{ch}章"),
            });
            blocks.push(Block::Heading {
                level: 2,
                text: format!("第{ch}章第一节"),
            });
            blocks.push(Block::Paragraph {
                text: "正文。".repeat(50),
                style: ParagraphStyle::Body,
            });
        }
        let doc = Document {
            meta: meta(),
            blocks,
        };
        let laid = layout(&doc, &fonts);
        // 60 entries need more than one contents page; chapter 1 follows them.
        assert!(!laid.pages[0].chrome);
        let toc_end = laid.headings[0].page;
        assert!(toc_end >= 3, "contents end at {toc_end}");
        assert!(laid.pages[1].texts().contains(&"目录"));
        let toc: Vec<&str> = laid.pages[1..toc_end]
            .iter()
            .flat_map(|p| p.texts())
            .collect();
        for h in &laid.headings {
            let i = toc.iter().position(|t| *t == h.text).unwrap();
            assert_eq!(toc[i + 1], (h.page + 1).to_string(), "{}", h.text);
        }
        // Footers count physical pages; the cover has none.
        let total = laid.pages.len();
        assert!(!laid.pages[0].texts().iter().any(|t| t.starts_with("第 ")));
        for (i, p) in laid.pages.iter().enumerate().skip(1) {
            let footer = format!("第 {} 页 共 {} 页", i + 1, total);
            assert!(p.texts().contains(&footer.as_str()), "page {i}");
        }
    }
}
