//! Assembles the PDF: subset fonts, page content, metadata and outline.
//!
//! printpdf builds the document (fonts with `/ToUnicode`, pages, info
//! dictionary); lopdf then finishes it with what printpdf lacks: a nested
//! outline (printpdf's bookmarks are flat), the catalog `/Lang`, and a file ID
//! derived from the content (printpdf draws it from a process-global counter,
//! so two renders in one process would differ).

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Date, DateTime, FontId, Mm, Offset, PdfDocument, PdfFont, PdfPage, PdfParseErrorSeverity,
    PdfSaveOptions, Time,
};

use super::contents::HeadingMark;
use super::document::Document;
use super::draw::{self, FontIds, Item};
use super::error::PdfError;
use super::fonts::FontSet;
use super::hash::fnv1a;
use super::layout::Laid;
use super::theme::{Style, PAGE_H};

/// Placeholder file ID, replaced by a hash of the finished file.
const ID_PLACEHOLDER: [u8; 16] = [0; 16];

/// Writes the laid-out document as PDF bytes.
pub(crate) fn write_pdf(doc: &Document, fonts: &FontSet, laid: &Laid) -> Result<Vec<u8>, PdfError> {
    let meta = &doc.meta;
    let date = pdf_date(meta.date)?;

    let ids = FontIds {
        regular: FontId("FR".into()),
        bold: FontId("FB".into()),
        synthetic_bold: fonts.synthetic_bold(),
    };
    let mut pdf = PdfDocument::new(&meta.title);
    let info = &mut pdf.metadata.info;
    info.author = meta.author.clone();
    info.subject = meta.subject.clone();
    info.creator = "planeval".into();
    info.producer = "planeval (printpdf 0.12, lopdf 0.44)".into();
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;

    // One subset per face, holding exactly the characters printed with it.
    let mut used: BTreeMap<Style, BTreeSet<char>> = BTreeMap::new();
    for item in laid.pages.iter().flat_map(|p| &p.items) {
        if let Item::Text { style, text, .. } = item {
            let style = if ids.synthetic_bold {
                Style::Regular
            } else {
                *style
            };
            used.entry(style).or_default().extend(text.chars());
        }
    }
    for (style, chars) in &used {
        let id = match style {
            Style::Regular => ids.regular.clone(),
            Style::Bold => ids.bold.clone(),
        };
        let font = fonts.face(*style).subset(chars)?;
        pdf.resources.fonts.map.insert(id, PdfFont::new(font));
    }
    pdf.pages = laid
        .pages
        .iter()
        .map(|p| PdfPage::new(Mm(210.0), Mm(297.0), draw::page_ops(p, &ids)))
        .collect();

    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(PdfError::Backend(w.msg.clone()));
    }

    finish_catalog(&mut lo, &meta.language, &laid.headings)?;
    clean_info(&mut lo);
    lo.version = "1.7".into();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(ID_PLACEHOLDER.to_vec(), StringFormat::Hexadecimal),
            Object::String(ID_PLACEHOLDER.to_vec(), StringFormat::Hexadecimal),
        ]),
    );
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| PdfError::Backend(format!("writing PDF: {e}")))?;
    set_file_id(&mut out)?;
    Ok(out)
}

/// The document date as a PDF date (midnight UTC).
fn pdf_date((year, month, day): (i32, u8, u8)) -> Result<DateTime, PdfError> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if !(1..=9999).contains(&year) || day == 0 || day > days {
        return Err(PdfError::InvalidDate(year, month, day));
    }
    Ok(DateTime::new_in_offset(
        Date { year, month, day },
        Time {
            hour: 0,
            minute: 0,
            second: 0,
            millisecond: 0,
        },
        Offset {
            hours: 0,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    ))
}

/// A PDF text string: plain for ASCII, UTF-16BE with a byte order mark otherwise.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn backend(what: &str) -> impl Fn(lopdf::Error) -> PdfError + '_ {
    move |e| PdfError::Backend(format!("{what}: {e}"))
}

