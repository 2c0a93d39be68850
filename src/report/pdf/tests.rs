//! End-to-end tests: render documents and read the PDFs back with lopdf.

use std::collections::BTreeSet;

use lopdf::Object;

use super::theme::{Style, FIXED_TEXT};
use super::*;
use crate::report::chart::{Chart, ProgressBar, ProgressChart, TrendChart};

fn meta() -> Meta {
    Meta {
        title: "某区“十四五”规划实施情况监测报告".into(),
        subject: "规划监测".into(),
        author: "某区发展和改革委员会".into(),
        language: "zh-CN".into(),
        running_header: "某区“十四五”规划实施情况监测报告".into(),
        date: (2025, 3, 31),
    }
}

fn body(text: &str) -> Block {
    Block::Paragraph {
        text: text.into(),
        style: ParagraphStyle::Body,
    }
}

fn heading(level: u8, text: &str) -> Block {
    Block::Heading {
        level,
        text: text.into(),
    }
}

fn sample_doc() -> Document {
    let para =
        "规划实施以来，全区地区生产总值年均增长6.1%，2024年达到1532.6亿元（按可比价格计算）。\
                部分指标进度低于时间进度，需要加大推进力度。";
    let table = Table {
        caption: "主要指标监测情况".into(),
        columns: vec![
            Column {
                title: "指标".into(),
                width: 3.0,
                align: Align::Left,
            },
            Column {
                title: "目标值".into(),
                width: 1.0,
                align: Align::Right,
            },
            Column {
                title: "状态".into(),
                width: 1.0,
                align: Align::Left,
            },
        ],
        rows: (1..=80)
            .map(|i| {
                vec![
                    Cell {
                        text: format!("指标{i}"),
                        mark: None,
                    },
                    Cell {
                        text: format!("{i}.5"),
                        mark: None,
                    },
                    Cell {
                        text: "红 滞后".into(),
                        mark: Some(Rgb(200, 40, 40)),
                    },
                ]
            })
            .collect(),
    };
    let progress = Chart::Progress(ProgressChart {
        title: "目标进度".into(),
        bars: vec![ProgressBar {
            label: "地区生产总值".into(),
            progress: 0.8,
            elapsed: 0.8,
            color: Rgb(46, 125, 50),
            status_text: "正常".into(),
        }],
    });
    let trend = Chart::Trend(TrendChart {
        title: "地区生产总值".into(),
        unit: "亿元".into(),
        years: vec![2021, 2022, 2023],
        actual: vec![Some(1.0), None, Some(3.0)],
        planned: vec![Some(1.0), Some(2.0), Some(3.0)],
        target: Some((2025, 4.0)),
    });
    Document {
        meta: meta(),
        blocks: vec![
            Block::Cover {
                title: "某区“十四五”规划实施情况监测报告".into(),
                subtitle: "2024年度".into(),
                lines: vec!["某区发展和改革委员会".into(), "2025年3月".into()],
                notice: Some("本报告数据为演示数据。".into()),
            },
            Block::TableOfContents,
            heading(1, "第一章 总体情况"),
            body(para),
            heading(2, "一、进展"),
            Block::Paragraph {
                text: "演示数据，请勿引用。".into(),
                style: ParagraphStyle::Notice,
            },
            Block::Chart(progress),
            heading(2, "二、指标"),
            Block::Table(table),
            heading(1, "第二章 经济发展"),
            heading(2, "一、增长"),
            Block::Chart(trend),
            heading(3, "（一）小节"),
            Block::Paragraph {
                text: "资料来源：区统计局。".into(),
                style: ParagraphStyle::Small,
            },
            Block::PageBreak,
            body(para),
        ],
    }
}

fn fonts() -> FontSet {
    FontSet::embedded_default().unwrap()
}

#[test]
fn same_document_gives_identical_bytes() {
    let doc = sample_doc();
    let a = render(&doc, &fonts()).unwrap();
    let b = render(&doc, &fonts()).unwrap();
    assert!(a == b, "two renders differ");
    // The ID is a content hash, not a constant.
    let mut other = doc.clone();
    other.meta.title.push('！');
    let c = render(&other, &fonts()).unwrap();
    let id = |pdf: &[u8]| {
        let lo = lopdf::Document::load_mem(pdf).unwrap();
        format!("{:?}", lo.trailer.get(b"ID").unwrap())
    };
    assert_ne!(id(&a), id(&c));
}

#[test]
fn footers_count_physical_pages_and_cjk_text_extracts() {
    let pdf = render(&sample_doc(), &fonts()).unwrap();
    let lo = lopdf::Document::load_mem(&pdf).unwrap();
    let pages = lo.get_pages();
    let total = pages.len();
    assert!(total >= 6, "{total} pages");
    for &n in pages.keys() {
        let text = lo.extract_text(&[n]).unwrap();
        let footer = format!("第 {n} 页 共 {total} 页");
        if n == 1 {
            assert!(!text.contains("页 共"), "cover has a footer: {text}");
            assert!(text.contains("某区发展和改革委员会"), "{text}");
        } else {
            assert!(text.contains(&footer), "page {n}: {text}");
            assert!(
                text.contains("某区“十四五”规划实施情况监测报告"),
                "header on {n}"
            );
        }
    }
    let all = lo
        .extract_text(&pages.keys().copied().collect::<Vec<_>>())
        .unwrap();
    assert!(all.contains("续表：主要指标监测情况"));
    assert!(all.contains("全区地区生产总值年均增长6.1%"), "{all}");
}

