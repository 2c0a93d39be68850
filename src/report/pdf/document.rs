//! The document a caller hands to the PDF writer: metadata and a flow of
//! blocks (cover, contents, headings, paragraphs, tables, charts).
//!
//! Plain data with no knowledge of pages or fonts, so that every part of the
//! writer can read it without depending on another.

use crate::report::chart::{Chart, Rgb};

/// Document metadata, written to the PDF info dictionary and catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Document title (PDF `/Title`, shown by viewers instead of the file name).
    pub title: String,
    /// PDF `/Subject`.
    pub subject: String,
    /// PDF `/Author` (the issuing body).
    pub author: String,
    /// Document language for the catalog `/Lang`, e.g. `"zh-CN"`.
    pub language: String,
    /// Small grey text at the top of every page except the cover.
    pub running_header: String,
    /// Document date (year, month, day) used as creation and modification
    /// date. Never taken from the clock, so output is reproducible.
    pub date: (i32, u8, u8),
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush left (text).
    Left,
    /// Flush right (numbers).
    Right,
    /// Centred (short codes, status).
    Center,
}

/// A table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text (wraps if needed).
    pub title: String,
    /// Relative width; widths are the weights scaled to the text width.
    pub width: f32,
    /// Alignment of the body cells (the header is always centred).
    pub align: Align,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Cell text (wraps within the column).
    pub text: String,
    /// Draws a small filled circle of this colour before the text (status
    /// lights); the text should name the status so print in grey stays readable.
    pub mark: Option<Rgb>,
}

/// A table; long tables continue on the next pages with a repeated header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Caption above the table; continuation pages show `续表：<caption>`.
    pub caption: String,
    /// Columns, left to right.
    pub columns: Vec<Column>,
    /// Body rows; each row should have one cell per column (missing cells are
    /// left empty, extra cells are ignored).
    pub rows: Vec<Vec<Cell>>,
}

/// Appearance of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParagraphStyle {
    /// Body text: indented first line, justified.
    Body,
    /// Boxed and shaded, for notices such as "demo data".
    Notice,
    /// Small grey text (sources, notes).
    Small,
}

/// One element of the document flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Cover page (a page of its own, without running header or footer).
    Cover {
        /// Main title.
        title: String,
        /// Subtitle under the title.
        subtitle: String,
        /// Lines near the foot of the cover (issuer, date).
        lines: Vec<String>,
        /// Optional boxed notice at the bottom of the cover.
        notice: Option<String>,
    },
    /// Table of contents (own pages): every heading of level 1 and 2 with its
    /// page number.
    TableOfContents,
    /// Heading: level 1 (chapter, starts a new page), 2 (section) or 3 (minor).
    /// Levels 1 and 2 become bookmarks, level 2 nested under level 1.
    Heading {
        /// 1, 2 or 3 (values above 3 are treated as 3, 0 as 1).
        level: u8,
        /// Heading text.
        text: String,
    },
    /// A paragraph of text; `\n` starts a new line (and a new indent).
    Paragraph {
        /// The text.
        text: String,
        /// Its appearance.
        style: ParagraphStyle,
    },
    /// A table.
    Table(Table),
    /// A vector chart (moves to the next page if it does not fit).
    Chart(Chart),
    /// Forced page break.
    PageBreak,
}

/// A document to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Metadata.
    pub meta: Meta,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// Calls `f` with every piece of text the document prints (not counting
    /// the fixed strings the renderer adds itself).
    pub(crate) fn for_each_text(&self, mut f: impl FnMut(&str)) {
        f(&self.meta.running_header);
        for block in &self.blocks {
            match block {
                Block::Cover {
                    title,
                    subtitle,
                    lines,
                    notice,
                } => {
                    f(title);
                    f(subtitle);
                    lines.iter().for_each(|l| f(l));
                    if let Some(n) = notice {
                        f(n);
                    }
                }
                Block::Heading { text, .. } | Block::Paragraph { text, .. } => f(text),
                Block::Table(t) => {
                    f(&t.caption);
                    t.columns.iter().for_each(|c| f(&c.title));
                    t.rows.iter().flatten().for_each(|c| f(&c.text));
                }
                Block::Chart(Chart::Progress(p)) => {
                    f(&p.title);
                    for b in &p.bars {
                        f(&b.label);
                        f(&b.status_text);
                    }
                }
                Block::Chart(Chart::Trend(t)) => {
                    f(&t.title);
                    f(&t.unit);
                }
                Block::TableOfContents | Block::PageBreak => {}
            }
        }
    }
}
