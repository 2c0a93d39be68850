//! Published report editions: a fingerprint of the data a report was built from
//! (`data_hash`), the record of each edition with a snapshot of the values it
//! showed (`record_edition`), and what changed between two snapshots
//! (`diff_snapshots`), so a second edition can say what was revised since the
//! first.

use super::audit::{self, Key, Link, Table};
use super::db::{now_utc, Store};
use super::plans::PlanRecord;
use crate::error::{Error, Result};
use crate::model::edition::parse_snapshot;
use crate::model::ReportKind;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::model::edition::NewEdition;
use crate::model::edition::{Edition, Snapshot};
use crate::model::EvaluationInput;
use rayon::prelude::*;

/// SHA-256 over the plan's catalog hash and its observations (indicator code,
/// year, value, value kind, status) in code and year order, read from the
/// database. Two reports built from the same hash were built from the same data.
pub fn data_hash(store: &Store, plan: &PlanRecord) -> Result<String> {
    let read = || -> rusqlite::Result<String> {
        let conn = store.conn();
        let catalog_hash: String = conn.query_row(
            "SELECT catalog_hash FROM plan WHERE id = ?1",
            [plan.id],
            |r| r.get(0),
        )?;
        let mut hasher = PlanDataHasher::new(&catalog_hash);
        let mut stmt = conn.prepare_cached(
            "SELECT i.code, o.year, o.value, o.value_kind, o.status FROM observation o
             JOIN indicator i ON i.id = o.indicator_id
             WHERE i.plan_id = ?1 ORDER BY i.code, o.year",
        )?;
        let mut rows = stmt.query([plan.id])?;
        while let Some(row) = rows.next()? {
            hasher.add(
                row.get_ref(0)?.as_str()?,
                row.get(1)?,
                row.get(2)?,
                row.get_ref(3)?.as_str()?,
                row.get_ref(4)?.as_str()?,
            );
        }
        Ok(hasher.finish())
    };
    read().map_err(|e| Error::db(store.path(), "hashing the plan's data", e))
}

/// Each indicator's plan and code, by indicator id.
fn indicator_codes(input: &EvaluationInput) -> HashMap<i64, (i64, &str)> {
    input
        .indicators
        .iter()
        .map(|i| (i.id, (i.plan_id, i.definition.code.as_str())))
        .collect()
}

/// The data hash (see [`data_hash`]) of every plan in `input`, by plan id:
/// the batch hashes what it evaluated with the same hasher each report's
/// snapshot uses on the database.
pub fn data_hashes(input: &EvaluationInput) -> HashMap<i64, String> {
    let codes = indicator_codes(input);
    // Every plan gets an entry: one without observations has a hash too.
    let mut by_plan: HashMap<i64, Vec<(&str, i32, usize)>> =
        input.plans.iter().map(|p| (p.id, Vec::new())).collect();
    for (index, o) in input.observations.iter().enumerate() {
        if let Some(&(plan, code)) = codes.get(&o.indicator_id) {
            if let Some(values) = by_plan.get_mut(&plan) {
                values.push((code, o.year, index));
            }
        }
    }
    by_plan
        .into_par_iter()
        .filter_map(|(plan, mut values)| {
            let mut hasher = PlanDataHasher::new(input.catalog_hashes.get(&plan)?);
            values.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            for (code, year, index) in values {
                let o = &input.observations[index];
                hasher.add(
                    code,
                    year,
                    o.value,
                    o.value_kind.as_str(),
                    o.status.as_str(),
                );
            }
            Some((plan, hasher.finish()))
        })
        .collect()
}

/// Builds a plan's data hash (see [`data_hash`]) from values given in code and
/// year order, wherever they were read.
pub(super) struct PlanDataHasher(Sha256);

impl PlanDataHasher {
    pub(super) fn new(catalog_hash: &str) -> Self {
        let mut hasher = Sha256::new();
        hash_text(&mut hasher, catalog_hash);
        PlanDataHasher(hasher)
    }

    pub(super) fn add(
        &mut self,
        code: &str,
        year: i32,
        value: f64,
        value_kind: &str,
        status: &str,
    ) {
        hash_text(&mut self.0, code);
        self.0.update(year.to_le_bytes());
        // The exact bits, so a change in the last digit changes the hash.
        self.0.update(value.to_bits().to_le_bytes());
        hash_text(&mut self.0, value_kind);
        hash_text(&mut self.0, status);
    }

