//! The HTML reports, tested through the real binary on temporary databases:
//! structure follows the plan, every value is escaped, the HTML is well formed,
//! output is reproducible and bad templates fail loudly without writing.
//! Golden snapshots (insta) pin each part of the context of the mini catalog's
//! reports and key HTML fragments of the demo's.

mod common;

use common::*;
use planeval::evaluate::Thresholds;
use planeval::model::ReportKind;
use planeval::pipeline;
use planeval::report::ReportRequest;
use planeval::store::Store;
use scraper::{ElementRef, Html, Selector};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const STRUCTURE: &str = include_str!("../seeds/tiexi-14th/structure.csv");
const INDICATORS: &str = include_str!("../seeds/tiexi-14th/indicators.csv");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn select<'a>(element: ElementRef<'a>, selector: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(selector).unwrap();
    element.select(&selector).collect()
}

fn text(element: ElementRef<'_>) -> String {
    element.text().collect::<String>()
}

/// Chapter number and title of the built-in plan, in plan order.
fn plan_chapters() -> Vec<(u32, String)> {
    let mut reader = csv::Reader::from_reader(STRUCTURE.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| r[1].is_empty())
        .map(|r| (r[0].parse().unwrap(), r[2].to_string()))
        .collect()
}

/// Indicator code → chapter number of the built-in plan.
fn plan_indicators() -> BTreeMap<String, u32> {
    let mut reader = csv::Reader::from_reader(INDICATORS.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_string(), r[3].parse().unwrap()))
        .collect()
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Checks that every start tag is closed, in order (void elements and `/>` aside).
fn check_tag_balance(html: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unclosed comment")?;
            rest = &after[end + 3..];
            continue;
        }
        let end = rest.find('>').ok_or("unclosed tag")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match open.pop() {
                Some(top) if top == name => {}
                other => return Err(format!("</{name}> closes {other:?}; open: {open:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect::<String>()
            .to_ascii_lowercase();
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let close = rest.find("</style>").ok_or("unclosed style")?;
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        open.push(name);
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {open:?}"))
    }
}

fn assert_well_formed(html: &str) {
    let document = Html::parse_document(html);
    assert!(
        document.errors.is_empty(),
        "html5ever parse errors: {:?}",
        document.errors
    );
    check_tag_balance(html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    // Self-contained: no scripts, no external resources.
    let root = document.root_element();
    assert!(select(root, "script, link, img, iframe").is_empty());
    assert!(!html.contains("src=\"http"), "external resource");
}

#[test]
fn demo_writes_both_reports_and_they_are_well_formed() {
    let (dir, _db) = demo_dir();
    for name in ["annual-2025.html", "midterm-2023.html"] {
        let html = read(&dir.path().join(name));
        assert_well_formed(&html);
        assert!(
            html.contains("演示数据，非官方统计数据"),
            "{name}: demo notice"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn chapters_follow_the_plan_and_every_indicator_appears_once_in_its_chapter() {
    let (dir, _db) = demo_dir();
    let chapters = plan_chapters();
    assert_eq!(chapters.len(), 13);
    let indicators = plan_indicators();
    for name in ["annual-2025.html", "midterm-2023.html"] {
        let document = Html::parse_document(&read(&dir.path().join(name)));
        let root = document.root_element();
        let parts = select(root, "section.chapter");
        let headings: Vec<(String, String)> = parts
            .iter()
            .map(|part| {
                let heading = select(*part, "h3.chapter-heading")[0];
                (text(select(heading, ".chapter-number")[0]), text(heading))
            })
            .collect();
        assert_eq!(headings.len(), 13, "{name}");
        for ((number, title), (label, heading)) in chapters.iter().zip(&headings) {
            assert!(
                heading.ends_with(title.as_str()),
                "{name}: {heading} vs {title}"
            );
            assert_eq!(
                label,
                &format!(
                    "第{}章",
                    planeval::report::context::chinese_numeral(*number)
                )
            );
        }
        let mut seen = BTreeSet::new();
        for (part, (number, _)) in parts.iter().zip(&chapters) {
            let codes: Vec<String> = select(*part, "table.indicators tr[data-code]")
                .iter()
                .map(|row| row.value().attr("data-code").unwrap().to_string())
                .collect();
            let expected: BTreeSet<String> = indicators
                .iter()
                .filter(|(_, chapter)| *chapter == number)
                .map(|(code, _)| code.clone())
                .collect();
            let unique: BTreeSet<String> = codes.iter().cloned().collect();
            assert_eq!(
                codes.len(),
                unique.len(),
                "{name}: duplicate in chapter {number}"
            );
            assert_eq!(unique, expected, "{name}: chapter {number}");
            if expected.is_empty() {
                assert!(
                    text(*part).contains("本章无量化指标"),
                    "{name}: chapter {number}"
                );
            }
            seen.extend(unique);
        }
        assert_eq!(seen.len(), indicators.len(), "{name}");
        // Each indicator's anchor exists exactly once (its home row in its chapter).
        for code in indicators.keys() {
            let rows = select(root, &format!("tr#ind-{code}"));
            assert_eq!(rows.len(), 1, "{name}: anchor of {code}");
        }
        // Table of contents links resolve.
        for link in select(root, "nav.toc a") {
            let target = link.value().attr("href").unwrap().trim_start_matches('#');
            assert_eq!(
                select(root, &format!("[id='{target}']")).len(),
                1,
                "{target}"
            );
        }
    }
}

#[test]
fn summary_counts_equal_the_evaluation_roll_up() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    for (name, year) in [("annual-2025.html", "2025"), ("midterm-2023.html", "2023")] {
        let output = ok(planeval(&[
            "--db",
            db.to_str().unwrap(),
            "evaluate",
            "--year",
            year,
            "--format",
            "json",
        ]));
        let json: serde_json::Value = serde_json::from_str(&output).unwrap();
        let overall = &json["evaluations"][0]["rollups"]["overall"];
        let document = Html::parse_document(&read(&dir.path().join(name)));
        for key in ["green", "yellow", "red", "grey", "total"] {
            let card = select(
                document.root_element(),
                &format!(".status-cards [data-status={key}] .count"),
            );
            assert_eq!(card.len(), 1);
            assert_eq!(
                text(card[0]),
                overall[key].to_string(),
                "{name}: {key} count"
            );
        }
    }
}

#[test]
fn the_midterm_report_has_its_review_and_the_annual_does_not() {
    let (dir, _db) = demo_dir();
    let midterm = read(&dir.path().join("midterm-2023.html"));
    let annual = read(&dir.path().join("annual-2025.html"));
    assert!(midterm.contains("id=\"midterm\""));
    assert!(midterm.contains("规划期已过60%"));
    assert!(midterm.contains("预计完成") && midterm.contains("难以完成"));
    assert!(!annual.contains("id=\"midterm\""));
    // The demo leaves some 2025 values unreported, and the report says so: of
    // the 102 indicators that report, 58 have a 2025 value (tests/store.rs
    // derives both from seeds/tiexi-14th/demo.toml), the other 44 show an older one.
    let document = Html::parse_document(&annual);
    assert_eq!(select(document.root_element(), "td.older").len(), 102 - 58);
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    let again = dir.path().join("again");
    for _ in 0..2 {
        ok(planeval(&[
            "--db",
            db.to_str().unwrap(),
            "report",
            "annual",
            "--year",
            "2025",
            "--out",
            again.to_str().unwrap(),
        ]));
        ok(planeval(&[
            "--db",
            db.to_str().unwrap(),
            "report",
            "midterm",
            "--out",
            again.to_str().unwrap(),
        ]));
        for name in ["annual-2025.html", "midterm-2023.html"] {
            assert_eq!(
                std::fs::read(dir.path().join(name)).unwrap(),
                std::fs::read(again.join(name)).unwrap(),
                "{name}"
            );
        }
    }
}

#[test]
fn source_date_epoch_sets_the_printed_date() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    ok(command()
        .args(["--db", db.to_str().unwrap(), "report", "midterm", "--out"])
        .arg(dir.path().join("dated"))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap());
    let html = read(&dir.path().join("dated/midterm-2023.html"));
    assert!(html.contains("2026年1月1日"));
    // Without it, the date is the latest change in the data (the demo's 2024 spring upload).
    assert!(read(&dir.path().join("midterm-2023.html")).contains("2025年9月30日"));
}

/// Copies the built-in catalog, renames one indicator, loads it and adds demo values.
fn hostile_catalog_db(dir: &Path) -> PathBuf {
    let catalog = dir.join("catalog");
    std::fs::create_dir(&catalog).unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/tiexi-14th");
    for entry in std::fs::read_dir(&seeds).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), catalog.join(entry.file_name())).unwrap();
    }
    let indicators = read(&catalog.join("indicators.csv")).replacen(
        "gdp,地区生产总值,",
        "gdp,地区生产总值<script>alert(\"x\")</script>&amp;,",
        1,
    );
    std::fs::write(catalog.join("indicators.csv"), indicators).unwrap();
    let db = dir.join("t.db");
    ok(planeval(&[
        "--db",
        db.to_str().unwrap(),
        "init",
        "--plan",
        catalog.to_str().unwrap(),
    ]));
    let mut store = Store::open(&db).unwrap();
    let plan = planeval::store::plans::find_plan(&store, None).unwrap();
    let recipe = planeval::store::demo::builtin_recipe().unwrap();
    planeval::store::demo::write_demo(
        &mut store,
        &plan,
        &recipe,
        planeval::store::demo::DEMO_SOURCE,
    )
    .unwrap();
    db
}

