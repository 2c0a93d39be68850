//! What the reports read from (and the office writes to) the store beyond the
//! evaluation itself: commentary per report and chapter, the date of the latest
//! change a report shows, and who supplied the data.

use super::audit::{self, Key, Link, Table};
use super::db::{current_user, now_utc};
use super::Store;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet};

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

/// The latest moment anything shown in a report was recorded: observations up
/// to the report year, the office's verdicts for that year and the report's
/// commentary. The report prints this date instead of reading the clock, so the
/// same data always gives the same file.
pub fn latest_change(
    conn: &Connection,
    plan_id: i64,
    report: ReportKind,
    year: i32,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT max(at) FROM (
             SELECT o.recorded_at AS at FROM observation o
             JOIN indicator i ON i.id = o.indicator_id
             WHERE i.plan_id = ?1 AND o.year <= ?3
             UNION ALL
             SELECT v.recorded_at FROM office_verdict v
             JOIN indicator i ON i.id = v.indicator_id
             WHERE i.plan_id = ?1 AND v.year = ?3
             UNION ALL
             SELECT updated_at FROM commentary
             WHERE plan_id = ?1 AND report = ?2 AND year = ?3
         )",
        params![plan_id, report.as_str(), year],
        |r| r.get(0),
    )
}

/// The departments responsible for a plan's indicators, with what they supplied
/// up to `year`, ordered by department code.
pub fn data_sources(
    conn: &Connection,
    plan_id: i64,
    year: i32,
) -> rusqlite::Result<Vec<DataSource>> {
    let mut stmt = conn.prepare(
        "SELECT d.code, d.name, d.short_name, i.id, o.id, o.source
         FROM indicator i
         JOIN department d ON d.code = i.department_code
         LEFT JOIN observation o ON o.indicator_id = i.id AND o.year <= ?2
         WHERE i.plan_id = ?1",
    )?;
    let mut by_code: BTreeMap<String, (DataSource, BTreeSet<i64>)> = BTreeMap::new();
    let rows = stmt.query_map(params![plan_id, year], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    for row in rows {
        let (code, name, short_name, indicator, observation, source) = row?;
        let (entry, indicators) = by_code.entry(code.clone()).or_insert_with(|| {
            (
                DataSource {
                    code,
                    name,
                    short_name,
                    indicators: 0,
                    observations: 0,
                    sources: Vec::new(),
                },
                BTreeSet::new(),
            )
        });
        indicators.insert(indicator);
        if observation.is_some() {
            entry.observations += 1;
        }
        if let Some(source) = source.filter(|s| !s.trim().is_empty()) {
            if !entry.sources.contains(&source) {
                entry.sources.push(source);
            }
        }
    }
    Ok(by_code
        .into_values()
        .map(|(mut source, indicators)| {
            source.indicators = indicators.len();
            source.sources.sort();
            source
        })
        .collect())
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
            latest_change(store.conn(), plan_id, ReportKind::Annual, 2023).unwrap(),
            None
        );
        let sources = data_sources(store.conn(), plan_id, 2023).unwrap();
        assert!(sources
            .iter()
            .all(|s| s.observations == 0 && s.indicators > 0));
    }
}
