//! PDF writer for monitoring reports: a flow of blocks laid out on A4 pages.
//!
//! The caller builds a [`Document`] (cover, table of contents, headings,
//! paragraphs, tables, charts) and calls [`render`] with a [`FontSet`]. Layout
//! is done here (Chinese line breaking, pagination, repeated table headers, a
//! two-pass table of contents); printpdf only serialises the drawing
//! operations, and the result is finished with lopdf (nested outline, `/Lang`,
//! deterministic file ID).
//!
//! Output is deterministic: the same `Document` and fonts give byte-identical
//! PDFs (dates come from [`Meta::date`], never from the clock).

mod draw;
mod finish;
mod fonts;
mod layout;
mod linebreak;
mod plot;
mod table;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use crate::report::chart::Rgb;
pub use fonts::FontSet;

use crate::report::chart::Chart;

/// Errors of font loading and PDF rendering.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The font file could not be read.
    #[error("cannot read font file {path}: {source}")]
    FontUnreadable {
        /// The font file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not a TrueType/OpenType font (or collection).
    #[error("{path} is not a TrueType/OpenType font")]
    NotAFont {
        /// The font file.
        path: PathBuf,
    },
    /// The file is a font collection without the requested face.
    #[error("{path} has no font face with index {index}")]
    NoSuchFace {
        /// The font file.
        path: PathBuf,
        /// The requested face index.
        index: u32,
    },
    /// The font lacks common Chinese characters or digits.
    #[error("font {path} has no glyphs for Chinese text (checked 国, 的 and digits)")]
    NoCjkGlyphs {
        /// The font file (or the name of the built-in font).
        path: PathBuf,
    },
    /// The document date is not a calendar date.
    #[error("invalid document date {0:04}-{1:02}-{2:02}")]
    InvalidDate(i32, u8, u8),
    /// Subsetting or serialising failed inside the PDF libraries.
    #[error("PDF generation failed: {0}")]
    Backend(String),
}

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

/// Renders `doc` to PDF bytes.
///
/// Characters without a glyph in `fonts` print as the font's missing-glyph box;
/// call [`FontSet::missing_glyphs`] first to warn or refuse.
pub fn render(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, PdfError> {
    let laid = layout::layout(doc, fonts);
    finish::write_pdf(doc, fonts, &laid)
}

/// 64-bit FNV-1a hash: a small, stable hash for deterministic identifiers
/// (the file ID and the font subset tag), which must not depend on the run.
pub(crate) fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
