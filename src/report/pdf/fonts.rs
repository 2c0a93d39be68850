//! Fonts: loading, glyph metrics for layout, and subsetting for embedding.
//!
//! printpdf is used with `default-features = false`, and in that configuration
//! it embeds external fonts whole (its subsetter lives behind the `text_layout`
//! feature, which pulls in a full HTML layout engine). An 8 MB CJK font per
//! report is not acceptable, so the renderer subsets the fonts itself with
//! allsorts (already a dependency of printpdf) and hands printpdf the small
//! subset font: printpdf then writes it, with `/W` widths and a `/ToUnicode`
//! map, as an Identity-H CID font.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use allsorts::tables::{FontTableProvider, NameTable};
use allsorts::tag;
use printpdf::ParsedFont;

use super::document::Document;
use super::error::PdfError;
use super::hash::fnv1a;
use super::theme::{Style, FIXED_TEXT};

/// The bundled regular face (Noto Sans Hans, SIL OFL 1.1, see assets/fonts/).
const REGULAR_OTF: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSansHans-Regular.otf"
));
/// The bundled bold face.
const BOLD_OTF: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSansHans-Bold.otf"
));

/// Characters a font must have to be accepted for Chinese reports.
const REQUIRED_CHARS: &str = "国的0123456789";

/// The fonts a report is set in: a regular and a bold face.
///
/// Parsing a CJK font takes a few milliseconds, so build a `FontSet` once and
/// reuse it: it is cheap to clone (shared) and [`FontSet::embedded_default`]
/// caches the bundled fonts for the whole process.
#[derive(Debug, Clone)]
pub struct FontSet {
    inner: Arc<Faces>,
}

#[derive(Debug)]
struct Faces {
    regular: Face,
    /// `None`: bold is synthesised from the regular face (outline stroke).
    bold: Option<Face>,
}

/// One parsed font face with the metrics layout needs.
#[derive(Debug)]
pub(crate) struct Face {
    /// The whole font: cmap, advances and the source bytes for subsetting.
    font: ParsedFont,
    /// PostScript name, used for `/BaseFont` in the PDF.
    ps_name: String,
    /// 1 / units per em.
    scale: f32,
    /// Advance of the missing-glyph box, in em.
    notdef_em: f32,
}

impl Face {
    /// Parses face `index` of `bytes`; `path` only names the font in errors.
    fn parse(bytes: &[u8], index: u32, path: &Path) -> Result<Face, PdfError> {
        let data =
            ReadScope::new(bytes)
                .read::<FontData<'_>>()
                .map_err(|_| PdfError::NotAFont {
                    path: path.to_path_buf(),
                })?;
        // allsorts ignores the index of a single-face font; check it here.
        let faces = match bytes.get(..12) {
            Some([b't', b't', b'c', b'f', _, _, _, _, n @ ..]) => {
                u32::from_be_bytes([n[0], n[1], n[2], n[3]])
            }
            _ => 1,
        };
        let no_face = || PdfError::NoSuchFace {
            path: path.to_path_buf(),
            index,
        };
        if index >= faces {
            return Err(no_face());
        }
        let provider = data.table_provider(index as usize).map_err(|_| no_face())?;
        let ps_name = postscript_name(&provider).unwrap_or_else(|| "Font".to_string());
        let font =
            ParsedFont::from_bytes(bytes, index as usize, &mut Vec::new()).ok_or_else(|| {
                PdfError::NotAFont {
                    path: path.to_path_buf(),
                }
            })?;
        let scale = 1.0 / f32::from(font.units_per_em.max(1));
        let notdef_em = f32::from(font.get_glyph_width(0).unwrap_or(0)) * scale;
        let face = Face {
            font,
            ps_name,
            scale,
            notdef_em,
        };
        if !REQUIRED_CHARS.chars().all(|c| face.has_glyph(c)) {
            return Err(PdfError::NoCjkGlyphs {
                path: path.to_path_buf(),
            });
        }
        Ok(face)
    }

    fn glyph(&self, c: char) -> Option<u16> {
        self.font
            .lookup_glyph_index(u32::from(c))
            .filter(|&gid| gid != 0)
    }

    fn has_glyph(&self, c: char) -> bool {
        self.glyph(c).is_some()
    }

    /// Advance width of `c` in em (the missing-glyph box for unknown characters).
    fn advance_em(&self, c: char) -> f32 {
        self.glyph(c)
            .and_then(|gid| self.font.get_glyph_width(gid))
            .map_or(self.notdef_em, |w| f32::from(w) * self.scale)
    }