#[test]
fn an_indicator_name_with_markup_renders_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_catalog_db(dir.path());
    let out = dir.path().join("out");
    ok(planeval(&[
        "--db",
        db.to_str().unwrap(),
        "report",
        "annual",
        "--year",
        "2024",
        "--out",
        out.to_str().unwrap(),
    ]));
    let html = read(&out.join("annual-2024.html"));
    assert_well_formed(&html);
    assert!(!html.contains("<script"), "unescaped script tag");
    assert!(html.contains("&lt;script&gt;"), "escaped name missing");
    let document = Html::parse_document(&html);
    let name = select(document.root_element(), "tr#ind-gdp .indicator-name");
    assert_eq!(
        text(name[0]),
        "地区生产总值<script>alert(\"x\")</script>&amp;"
    );
    // The charts carry the name too, escaped inside the SVG.
    let svg_titles: Vec<String> = select(document.root_element(), "svg text")
        .into_iter()
        .map(text)
        .filter(|t| t.contains("alert"))
        .collect();
    assert!(!svg_titles.is_empty(), "the name should appear in a chart");
}

fn template_dir(dir: &Path, name: &str, content: &str) -> PathBuf {
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join(name), content).unwrap();
    templates
}

#[test]
fn a_broken_template_names_file_and_line_and_writes_nothing() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    let cases = [
        (
            "chapter.html",
            "<section>\n{% if chapter.title %}\n",
            "line 2",
        ),
        (
            "summary.html",
            "<p>\n\n{{ summary.no_such_field }}</p>\n",
            "line 3",
        ),
    ];
    for (index, (name, content, line)) in cases.iter().enumerate() {
        let case = dir.path().join(format!("case{index}"));
        let templates = template_dir(&case, name, content);
        let out = case.join("out");
        let output = planeval(&[
            "--db",
            db.to_str().unwrap(),
            "report",
            "annual",
            "--year",
            "2025",
            "--out",
            out.to_str().unwrap(),
            "--templates",
            templates.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&format!("{name}, {line}")), "{stderr}");
        assert!(!out.join("annual-2025.html").exists());
    }
    // The unknown field is named in the message.
    let output = planeval(&[
        "--db",
        db.to_str().unwrap(),
        "report",
        "annual",
        "--year",
        "2025",
        "--out",
        dir.path().join("case1/out").to_str().unwrap(),
        "--templates",
        dir.path().join("case1/templates").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("summary.no_such_field"));
}

