//! What the reports read from (and the office writes to) the store beyond the
//! evaluation itself: commentary per report and chapter, the date of the latest
//! change a report shows, and who supplied the data.

use super::audit::{self, Key, Link, Table};
use super::db::{current_user, now_utc};
use super::Store;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::DataSource;

use crate::model::{CommentaryChapter, StoredCommentary};

// cmd/bench.rs (the cmd helper's) still names the kind by this path.
pub use crate::model::ReportKind;

/// Every commentary stored for one report of one plan and year, foreword first.
pub fn commentaries(
    conn: &Connection,
    plan_id: i64,
    report: ReportKind,
    year: i32,
) -> rusqlite::Result<Vec<StoredCommentary>> {
    let mut stmt = conn.prepare(
        "SELECT chapter, body, updated_by, updated_at FROM commentary
         WHERE plan_id = ?1 AND report = ?2 AND year = ?3
         ORDER BY ifnull(chapter, 0)",
    )?;
    let rows = stmt.query_map(params![plan_id, report.as_str(), year], |r| {
        Ok(StoredCommentary {
            chapter: r.get(0)?,
            body: r.get(1)?,
            updated_by: r.get(2)?,
            updated_at: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// Writes (or replaces) one commentary in one transaction, with an audit entry.
pub fn set_commentary(
    store: &mut Store,
    plan: (i64, &str),
    report: ReportKind,
    year: i32,
    chapter: CommentaryChapter,
    body: &str,
) -> Result<()> {
    let path = store.path().to_path_buf();
    let (plan_id, plan_code) = plan;
    store.write("recording commentary", |tx| {
        let db = |e| Error::db(&path, "recording commentary", e);
        // The unique index is on ifnull(chapter, 0), which ON CONFLICT cannot name,
        // so the row is replaced by hand inside the same transaction.
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM commentary WHERE plan_id = ?1 AND report = ?2 AND year = ?3
                 AND ifnull(chapter, 0) = ifnull(?4, 0)",
                params![plan_id, report.as_str(), year, chapter],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        match existing {
            Some(id) => tx.execute(
                "UPDATE commentary SET body = ?1, updated_by = ?2, updated_at = ?3 WHERE id = ?4",
                params![body, current_user(), now_utc(), id],
            ),
            None => tx.execute(
                "INSERT INTO commentary (plan_id, report, year, chapter, body, updated_by, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    plan_id,
                    report.as_str(),
                    year,
                    chapter,
                    body,
                    current_user(),
                    now_utc()
                ],
            ),
        }
        .map_err(db)?;
        let mut link = Link::new();
        let id = existing.unwrap_or_else(|| tx.last_insert_rowid());
        link.record_row(tx, Table::Commentary, Key::Id(id))
            .map_err(db)?;
        let place = chapter.map_or_else(|| "foreword".to_string(), |c| format!("chapter {c}"));
        audit::append(
            tx,
            link,
            "commentary",
            &format!("{plan_code}/{} {year} {place}", report.as_str()),
            &format!("{} characters", body.chars().count()),
        )
        .map_err(db)
    })
}

/// The latest moment the office changed what a report shows besides the
/// observations: its verdicts for the year and the report's commentary (the
/// snapshot's one pass over the observations adds theirs).
pub fn latest_office_change(
    conn: &Connection,
    plan_id: i64,
    report: ReportKind,
    year: i32,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT max(at) FROM (
             SELECT v.recorded_at AS at FROM office_verdict v
             JOIN indicator i ON i.id = v.indicator_id
             WHERE i.plan_id = ?1 AND v.year = ?3
             UNION ALL
             SELECT updated_at FROM commentary
             WHERE plan_id = ?1 AND report = ?2 AND year = ?3
         )",
    )?
    .query_row(params![plan_id, report.as_str(), year], |r| r.get(0))
}

/// The departments responsible for a plan's indicators, ordered by department
/// code, with their indicators counted; what they supplied (observations and
/// sources) is left for the snapshot's one pass over the observations to add.
pub fn departments(conn: &Connection, plan_id: i64) -> rusqlite::Result<Vec<DataSource>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.code, d.name, d.short_name, count(*)
         FROM indicator i
         JOIN department d ON d.code = i.department_code
         WHERE i.plan_id = ?1
         GROUP BY d.code ORDER BY d.code",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok(DataSource {
            code: r.get(0)?,
            name: r.get(1)?,
            short_name: r.get(2)?,
            indicators: r.get(3)?,
            observations: 0,
            sources: Vec::new(),
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::catalog::{builtin_tiexi, parse};
    use crate::store::plans::{find_plan, load_catalog};

    fn store_with_plan() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create_or_open(&dir.path().join("t.db")).unwrap();
        load_catalog(&mut store, &parse(&builtin_tiexi()).unwrap()).unwrap();
        let plan = find_plan(&store, None).unwrap();
        (dir, store, plan.id)
    }

    #[test]
    fn commentary_is_replaced_not_duplicated() {
        let (_dir, mut store, plan_id) = store_with_plan();
        for body in ["first", "second"] {
            set_commentary(
                &mut store,
                (plan_id, "tiexi-14th"),
                ReportKind::Annual,
                2023,
                None,
                body,
            )
            .unwrap();
        }
        set_commentary(
            &mut store,
            (plan_id, "tiexi-14th"),
            ReportKind::Annual,
            2023,
            Some(3),
            "chapter three",
        )
        .unwrap();
        let stored = commentaries(store.conn(), plan_id, ReportKind::Annual, 2023).unwrap();
        let bodies: Vec<_> = stored
            .iter()
            .map(|c| (c.chapter, c.body.as_str()))
            .collect();
        assert_eq!(bodies, vec![(None, "second"), (Some(3), "chapter three")]);
        assert!(
            commentaries(store.conn(), plan_id, ReportKind::Midterm, 2023)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_empty_plan_has_no_latest_change() {
        let (_dir, store, plan_id) = store_with_plan();
        assert_eq!(
            latest_office_change(store.conn(), plan_id, ReportKind::Annual, 2023).unwrap(),
            None
        );
        let departments = departments(store.conn(), plan_id).unwrap();
        assert!(!departments.is_empty());
        assert!(departments.iter().all(|s| s.indicators > 0));
    }
}
