//! The PDF reports through the real binary, read back with lopdf: chapter
//! titles in plan order, embedded subset fonts, the outline, footers against
//! the real page count, tables continued with their header, determinism and
//! font errors.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// The plan's 13 chapter titles, in plan order, from the catalog.
fn chapter_titles() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("seeds/tiexi-14th/structure.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.splitn(3, ',');
            let (_, section, title) = (fields.next()?, fields.next()?, fields.next()?);
            section
                .is_empty()
                .then(|| title.trim_matches('"').to_string())
        })
        .collect()
}

fn demo_pdfs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, _db) = demo_dir();
    let annual = dir.path().join("annual-2025.pdf");
    let midterm = dir.path().join("midterm-2023.pdf");
    (dir, annual, midterm)
}

fn page_texts(pdf: &Path) -> (lopdf::Document, Vec<String>) {
    let doc = lopdf::Document::load(pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let texts = pages
        .iter()
        .map(|n| doc.extract_text(&[*n]).unwrap())
        .collect();
    (doc, texts)
}

#[test]
fn chapter_titles_extract_in_plan_order() {
    let (_dir, annual, midterm) = demo_pdfs();
    let titles = chapter_titles();
    assert_eq!(titles.len(), 13);
    for pdf in [annual, midterm] {
        let (_doc, texts) = page_texts(&pdf);
        // Skip the cover and the contents: find each title in the body, in order.
        let body: String = texts.iter().skip(3).map(|t| t.replace('\n', "")).collect();
        let mut from = 0;
        for title in &titles {
            let at = body[from..].find(title.as_str()).unwrap_or_else(|| {
                panic!("{title} not found after byte {from} in {}", pdf.display())
            });
            from += at + title.len();
        }
    }
}

/// The page ranges of the 13 chapters, from the outline.
fn chapter_pages(doc: &lopdf::Document, pages: usize) -> Vec<std::ops::Range<usize>> {
    let toc = doc.get_toc().unwrap();
    let starts: Vec<usize> = toc
        .toc
        .iter()
        .filter(|t| t.level == 1)
        .map(|t| (t.page, t.title.starts_with('第') && t.title.contains('章')))
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0].1)
        .map(|w| w[0].0..w[1].0)
        .map(|range| range.start)
        .collect();
    let ends: Vec<usize> = toc
        .toc
        .iter()
        .filter(|t| t.level == 1)
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0].title.starts_with('第') && w[0].title.contains('章'))
        .map(|w| w[1].page)
        .collect();
    assert_eq!(starts.len(), 13);
    starts
        .into_iter()
        .zip(ends)
        .map(|(s, e)| s..e.max(s + 1).min(pages + 1))
        .collect()
}

#[test]
fn every_indicator_appears_in_its_chapter() {
    let (_dir, annual, _) = demo_pdfs();
    let (doc, texts) = page_texts(&annual);
    let chapters = chapter_pages(&doc, texts.len());
    let mut reader =
        csv::Reader::from_path(root().join("seeds/tiexi-14th/indicators.csv")).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let (name, chapter): (&str, usize) = (&record[1], record[3].parse().unwrap());
        let text: String = chapters[chapter - 1]
            .clone()
            .map(|page| texts[page - 1].replace('\n', ""))
            .collect();
        assert!(text.contains(name), "{name} not in chapter {chapter}");
    }
}

#[test]
fn fonts_are_embedded_and_subset() {
    let (_dir, annual, _) = demo_pdfs();
    let doc = lopdf::Document::load(&annual).unwrap();
    let mut fonts = 0;
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"FontDescriptor".as_slice()) {
            continue;
        }
        fonts += 1;
        let name = dict.get(b"FontName").unwrap().as_name().unwrap();
        assert_eq!(
            name[6],
            b'+',
            "subset prefix: {}",
            String::from_utf8_lossy(name)
        );
        assert!(
            dict.get(b"FontFile3").is_ok() || dict.get(b"FontFile2").is_ok(),
            "font program embedded"
        );
    }
    assert_eq!(fonts, 2, "regular and bold");
    let size = std::fs::metadata(&annual).unwrap().len();
    assert!(
        size < 500_000,
        "{size} bytes: the fonts are subset, not whole"
    );
}

#[test]
fn the_outline_has_the_thirteen_chapters() {
    let (_dir, annual, midterm) = demo_pdfs();
    for pdf in [annual, midterm] {
        let doc = lopdf::Document::load(&pdf).unwrap();
        let toc = doc.get_toc().unwrap();
        let chapters: Vec<String> = toc
            .toc
            .iter()
            .filter(|t| t.level == 1 && t.title.starts_with('第') && t.title.contains('章'))
            .map(|t| t.title.clone())
            .collect();
        assert_eq!(chapters.len(), 13, "{chapters:?}");
        for (entry, title) in chapters.iter().zip(chapter_titles()) {
            assert!(entry.ends_with(&title), "{entry} vs {title}");
        }
        let sections = toc
            .toc
            .iter()
            .filter(|t| t.level == 2 && t.title.contains('节'))
            .count();
        assert_eq!(sections, 52, "sections nest under their chapters");
    }
}