    /// A subset of this face with the glyphs of `chars`, ready for printpdf.
    ///
    /// The subset keeps a Unicode cmap, so printpdf maps text to the subset's
    /// glyph ids by itself and writes `/ToUnicode` for text extraction. Its
    /// `/BaseFont` carries the `ABCDEF+` subset tag of ISO 32000-1 9.6.4, derived
    /// from the glyph set so that it is stable from run to run.
    pub(crate) fn subset(&self, chars: &BTreeSet<char>) -> Result<ParsedFont, PdfError> {
        let used: BTreeSet<u16> = chars.iter().filter_map(|&c| self.glyph(c)).collect();
        // allsorts requires .notdef first and no duplicates.
        let ids: Vec<u16> = std::iter::once(0).chain(used).collect();
        let data = ReadScope::new(&self.font.original_bytes)
            .read::<FontData<'_>>()
            .map_err(|e| PdfError::Backend(format!("re-reading font: {e}")))?;
        let provider = data
            .table_provider(self.font.font_index as usize)
            .map_err(|e| PdfError::Backend(format!("re-reading font: {e}")))?;
        let bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| PdfError::Backend(format!("subsetting {}: {e}", self.ps_name)))?;
        let mut font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new()).ok_or_else(|| {
            PdfError::Backend(format!("subset of {} is unreadable", self.ps_name))
        })?;
        let id_bytes: Vec<u8> = ids.iter().flat_map(|g| g.to_be_bytes()).collect();
        let hash = fnv1a(fnv1a(0, self.ps_name.as_bytes()), &id_bytes);
        let tag: String = (0..6)
            .map(|i| char::from(b'A' + ((hash >> (i * 5)) % 26) as u8))
            .collect();
        font.font_name = Some(format!("{tag}+{}", self.ps_name));
        Ok(font)
    }
}

/// The PostScript name of a face, reduced to characters safe in a PDF name.
fn postscript_name(provider: &impl FontTableProvider) -> Option<String> {
    let data = provider.read_table_data(tag::NAME).ok()?;
    let name = ReadScope::new(&data).read::<NameTable<'_>>().ok()?;
    let ps: String = name
        .string_for_id(NameTable::POSTSCRIPT_NAME)?
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!ps.is_empty()).then_some(ps)
}

impl FontSet {
    /// The bundled Noto Sans Hans Regular and Bold.
    ///
    /// Parsed on the first call (both faces in parallel) and cached for the
    /// process: later calls only clone a shared pointer.
    pub fn embedded_default() -> Result<FontSet, PdfError> {
        static CACHE: OnceLock<FontSet> = OnceLock::new();
        if let Some(set) = CACHE.get() {
            return Ok(set.clone());
        }
        let name = |n: &str| PathBuf::from(format!("<bundled {n}>"));
        let (regular, bold) = std::thread::scope(|s| {
            let bold = s.spawn(|| Face::parse(BOLD_OTF, 0, &name("NotoSansHans-Bold.otf")));
            let regular = Face::parse(REGULAR_OTF, 0, &name("NotoSansHans-Regular.otf"));
            (regular, bold.join())
        });
        let bold = bold.map_err(|_| PdfError::Backend("font parsing thread panicked".into()))?;
        let set = FontSet {
            inner: Arc::new(Faces {
                regular: regular?,
                bold: Some(bold?),
            }),
        };
        Ok(CACHE.get_or_init(|| set).clone())
    }

