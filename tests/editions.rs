//! Report editions through the real binary on a temporary demo database: the
//! first report is edition 1 and says so, a rerun on the same data gives the
//! same bytes and the same edition, a revised value makes the next run edition 2
//! with the revision (and the lights it changed) in its annex, and HTML and PDF
//! state the same data hash.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// Writes the annual 2025 report (HTML and PDF) into `out` and returns the stdout.
fn annual_report(db: &Path, out: &Path) -> String {
    ok(planeval_db(
        db,
        &[
            "report",
            "annual",
            "--year",
            "2025",
            "--format",
            "html,pdf",
            "--out",
            out.to_str().unwrap(),
        ],
    ))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of every page of a PDF, without the line breaks and spaces of its
/// layout (a paragraph or a table cell may wrap anywhere).
fn pdf_text(path: &Path) -> String {
    let doc = lopdf::Document::load(path).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|n| doc.extract_text(&[*n]).unwrap())
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The full data hash the HTML's data annex shows.
fn html_hash(html: &str) -> String {
    let start = html
        .find("<p class=\"data-hash\"><code>")
        .expect("data hash")
        + 27;
    html[start..start + 64].to_string()
}

/// The recorded editions as (report, year, edition, data hash), in order.
fn editions(db: &Path) -> Vec<(String, i32, u32, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT report, year, edition, data_hash FROM report_edition
             ORDER BY report, year, edition",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A revision of a final demo value (rd_intensity 2023: 3.24 → 3.41).
fn revise_rd_intensity(dir: &Path, db: &Path) {
    let file = dir.join("sci-2023-revised.csv");
    std::fs::write(
        &file,
        "指标代码,指标名称,计量单位,数值口径,年份,上年数值,本年数值,数据来源,备注\n\
         rd_intensity,研发经费投入强度,%,水平值,2023,,3.41,区统计局R&D统计（修订）,\n",
    )
    .unwrap();
    ok(planeval_db(
        db,
        &[
            "import",
            file.to_str().unwrap(),
            "--department",
            "sci",
            "--revise",
            "--reason",
            "依据R&D统计年报修订",
        ],
    ));
}

struct Run {
    html: String,
    pdf: String,
    html_bytes: Vec<u8>,
    pdf_bytes: Vec<u8>,
}

fn run(db: &Path, out: PathBuf) -> Run {
    annual_report(db, &out);
    let html_path = out.join("annual-2025.html");
    let pdf_path = out.join("annual-2025.pdf");
    Run {
        html: read(&html_path),
        pdf: pdf_text(&pdf_path),
        html_bytes: std::fs::read(&html_path).unwrap(),
        pdf_bytes: std::fs::read(&pdf_path).unwrap(),
    }
}

#[test]
fn editions_follow_the_data_and_the_annex_lists_what_changed() {
    let (dir, db) = demo_dir();
    // The demo records the first edition of both its reports.
    let recorded = editions(&db);
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    assert!(recorded.iter().all(|(_, _, edition, _)| *edition == 1));

    let first = run(&db, dir.path().join("first"));
    let hash = html_hash(&first.html);
    assert_eq!(hash, recorded[0].3);
    assert!(first.html.contains("第1版　数据快照："), "cover");
    assert!(first
        .html
        .contains(&format!("数据快照：{}（前12位）", &hash[..12])));
    assert!(first.html.contains("本报告为首版，无此前版本可比较。"));
    assert!(first.html.contains("附录三　与上一版相比的数据变化"));
    // The PDF states the same hash, in full and on the cover.
    assert!(first.pdf.contains(&hash), "the PDF lacks the full hash");
    assert!(first.pdf.contains(&hash[..12]));
    assert!(first.pdf.contains("本报告为首版，无此前版本可比较。"));
    // The demo's own files are that same edition, byte for byte.
    assert_eq!(
        first.html_bytes,
        std::fs::read(dir.path().join("annual-2025.html")).unwrap()
    );
    assert_eq!(
        first.pdf_bytes,
        std::fs::read(dir.path().join("annual-2025.pdf")).unwrap()
    );

    // Same data: same bytes, still edition 1, nothing recorded.
    let again = run(&db, dir.path().join("again"));
    assert!(
        again.html_bytes == first.html_bytes,
        "HTML differs on rerun"
    );
    assert!(again.pdf_bytes == first.pdf_bytes, "PDF differs on rerun");
    assert_eq!(editions(&db), recorded);

    // Editions recorded before lights were stored kept only the values.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE report_edition SET snapshot = json_extract(snapshot, '$.values')
             WHERE report = 'annual'",
            [],
        )
        .unwrap();

    revise_rd_intensity(dir.path(), &db);
    let second = run(&db, dir.path().join("second"));
    let new_hash = html_hash(&second.html);
    assert_ne!(new_hash, hash);
    let now = editions(&db);
    assert_eq!(now.len(), 3, "{now:?}");
    assert_eq!(
        now.iter()
            .filter(|(report, _, _, _)| report == "annual")
            .map(|(_, _, edition, h)| (*edition, h.clone()))
            .collect::<Vec<_>>(),
        [(1, hash.clone()), (2, new_hash.clone())]
    );
    for text in [&second.html, &second.pdf] {
        assert!(text.contains("与上一版（第1版）相比的数据变化"));
        assert!(text.contains(&new_hash));
        assert!(text.contains(&format!("第1版（数据快照：{}）", &hash[..12])));
        assert!(text.contains("研发经费投入强度"));
        assert!(text.contains("数值修订；最终数→修订数"));
        assert!(text.contains("3.24（最终数）"), "old value");
        assert!(text.contains("3.41（修订数）"), "new value");
        assert!(!text.contains("本报告为首版"));
    }
    assert!(second.html.contains("第2版　数据快照："));
    assert!(second
        .html
        .contains("<tr><th scope=\"row\">研发经费投入强度</th><td>2023年</td><td>数值修订；最终数→修订数</td><td class=\"num\">3.24（最终数）</td><td class=\"num\">3.41（修订数）</td></tr>"));

    assert!(second
        .html
        .contains("第1版未记录各指标的状态，无法比较状态的变化。"));

    // The revision turns the indicator's light at the mid-term from red to green.
    let midterm = dir.path().join("midterm");
    ok(planeval_db(
        &db,
        &["report", "midterm", "--out", midterm.to_str().unwrap()],
    ));
    let html = read(&midterm.join("midterm-2023.html"));
    assert!(html.contains("以下指标的状态与第1版不同："), "{html}");
    assert!(html.contains(
        "<tr><th scope=\"row\">研发经费投入强度</th>\n<td><span class=\"light status-red\">红灯</span></td><td><span class=\"light status-green\">绿灯</span></td>"
    ));

    // Edition 2 again: the same bytes, still compared with edition 1.
    let second_again = run(&db, dir.path().join("second-again"));
    assert!(second_again.html_bytes == second.html_bytes);
    assert!(second_again.pdf_bytes == second.pdf_bytes);
    assert_eq!(editions(&db).len(), 4, "annual 1 and 2, midterm 1 and 2");
}

#[test]
fn every_plan_of_a_batch_records_its_own_edition_once() {
    let (dir, db) = demo_dir();
    let mini = mini_catalog();
    ok(planeval_db(
        &db,
        &["init", "--plan", mini.to_str().unwrap()],
    ));
    let batch = |name: &str| {
        let out = dir.path().join(name);
        ok(planeval_db(
            &db,
            &[
                "-q",
                "report",
                "annual",
                "--year",
                "2024",
                "--all-plans",
                "--out",
                out.to_str().unwrap(),
            ],
        ));
        out
    };
    let first = batch("first");
    let annual_2024 = |db: &Path| {
        editions(db)
            .into_iter()
            .filter(|(report, year, _, _)| report == "annual" && *year == 2024)
            .count()
    };
    assert_eq!(annual_2024(&db), 2, "one edition per plan");
    let again = batch("again");
    assert_eq!(annual_2024(&db), 2, "nothing recorded on a rerun");
    for plan in std::fs::read_dir(&first).unwrap() {
        let plan = plan.unwrap().file_name();
        let file = Path::new(&plan).join("annual-2024.html");
        let html = read(&first.join(&file));
        assert!(html.contains("本报告为首版"), "{}", file.display());
        assert_eq!(html, read(&again.join(&file)), "{}", file.display());
    }
}
