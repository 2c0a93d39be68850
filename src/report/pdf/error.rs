//! The errors of font loading and PDF rendering.

use std::path::PathBuf;

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