/// Adds `/Lang`, the outline and viewer preferences to the catalog.
fn finish_catalog(
    lo: &mut lopdf::Document,
    lang: &str,
    headings: &[HeadingMark],
) -> Result<(), PdfError> {
    let pages: Vec<ObjectId> = lo.get_pages().into_values().collect();
    let outline = build_outline(lo, headings, &pages);
    let catalog = lo.catalog_mut().map_err(backend("catalog"))?;
    catalog.set("Lang", text_string(lang));
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    match outline {
        Some(id) => {
            catalog.set("Outlines", Object::Reference(id));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        None => catalog.set("PageMode", Object::Name(b"UseNone".to_vec())),
    }
    Ok(())
}

/// Builds the outline: level-1 headings at the top, level-2 headings nested
/// under the chapter before them (at the top if there is none). All open.
fn build_outline(
    lo: &mut lopdf::Document,
    headings: &[HeadingMark],
    pages: &[ObjectId],
) -> Option<ObjectId> {
    let mut tree: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        match tree.last_mut() {
            Some((_, kids)) if h.level > 1 => kids.push(i),
            _ => tree.push((i, Vec::new())),
        }
    }
    if tree.is_empty() {
        return None;
    }
    let root = lo.new_object_id();
    let ids: Vec<ObjectId> = headings.iter().map(|_| lo.new_object_id()).collect();
    let entry = |i: usize, parent: ObjectId, prev: Option<usize>, next: Option<usize>| {
        let h = &headings[i];
        let mut d = Dictionary::new();
        d.set("Title", text_string(&h.text));
        d.set("Parent", Object::Reference(parent));
        if let Some(page) = pages.get(h.page) {
            let top = PAGE_H - h.y + 12.0;
            d.set(
                "Dest",
                Object::Array(vec![
                    Object::Reference(*page),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Null,
                    Object::Real(top),
                    Object::Null,
                ]),
            );
        }
        if let Some(p) = prev {
            d.set("Prev", Object::Reference(ids[p]));
        }
        if let Some(n) = next {
            d.set("Next", Object::Reference(ids[n]));
        }
        d
    };
    let mut visible = 0;
    for (k, (top, kids)) in tree.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| tree[p].0);
        let next = tree.get(k + 1).map(|t| t.0);
        let mut d = entry(*top, root, prev, next);
        if let (Some(first), Some(last)) = (kids.first(), kids.last()) {
            d.set("First", Object::Reference(ids[*first]));
            d.set("Last", Object::Reference(ids[*last]));
            d.set("Count", Object::Integer(kids.len() as i64));
        }
        lo.objects.insert(ids[*top], Object::Dictionary(d));
        for (j, kid) in kids.iter().enumerate() {
            let prev = j.checked_sub(1).map(|p| kids[p]);
            let next = kids.get(j + 1).copied();
            let d = entry(*kid, ids[*top], prev, next);
            lo.objects.insert(ids[*kid], Object::Dictionary(d));
        }
        visible += 1 + kids.len();
    }
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Outlines".to_vec()));
    d.set("First", Object::Reference(ids[tree[0].0]));
    d.set("Last", Object::Reference(ids[tree[tree.len() - 1].0]));
    d.set("Count", Object::Integer(visible as i64));
    lo.objects.insert(root, Object::Dictionary(d));
    Some(root)
}

/// Drops info entries printpdf always writes but that mean nothing here
/// (PDF/X version, empty identifier and keywords).
fn clean_info(lo: &mut lopdf::Document) {
    let Ok(id) = lo.trailer.get(b"Info").and_then(Object::as_reference) else {
        return;
    };
    if let Ok(info) = lo.get_dictionary_mut(id) {
        info.remove(b"GTS_PDFXVersion");
        info.remove(b"Identifier");
        info.remove(b"Keywords");
    }
}

/// Replaces the placeholder file ID in the trailer with a hash of the file.
/// Same length, so the cross-reference offsets stay valid.
fn set_file_id(out: &mut [u8]) -> Result<(), PdfError> {
    let placeholder = format!("<{}>", "00".repeat(ID_PLACEHOLDER.len()));
    let at = out
        .windows(placeholder.len())
        .rposition(|w| w == placeholder.as_bytes())
        .ok_or_else(|| PdfError::Backend("file ID placeholder not found".into()))?;
    let hash = [fnv1a(1, out), fnv1a(2, out)];
    let hex: String = hash.iter().map(|h| format!("{h:016X}")).collect();
    let id = format!("<{hex}>");
    // The trailer holds the ID twice (`[<id> <id>]`): replace both copies.
    let first = out[..at]
        .windows(placeholder.len())
        .rposition(|w| w == placeholder.as_bytes())
        .ok_or_else(|| PdfError::Backend("file ID placeholder not found".into()))?;
    out[first..first + id.len()].copy_from_slice(id.as_bytes());
    out[at..at + id.len()].copy_from_slice(id.as_bytes());
    Ok(())
}