#[test]
fn outline_nests_sections_under_chapters() {
    let pdf = render(&sample_doc(), &fonts()).unwrap();
    let lo = lopdf::Document::load_mem(&pdf).unwrap();
    let toc = lo.get_toc().unwrap();
    assert!(toc.errors.is_empty(), "{:?}", toc.errors);
    let got: Vec<(usize, &str)> = toc
        .toc
        .iter()
        .map(|t| (t.level, t.title.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "第一章 总体情况"),
            (2, "一、进展"),
            (2, "二、指标"),
            (1, "第二章 经济发展"),
            (2, "一、增长"),
        ]
    );
    // Each bookmark points at the page that shows its heading, and the
    // contents page lists the same number.
    let contents = lo.extract_text(&[2]).unwrap();
    for entry in &toc.toc {
        let text = lo.extract_text(&[entry.page as u32]).unwrap();
        assert!(
            text.contains(&entry.title),
            "{} not on page {}",
            entry.title,
            entry.page
        );
        let listed = format!("{}\n{}", entry.title, entry.page);
        assert!(contents.contains(&listed), "{listed:?} not in {contents}");
    }
    // Contents entries are links to the same pages.
    let pages = lo.get_pages();
    let contents_page = lo.get_dictionary(pages[&2]).unwrap();
    let annots = contents_page.get(b"Annots").unwrap().as_array().unwrap();
    assert_eq!(annots.len(), toc.toc.len());
    for (annot, entry) in annots.iter().zip(&toc.toc) {
        let action = annot
            .as_dict()
            .unwrap()
            .get(b"A")
            .unwrap()
            .as_dict()
            .unwrap();
        let dest = action.get(b"D").unwrap().as_array().unwrap();
        let target = dest[0].as_reference().unwrap();
        assert_eq!(target, pages[&(entry.page as u32)], "{}", entry.title);
    }
}

#[test]
fn metadata_language_and_dates() {
    let pdf = render(&sample_doc(), &fonts()).unwrap();
    let lo = lopdf::Document::load_mem(&pdf).unwrap();
    let catalog = lo.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"zh-CN");
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    let info_id = lo.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = lo.get_dictionary(info_id).unwrap();
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20250331000000+00'00'"
    );
    let title = info.get(b"Title").unwrap().as_str().unwrap();
    let utf16: Vec<u16> = title[2..]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(String::from_utf16(&utf16).unwrap(), meta().title);
    // No XMP packet with a random instance ID.
    assert!(catalog.get(b"Metadata").is_err());
}

#[test]
fn fonts_are_embedded_as_subsets() {
    let pdf = render(&sample_doc(), &fonts()).unwrap();
    assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    let lo = lopdf::Document::load_mem(&pdf).unwrap();
    let mut names = Vec::new();
    for obj in lo.objects.values() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"Type").and_then(Object::as_name).ok() != Some(b"FontDescriptor".as_slice()) {
            continue;
        }
        let name =
            String::from_utf8(dict.get(b"FontName").unwrap().as_name().unwrap().to_vec()).unwrap();
        let file = dict
            .get(b"FontFile3")
            .or_else(|_| dict.get(b"FontFile2"))
            .unwrap()
            .as_reference()
            .unwrap();
        let stream = lo.get_object(file).unwrap().as_stream().unwrap();
        let program = stream.decompressed_content().unwrap();
        // The bundled faces are over 8 MB; a subset of a few hundred glyphs is tiny.
        assert!(program.len() < 500_000, "{name}: {} bytes", program.len());
        names.push(name);
    }
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        let (tag, base) = name.split_once('+').unwrap();
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{name}"
        );
        assert!(base.starts_with("NotoSansHans-"), "{name}");
    }
    // Every font has a ToUnicode map (text extraction depends on it).
    let to_unicode = lo
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"ToUnicode").is_ok())
        .count();
    assert_eq!(to_unicode, 2);
}

#[test]
fn missing_glyphs_are_listed_once_and_sorted() {
    let mut doc = sample_doc();
    doc.blocks.push(body("稀有字𠀀与表情😀😀，以及\t空白"));
    doc.meta.running_header.push('😀');
    let missing = fonts().missing_glyphs(&doc);
    assert_eq!(missing, vec!['😀', '𠀀']);
    // Rendering still works; the characters print as the missing-glyph box.
    render(&doc, &fonts()).unwrap();
}

#[test]
fn user_font_with_synthetic_bold_renders() {
    let doc = sample_doc();
    // A "user font": the bundled regular face cut down to what the document needs.
    let mut chars = BTreeSet::new();
    doc.for_each_text(|t| chars.extend(t.chars()));
    chars.extend(FIXED_TEXT.chars());
    chars.extend("国的 ".chars());
    let sub = fonts().face(Style::Regular).subset(&chars).unwrap();
    let dir = std::env::temp_dir().join(format!("pdfwork-user-font-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("user.otf");
    std::fs::write(&path, &sub.original_bytes).unwrap();
    let user = FontSet::from_path(&path, 0).unwrap();
    assert!(user.missing_glyphs(&doc).is_empty());
    let pdf = render(&doc, &user).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let lo = lopdf::Document::load_mem(&pdf).unwrap();
    // One embedded font serves regular and (stroked) bold text.
    let fonts: usize = lo
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor"))
        .count();
    assert_eq!(fonts, 1);
    let text = lo.extract_text(&[3]).unwrap();
    assert!(text.contains("第一章 总体情况"), "{text}");
}

#[test]
fn invalid_date_is_an_error() {
    let mut doc = sample_doc();
    doc.meta.date = (2025, 2, 30);
    let err = render(&doc, &fonts()).unwrap_err();
    assert!(matches!(err, PdfError::InvalidDate(2025, 2, 30)), "{err}");
}