    /// A user font (TTF, OTF, or face `face_index` of a TTC/OTC collection),
    /// used for both regular and bold text; bold is synthesised by stroking
    /// the glyph outlines.
    pub fn from_path(path: impl AsRef<Path>, face_index: u32) -> Result<FontSet, PdfError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| PdfError::FontUnreadable {
            path: path.to_path_buf(),
            source,
        })?;
        let regular = Face::parse(&bytes, face_index, path)?;
        Ok(FontSet {
            inner: Arc::new(Faces {
                regular,
                bold: None,
            }),
        })
    }

    /// Characters of `doc` (including the fixed texts the renderer adds) that
    /// have no glyph in these fonts, sorted and without duplicates.
    /// Whitespace and control characters are ignored.
    pub fn missing_glyphs(&self, doc: &Document) -> Vec<char> {
        let mut missing = BTreeSet::new();
        let mut check = |text: &str| {
            for c in text
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
            {
                let in_bold = self.inner.bold.as_ref().is_none_or(|b| b.has_glyph(c));
                if !self.inner.regular.has_glyph(c) || !in_bold {
                    missing.insert(c);
                }
            }
        };
        doc.for_each_text(&mut check);
        check(FIXED_TEXT);
        missing.into_iter().collect()
    }

    /// The face used for `style`.
    pub(crate) fn face(&self, style: Style) -> &Face {
        match (style, &self.inner.bold) {
            (Style::Bold, Some(bold)) => bold,
            _ => &self.inner.regular,
        }
    }

    /// Whether bold text must be synthesised from the regular face.
    pub(crate) fn synthetic_bold(&self) -> bool {
        self.inner.bold.is_none()
    }

    /// Advance of `c` at `size` points, in points.
    pub(crate) fn advance(&self, c: char, size: f32, style: Style) -> f32 {
        self.face(style).advance_em(c) * size
    }

    /// Width of `text` at `size` points, in points.
    pub(crate) fn width(&self, text: &str, size: f32, style: Style) -> f32 {
        let face = self.face(style);
        text.chars().map(|c| face.advance_em(c)).sum::<f32>() * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_have_real_metrics() {
        let fonts = FontSet::embedded_default().unwrap();
        // CJK ideographs are one em wide in Noto Sans CJK; Latin is proportional.
        assert_eq!(fonts.width("国国", 10.0, Style::Regular), 20.0);
        let w_i = fonts.advance('i', 10.0, Style::Regular);
        let w_m = fonts.advance('M', 10.0, Style::Regular);
        assert!(w_i > 1.0 && w_i < w_m && w_m < 10.0, "i {w_i} M {w_m}");
        assert!(!fonts.synthetic_bold());
        // The cache hands out the same faces.
        let again = FontSet::embedded_default().unwrap();
        assert!(Arc::ptr_eq(&fonts.inner, &again.inner));
    }

    #[test]
    fn font_errors_name_the_path() {
        let missing = FontSet::from_path("/nonexistent/font.ttf", 0).unwrap_err();
        assert!(matches!(missing, PdfError::FontUnreadable { .. }));
        assert!(missing.to_string().contains("/nonexistent/font.ttf"));

        let dir = std::env::temp_dir().join(format!("pdfwork-font-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.ttf");
        std::fs::write(&junk, b"this is not a font at all").unwrap();
        let err = FontSet::from_path(&junk, 0).unwrap_err();
        assert!(matches!(err, PdfError::NotAFont { .. }), "{err}");
        assert!(err.to_string().contains("junk.ttf"));

        // A real font without hanzi: the Latin subset of the bundled font.
        let regular = FontSet::embedded_default().unwrap();
        let latin: BTreeSet<char> = "Latin only 123".chars().collect();
        let sub = regular.face(Style::Regular).subset(&latin).unwrap();
        let latin_path = dir.join("latin.otf");
        std::fs::write(&latin_path, &sub.original_bytes).unwrap();
        let err = FontSet::from_path(&latin_path, 0).unwrap_err();
        assert!(matches!(err, PdfError::NoCjkGlyphs { .. }), "{err}");
        assert!(err.to_string().contains("latin.otf"));

        // A face index beyond a single-face font.
        let err = FontSet::from_path(&latin_path, 3).unwrap_err();
        assert!(
            matches!(err, PdfError::NoSuchFace { index: 3, .. }),
            "{err}"
        );

        // A usable user font: a subset with the required characters.
        let cjk: BTreeSet<char> = "国的0123456789测试".chars().collect();
        let sub = regular.face(Style::Regular).subset(&cjk).unwrap();
        let cjk_path = dir.join("cjk.otf");
        std::fs::write(&cjk_path, &sub.original_bytes).unwrap();
        let user = FontSet::from_path(&cjk_path, 0).unwrap();
        assert!(user.synthetic_bold());
        assert_eq!(user.width("测试", 10.0, Style::Bold), 20.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn subset_tag_is_stable_and_depends_on_glyphs() {
        let fonts = FontSet::embedded_default().unwrap();
        let face = fonts.face(Style::Regular);
        let a: BTreeSet<char> = "规划纲要".chars().collect();
        let b: BTreeSet<char> = "规划".chars().collect();
        let name = |s: &BTreeSet<char>| face.subset(s).unwrap().font_name.unwrap();
        assert_eq!(name(&a), name(&a));
        assert_ne!(name(&a), name(&b));
        let n = name(&a);
        assert_eq!(n.find('+'), Some(6));
        assert!(n[..6].chars().all(|c| c.is_ascii_uppercase()));
        assert!(n.ends_with("+NotoSansHans-Regular"), "{n}");
    }
}