#[test]
fn a_template_override_replaces_only_that_file() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    let templates = template_dir(
        dir.path(),
        "commentary.html",
        "<div class=\"my-commentary\">{{ commentary.markdown | markdown }}</div>\n",
    );
    let out = dir.path().join("out");
    ok(planeval(&[
        "--db",
        db.to_str().unwrap(),
        "report",
        "midterm",
        "--out",
        out.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ]));
    let html = read(&out.join("midterm-2023.html"));
    assert_eq!(html.matches("class=\"my-commentary\"").count(), 14);
    assert!(
        html.contains("class=\"chapter\""),
        "built-in templates still used"
    );
}

#[test]
fn bad_years_are_usage_errors() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["--db", db.to_str().unwrap(), "report"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        planeval(&args)
    };
    let output = run(&["annual", "--year", "2030"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("outside the plan period 2021-2025"));
    let output = run(&["annual"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn commentary_from_the_database_and_from_files_is_rendered_in_place() {
    let (dir, _db) = demo_dir();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    ok(planeval(&[
        "--db",
        db,
        "commentary",
        "set",
        "--report",
        "annual",
        "--year",
        "2025",
        "--chapter",
        "3",
        "--text",
        "**科技创新**总体平稳。<b>不是标签</b>",
    ]));
    let shown = ok(planeval(&[
        "--db",
        db,
        "commentary",
        "show",
        "--report",
        "annual",
        "--year",
        "2025",
        "--chapter",
        "3",
    ]));
    assert_eq!(shown, "**科技创新**总体平稳。<b>不是标签</b>");
    let files = dir.path().join("commentary");
    std::fs::create_dir(&files).unwrap();
    std::fs::write(
        files.join("foreword.md"),
        "# 说明\n\n本报告由统计局编制。\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    ok(planeval(&[
        "--db",
        db,
        "report",
        "annual",
        "--year",
        "2025",
        "--out",
        out.to_str().unwrap(),
        "--commentary",
        files.to_str().unwrap(),
    ]));
    let html = read(&out.join("annual-2025.html"));
    assert_well_formed(&html);
    let document = Html::parse_document(&html);
    let root = document.root_element();
    let chapter3 = select(root, "#chapter-03 .commentary")[0];
    assert_eq!(text(select(chapter3, "strong")[0]), "科技创新");
    assert!(chapter3.html().contains("&lt;b&gt;不是标签&lt;/b&gt;"));
    let foreword = select(root, "#foreword .commentary")[0];
    assert_eq!(text(select(foreword, "h5")[0]), "说明");
    let chapter4 = select(root, "#chapter-04 .commentary.placeholder")[0];
    assert_eq!(text(chapter4).trim(), "本章评述待统计局补充。");
    // Unknown chapters and years outside the plan are refused.
    let output = planeval(&[
        "--db",
        db,
        "commentary",
        "set",
        "--report",
        "annual",
        "--year",
        "2025",
        "--chapter",
        "14",
        "--text",
        "x",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let output = planeval(&[
        "--db",
        db,
        "commentary",
        "set",
        "--report",
        "midterm",
        "--year",
        "2019",
        "--text",
        "x",
    ]);
    assert_eq!(output.status.code(), Some(2));
    // Every change is audited.
    let conn = rusqlite::Connection::open(db).unwrap();
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'commentary'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

/// A database of the mini catalog (three indicators in two chapters) with
/// three years of values from the statistics office; the drc's indicator has none.
fn mini_db(dir: &Path) -> PathBuf {
    let db = dir.join("mini.db");
    let db_arg = db.to_str().unwrap();
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/catalogs/mini");
    ok(planeval(&[
        "--db",
        db_arg,
        "init",
        "--plan",
        catalog.to_str().unwrap(),
    ]));
    let values = dir.join("stats.csv");
    std::fs::write(
        &values,
        "指标代码,指标名称,计量单位,数值口径,年份,上年数值,本年数值,数据来源,备注\n\
         gdp,地区生产总值,亿元,水平值,2021,,220,统计年鉴,\n\
         gdp,地区生产总值,亿元,水平值,2022,,236,统计年鉴,\n\
         gdp,地区生产总值,亿元,水平值,2023,,241,统计年鉴,\n\
         unemployment,城镇登记失业率,%,水平值,2021,,3.6,统计年鉴,\n\
         unemployment,城镇登记失业率,%,水平值,2022,,4.3,统计年鉴,\n\
         unemployment,城镇登记失业率,%,水平值,2023,,3.9,统计年鉴,\n",
    )
    .unwrap();
    ok(planeval(&[
        "--db",
        db_arg,
        "import",
        values.to_str().unwrap(),
        "--department",
        "stats",
    ]));
    db
}

/// The context of a mini-catalog report as JSON, with the fields that change
/// whenever the data's fingerprint does (hashes, times of recording) redacted.
fn mini_context_json(db: &Path, kind: ReportKind, year: Option<i32>) -> serde_json::Value {
    let store = Store::open(db).unwrap();
    let prepared = pipeline::prepare(
        &store,
        &Thresholds::default(),
        &ReportRequest {
            kind,
            year,
            plan: None,
            commentary_dir: None,
            source_date_epoch: Some("1767225600"),
        },
    )
    .unwrap();
    let mut json = serde_json::to_value(&prepared.context).unwrap();
    let short_hash = prepared.edition.data_hash[..12].to_string();
    redact(&mut json, &short_hash);
    json
}

/// Replaces every volatile field by a marker, wherever it is nested, and the
/// short data hash wherever a sentence quotes it.
fn redact(value: &mut serde_json::Value, short_hash: &str) {
    const VOLATILE: &[&str] = &[
        "data_hash",
        "data_hash_short",
        "recorded_at",
        "published_at",
    ];
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if VOLATILE.contains(&key.as_str()) && value.is_string() {
                    *value = "[redacted]".into();
                } else {
                    redact(value, short_hash);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact(v, short_hash)),
        serde_json::Value::String(text) if text.contains(short_hash) => {
            *text = text.replace(short_hash, "[hash]");
        }
        _ => {}
    }
}

#[test]
fn golden_context_parts_of_the_mini_reports() {
    let dir = tempfile::tempdir().unwrap();
    let db = mini_db(dir.path());
    let annual = mini_context_json(&db, ReportKind::Annual, Some(2023));
    for part in [
        "report",
        "plan",
        "cover",
        "toc",
        "summary",
        "lagging",
        "method",
        "data_notes",
        "edition",
    ] {
        insta::assert_json_snapshot!(format!("mini_annual_{part}"), annual[part]);
    }
    for (index, chapter) in annual["chapters"].as_array().unwrap().iter().enumerate() {
        insta::assert_json_snapshot!(format!("mini_annual_chapter_{}", index + 1), chapter);
    }
    let midterm = mini_context_json(&db, ReportKind::Midterm, None);
    assert_eq!(midterm["report"]["year"], 2023);
    insta::assert_json_snapshot!("mini_midterm_review", midterm["midterm"]);
    assert!(annual["midterm"].is_null());
}

#[test]
fn golden_html_fragments_of_the_demo_reports() {
    let (dir, _db) = demo_dir();
    let annual = Html::parse_document(&read(&dir.path().join("annual-2025.html")));
    let midterm = Html::parse_document(&read(&dir.path().join("midterm-2023.html")));
    let fragment =
        |document: &Html, selector: &str| select(document.root_element(), selector)[0].html();
    insta::assert_snapshot!("annual_cover", fragment(&annual, "header.cover"));
    insta::assert_snapshot!("annual_summary", fragment(&annual, "#summary"));
    insta::assert_snapshot!(
        "annual_chapter_01_without_indicators",
        fragment(&annual, "#chapter-01")
    );
    insta::assert_snapshot!("annual_chapter_03", fragment(&annual, "#chapter-03"));
    insta::assert_snapshot!("annual_lagging", fragment(&annual, "#lagging"));
    insta::assert_snapshot!("midterm_review", fragment(&midterm, "#midterm"));
    insta::assert_snapshot!(
        "annual_edition_changes_first_edition",
        fragment(&annual, "#annex-changes")
    );
}