#[test]
fn footers_match_the_real_page_count() {
    let (_dir, _, midterm) = demo_pdfs();
    let (_doc, texts) = page_texts(&midterm);
    let total = texts.len();
    assert_eq!(total, 58, "pages of the demo's mid-term PDF");
    for (index, text) in texts.iter().enumerate().skip(1) {
        let footer = format!("第 {} 页 共 {total} 页", index + 1);
        assert!(text.contains(&footer), "page {}: no `{footer}`", index + 1);
    }
    assert!(!texts[0].contains("页 共"), "the cover has no footer");
}

#[test]
fn a_table_longer_than_a_page_repeats_its_header() {
    let (_dir, _, midterm) = demo_pdfs();
    let (_doc, texts) = page_texts(&midterm);
    // The two lines after a caption (its last occurrence: a heading may say the
    // same words above it) are the first header cells of its table.
    let header_after = |text: &str, caption: &str| -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .rposition(|l| *l == caption)
            .unwrap_or(lines.len());
        lines
            .iter()
            .skip(at + 1)
            .take(2)
            .map(|l| l.to_string())
            .collect()
    };
    let mut checked = 0;
    for (page, text) in texts.iter().enumerate() {
        for line in text.lines().filter(|l| l.starts_with("续表：")) {
            let caption = line.trim_start_matches("续表：");
            let first = texts[..page]
                .iter()
                .rev()
                .find(|t| t.lines().any(|l| l == caption))
                .unwrap_or_else(|| panic!("{caption}: no first page"));
            let header = header_after(first, caption);
            assert_eq!(header.len(), 2);
            assert_eq!(
                header_after(text, line),
                header,
                "page {}: {caption}",
                page + 1
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 19, "continued tables of the demo's mid-term PDF");
}

#[test]
fn the_same_data_gives_the_same_bytes() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    let out = |name: &str| dir.path().join(name);
    for name in ["a", "b"] {
        ok(planeval_db(
            &db,
            &[
                "report",
                "midterm",
                "--format",
                "pdf,html",
                "--out",
                out(name).to_str().unwrap(),
            ],
        ));
    }
    for file in ["midterm-2023.pdf", "midterm-2023.html"] {
        assert_eq!(
            std::fs::read(out("a").join(file)).unwrap(),
            std::fs::read(out("b").join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn bad_fonts_are_named_and_nothing_is_written() {
    let (dir, db) = demo_dir();
    let out = dir.path().join("out");
    let run = |font: &str| {
        planeval_db(
            &db,
            &[
                "report",
                "annual",
                "--year",
                "2024",
                "--format",
                "pdf",
                "--font",
                font,
                "--out",
                out.to_str().unwrap(),
            ],
        )
    };
    let missing = run("/no/such/font.otf");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("/no/such/font.otf"),
        "{}",
        stderr(&missing)
    );
    let not_a_font = root().join("Cargo.toml");
    let output = run(not_a_font.to_str().unwrap());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("Cargo.toml"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
}

#[test]
fn characters_without_a_glyph_warn_or_fail_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("cat");
    copy_tree(&mini_catalog(), &catalog);
    let indicators = catalog.join("indicators.csv");
    let text = std::fs::read_to_string(&indicators).unwrap();
    // An Egyptian hieroglyph: no CJK font has it.
    std::fs::write(
        &indicators,
        text.replace("gdp,地区生产总值", "gdp,地区生产总值\u{13000}"),
    )
    .unwrap();
    let db = dir.path().join("p.db");
    ok(planeval_db(
        &db,
        &["init", "--plan", catalog.to_str().unwrap()],
    ));
    let out = dir.path().join("out");
    let args = |strict: bool| {
        let mut args = vec![
            "report",
            "midterm",
            "--format",
            "pdf",
            "--out",
            out.to_str().unwrap(),
        ];
        if strict {
            args.push("--strict");
        }
        args
    };
    let strict = planeval_db(&db, &args(true));
    assert_eq!(strict.status.code(), Some(1));
    assert!(stderr(&strict).contains('\u{13000}'), "{}", stderr(&strict));
    assert!(!out.exists(), "nothing written with --strict");
    let lenient = planeval_db(&db, &args(false));
    assert!(lenient.status.success(), "{}", stderr(&lenient));
    assert!(
        stderr(&lenient).contains("no glyph"),
        "{}",
        stderr(&lenient)
    );
    assert!(out.join("midterm-2023.pdf").exists());
}