    pub(super) fn finish(self) -> String {
        super::catalog::hex(&self.0.finalize())
    }
}

/// Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently.
fn hash_text(hasher: &mut Sha256, text: &str) {
    hasher.update((text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// Records a new edition once the report's files are written, and returns its
/// number. The hash and snapshot are those the report was built from, so values
/// imported meanwhile do not matter; but when another run recorded an edition
/// of the same report meanwhile, the number printed in the files is taken, so
/// nothing is recorded and the error says to run again.
pub fn record(store: &mut Store, edition: &NewEdition) -> Result<u32> {
    let NewEdition {
        plan, kind, year, ..
    } = edition;
    let latest = latest_edition(store, plan, *kind, *year)?;
    if latest.map_or(0, |e| e.edition) + 1 != edition.number {
        return Err(Error::Busy {
            what: format!("{} {kind} {year}", plan.code),
            detail: format!(
                "another run recorded edition {} of this report meanwhile; it was not recorded again, run the report again",
                edition.number
            ),
        });
    }
    record_edition(
        store,
        plan,
        *kind,
        *year,
        &edition.data_hash,
        &edition.snapshot,
    )
}

/// Records a new edition like [`record`], except on a database this user may
/// only read: the report's files are written by then, so they stay, the
/// edition goes unrecorded, and the returned warning says so (the next run by
/// someone who may write records it; docs/sharing.md).
pub fn record_unless_read_only(store: &mut Store, edition: &NewEdition) -> Result<Option<String>> {
    match record(store, edition) {
        Ok(_) => Ok(None),
        Err(Error::NoAccess { path, detail }) => Ok(Some(format!(
            "edition {} of the {} {} report was not recorded in {}: {detail}; the files \
             are written, and the next run by a user who may write the database records it",
            edition.number,
            edition.kind,
            edition.year,
            path.display()
        ))),
        Err(other) => Err(other),
    }
}

/// Records a published report and returns its edition number (1 for the first
/// edition of that report and year, then 2, 3 …).
fn record_edition(
    store: &mut Store,
    plan: &PlanRecord,
    report: ReportKind,
    year: i32,
    data_hash: &str,
    snapshot: &Snapshot,
) -> Result<u32> {
    let snapshot_json = serde_json::to_string(snapshot)
        .map_err(|e| Error::Usage(format!("cannot store the report snapshot: {e}")))?;
    let path = store.path().to_path_buf();
    store.write("recording a report edition", |tx| {
        let db = |e| Error::db(&path, "recording a report edition", e);
        let edition: u32 = tx
            .query_row(
                "SELECT coalesce(max(edition), 0) + 1 FROM report_edition
                 WHERE plan_id = ?1 AND report = ?2 AND year = ?3",
                params![plan.id, report.as_str(), year],
                |r| r.get(0),
            )
            .map_err(db)?;
        tx.execute(
            "INSERT INTO report_edition (plan_id, report, year, edition, published_at, data_hash, snapshot)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![plan.id, report.as_str(), year, edition, now_utc(), data_hash, snapshot_json],
        )
        .map_err(db)?;
        let mut link = Link::new();
        link.record_row(tx, Table::ReportEdition, Key::Id(tx.last_insert_rowid()))
            .map_err(db)?;
        audit::append(
            tx,
            link,
            "report_edition",
            &plan.code,
            &format!("{report} {year} edition {edition}, data {data_hash}"),
        )
        .map_err(db)?;
        Ok(edition)
    })
}

/// The latest recorded edition of a report for a year, if any.
pub fn latest_edition(
    store: &Store,
    plan: &PlanRecord,
    report: ReportKind,
    year: i32,
) -> Result<Option<Edition>> {
    read_edition(
        store,
        &format!("{} {report} {year}", plan.code),
        "SELECT edition, published_at, data_hash, snapshot FROM report_edition
         WHERE plan_id = ?1 AND report = ?2 AND year = ?3
         ORDER BY edition DESC LIMIT 1",
        params![plan.id, report.as_str(), year],
    )
}

/// The latest edition built from other data than `data_hash`: the one a report
/// on this data is compared with. (It is numbered below the report's own
/// edition either way: below the latest one when that was built from this
/// data, and the latest itself otherwise.)
pub fn latest_edition_from_other_data(
    store: &Store,
    plan: &PlanRecord,
    report: ReportKind,
    year: i32,
    data_hash: &str,
) -> Result<Option<Edition>> {
    read_edition(
        store,
        &format!("{} {report} {year}", plan.code),
        "SELECT edition, published_at, data_hash, snapshot FROM report_edition
         WHERE plan_id = ?1 AND report = ?2 AND year = ?3 AND data_hash <> ?4
         ORDER BY edition DESC LIMIT 1",
        params![plan.id, report.as_str(), year, data_hash],
    )
}

/// The edition `sql` selects; `report` names the plan, report and year in the
/// error when its stored snapshot is damaged.
fn read_edition(
    store: &Store,
    report: &str,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Option<Edition>> {
    let row: Option<(u32, String, String, String)> = store
        .conn()
        .query_row(sql, params, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(|e| Error::db(store.path(), "reading report editions", e))?;
    row.map(|(edition, published_at, data_hash, snapshot)| {
        Ok(Edition {
            edition,
            published_at,
            data_hash,
            snapshot: parse_snapshot(&snapshot).map_err(|e| Error::DamagedSnapshot {
                path: store.path().to_path_buf(),
                report: report.to_string(),
                edition,
                message: e.to_string(),
            })?,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::catalog::{builtin_tiexi, parse};
    use crate::store::plans::{find_plan, load_catalog};

    fn store_with_plan(dir: &tempfile::TempDir) -> (Store, PlanRecord) {
        let mut store = Store::create_or_open(&dir.path().join("t.db")).unwrap();
        load_catalog(&mut store, &parse(&builtin_tiexi()).unwrap()).unwrap();
        let plan = find_plan(&store, None).unwrap();
        (store, plan)
    }

    #[test]
    fn editions_are_numbered_per_report_and_year() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, plan) = store_with_plan(&dir);
        let hash = data_hash(&store, &plan).unwrap();
        let snapshot = Snapshot {
            values: Vec::new(),
            lights: None,
        };
        let mut record = |kind, hash: &str| {
            record_edition(&mut store, &plan, kind, 2024, hash, &snapshot).unwrap()
        };
        let first = record(ReportKind::Annual, &hash);
        let second = record(ReportKind::Annual, "other");
        let other = record(ReportKind::Midterm, &hash);
        let third = record(ReportKind::Annual, &hash);
        assert_eq!((first, second, other, third), (1, 2, 1, 3));
        let latest = latest_edition(&store, &plan, ReportKind::Annual, 2024)
            .unwrap()
            .unwrap();
        assert_eq!((latest.edition, &latest.data_hash), (3, &hash));
        assert_eq!(latest.snapshot, snapshot);
        // Edition 3 compares with the latest earlier edition built from other data.
        let previous = |hash: &str| {
            latest_edition_from_other_data(&store, &plan, ReportKind::Annual, 2024, hash)
                .unwrap()
                .map(|e| e.edition)
        };
        assert_eq!(previous(&hash), Some(2));
        assert_eq!(previous("other"), Some(3));
        assert_eq!(
            latest_edition_from_other_data(&store, &plan, ReportKind::Midterm, 2024, &hash)
                .unwrap(),
            None
        );
        assert!(latest_edition(&store, &plan, ReportKind::Annual, 2023)
            .unwrap()
            .is_none());
    }

    #[test]
    fn the_data_hash_follows_every_value() {
        let dir = tempfile::tempdir().unwrap();
        let (store, plan) = store_with_plan(&dir);
        let empty = data_hash(&store, &plan).unwrap();
        assert_eq!(empty, data_hash(&store, &plan).unwrap());
        let insert = |value: f64, status: &str| {
            store
                .conn()
                .execute(
                    "INSERT INTO observation (indicator_id, year, value, status, department_code,
                         recorded_by, recorded_at)
                     SELECT id, 2023, ?1, ?2, 'sci', 'test', '2024-01-01T00:00:00Z'
                     FROM indicator WHERE code = 'rd_intensity'
                     ON CONFLICT (indicator_id, year) DO UPDATE SET value = excluded.value,
                         status = excluded.status",
                    params![value, status],
                )
                .unwrap();
            data_hash(&store, &plan).unwrap()
        };
        let preliminary = insert(3.3, "preliminary");
        let final_ = insert(3.3, "final");
        let revised = insert(3.31, "final");
        assert_ne!(empty, preliminary);
        assert_ne!(preliminary, final_);
        assert_ne!(final_, revised);
        assert_eq!(insert(3.3, "preliminary"), preliminary);
    }
}
