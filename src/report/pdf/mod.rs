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

mod contents;
mod cover;
mod document;
mod draw;
mod error;
mod finish;
mod flow;
mod fonts;
mod furniture;
mod hash;
mod layout;
mod linebreak;
mod plot;
mod table;
#[cfg(test)]
mod tests;
mod theme;

pub use crate::report::chart::Rgb;
pub use document::{Align, Block, Cell, Column, Document, Meta, ParagraphStyle, Table};
pub use error::PdfError;
pub use fonts::FontSet;

/// Renders `doc` to PDF bytes.
///
/// Characters without a glyph in `fonts` print as the font's missing-glyph box;
/// call [`FontSet::missing_glyphs`] first to warn or refuse.
pub fn render(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, PdfError> {
    let laid = layout::layout(doc, fonts);
    finish::write_pdf(doc, fonts, &laid)
}
