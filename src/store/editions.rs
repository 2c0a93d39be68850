//! Published report editions: a fingerprint of the data a report was built from
//! (`data_hash`), the record of each edition with a snapshot of the values it
//! showed (`record_edition`), and what changed between two snapshots
//! (`diff_snapshots`), so a second edition can say what was revised since the
//! first.

use super::audit::{self, Key, Link, Table};
use super::db::{now_utc, Store};
use super::plans::PlanRecord;
use crate::error::{Error, Result};
use crate::model::{ObservationStatus, ReportKind};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// One value as a report showed it; a snapshot is a list of these, stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotEntry {
    pub code: String,
    pub year: i32,
    pub value: f64,
    #[serde(deserialize_with = "status_from_text")]
    pub status: ObservationStatus,
}

fn status_from_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<ObservationStatus, D::Error> {
    let text = String::deserialize(deserializer)?;
    ObservationStatus::parse(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{text}` is not one of {}",
            ObservationStatus::expected()
        ))
    })
}

/// An indicator's computed light as a report showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightEntry {
    pub code: String,
    /// The light's stored form: "green", "yellow", "red" or "grey".
    pub light: String,
}

/// What a published report showed: its values and each indicator's computed light.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub values: Vec<SnapshotEntry>,
    /// `None` for editions recorded before lights were stored (their snapshot
    /// is the bare list of values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lights: Option<Vec<LightEntry>>,
}

/// Reads a snapshot's JSON: `{"values": [{code, year, value, status}], "lights":
/// [{code, light}]}`, or the bare list of values older editions stored.
pub fn parse_snapshot(json: &str) -> std::result::Result<Snapshot, serde_json::Error> {
    // Told apart by the first character rather than through a `serde_json::Value`,
    // which took twice as long: every report reads its latest edition's snapshot.
    if json.trim_start().starts_with('[') {
        Ok(Snapshot {
            values: serde_json::from_str(json)?,
            lights: None,
        })
    } else {
        serde_json::from_str(json)
    }
}

/// The plan's current values as a snapshot, by indicator code and year.
pub fn current_snapshot(store: &Store, plan: &PlanRecord) -> Result<Vec<SnapshotEntry>> {
    let read = || -> rusqlite::Result<Vec<SnapshotEntry>> {
        let mut stmt = store.conn().prepare_cached(
            "SELECT i.code, o.year, o.value, o.status FROM observation o
             JOIN indicator i ON i.id = o.indicator_id
             WHERE i.plan_id = ?1 ORDER BY i.code, o.year",
        )?;
        let rows = stmt.query_map([plan.id], |r| {
            let status: String = r.get(3)?;
            Ok(SnapshotEntry {
                code: r.get(0)?,
                year: r.get(1)?,
                value: r.get(2)?,
                status: ObservationStatus::parse(&status).unwrap_or(ObservationStatus::Preliminary),
            })
        })?;
        rows.collect()
    };
    read().map_err(|e| Error::db(store.path(), "reading the values for a snapshot", e))
}

/// SHA-256 over the plan's catalog hash and its observations (indicator code,
/// year, value, value kind, status) in code and year order. Two reports built
/// from the same hash were built from the same data.
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

/// The catalog hash of every plan (or of one), by plan id.
pub fn catalog_hashes(
    conn: &rusqlite::Connection,
    plan_id: Option<i64>,
) -> rusqlite::Result<HashMap<i64, String>> {
    let mut stmt = conn.prepare("SELECT id, catalog_hash FROM plan WHERE ?1 IS NULL OR id = ?1")?;
    let rows = stmt.query_map([plan_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Builds a plan's data hash (see [`data_hash`]) from values given in code and
/// year order, wherever they were read: the batch hashes what it evaluated
/// with the same function the report uses on its own snapshot.
pub struct PlanDataHasher(Sha256);

impl PlanDataHasher {
    pub fn new(catalog_hash: &str) -> Self {
        let mut hasher = Sha256::new();
        hash_text(&mut hasher, catalog_hash);
        PlanDataHasher(hasher)
    }

    pub fn add(&mut self, code: &str, year: i32, value: f64, value_kind: &str, status: &str) {
        hash_text(&mut self.0, code);
        self.0.update(year.to_le_bytes());
        // The exact bits, so a change in the last digit changes the hash.
        self.0.update(value.to_bits().to_le_bytes());
        hash_text(&mut self.0, value_kind);
        hash_text(&mut self.0, status);
    }

    pub fn finish(self) -> String {
        super::catalog::hex(&self.0.finalize())
    }
}

/// Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently.
fn hash_text(hasher: &mut Sha256, text: &str) {
    hasher.update((text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// Records a published report and returns its edition number (1 for the first
/// edition of that report and year, then 2, 3 …).
pub fn record_edition(
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

/// A recorded edition.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    pub edition: u32,
    pub published_at: String,
    pub data_hash: String,
    pub snapshot: Snapshot,
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

/// The latest edition numbered below `edition` that was built from other data
/// than `data_hash`: the one edition `edition` is compared with.
pub fn previous_edition(
    store: &Store,
    plan: &PlanRecord,
    report: ReportKind,
    year: i32,
    edition: u32,
    data_hash: &str,
) -> Result<Option<Edition>> {
    read_edition(
        store,
        &format!("{} {report} {year}", plan.code),
        "SELECT edition, published_at, data_hash, snapshot FROM report_edition
         WHERE plan_id = ?1 AND report = ?2 AND year = ?3 AND edition < ?4 AND data_hash <> ?5
         ORDER BY edition DESC LIMIT 1",
        params![plan.id, report.as_str(), year, edition, data_hash],
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

/// How one indicator-year differs between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditionChange {
    pub code: String,
    pub year: i32,
    /// `None` when the value was not in the previous edition.
    pub old_value: Option<f64>,
    /// `None` when the value is no longer there.
    pub new_value: Option<f64>,
    pub old_status: Option<ObservationStatus>,
    pub new_status: Option<ObservationStatus>,
}

impl EditionChange {
    /// A value present in both editions with a different number.
    pub fn value_revised(&self) -> bool {
        matches!((self.old_value, self.new_value), (Some(old), Some(new)) if old != new)
    }

    /// A value present in both editions with a different status.
    pub fn status_changed(&self) -> bool {
        matches!((self.old_status, self.new_status), (Some(old), Some(new)) if old != new)
    }

    /// A value the previous edition did not have.
    pub fn added(&self) -> bool {
        self.old_value.is_none()
    }

    /// A value the previous edition had and this one does not.
    pub fn removed(&self) -> bool {
        self.new_value.is_none()
    }
}

/// Everything that differs between two snapshots, by indicator code and year:
/// values revised, statuses changed, values added or gone.
pub fn diff_snapshots(previous: &[SnapshotEntry], current: &[SnapshotEntry]) -> Vec<EditionChange> {
    let key = |e: &SnapshotEntry| (e.code.clone(), e.year);
    let old: BTreeMap<_, _> = previous.iter().map(|e| (key(e), e)).collect();
    let new: BTreeMap<_, _> = current.iter().map(|e| (key(e), e)).collect();
    let mut keys: Vec<&(String, i32)> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (before, after) = (old.get(k), new.get(k));
            let unchanged = matches!((before, after), (Some(b), Some(a)) if b.value == a.value && b.status == a.status);
            (!unchanged).then(|| EditionChange {
                code: k.0.clone(),
                year: k.1,
                old_value: before.map(|e| e.value),
                new_value: after.map(|e| e.value),
                old_status: before.map(|e| e.status),
                new_status: after.map(|e| e.status),
            })
        })
        .collect()
}

/// An indicator whose computed light differs between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LightChange {
    pub code: String,
    /// `None` when the indicator had no light in the previous edition.
    pub old_light: Option<String>,
    /// `None` when the indicator is no longer in the plan.
    pub new_light: Option<String>,
}

/// The indicators whose light differs between two snapshots, by code.
pub fn diff_lights(previous: &[LightEntry], current: &[LightEntry]) -> Vec<LightChange> {
    let old: BTreeMap<&str, &str> = previous
        .iter()
        .map(|e| (e.code.as_str(), e.light.as_str()))
        .collect();
    let new: BTreeMap<&str, &str> = current
        .iter()
        .map(|e| (e.code.as_str(), e.light.as_str()))
        .collect();
    let mut codes: Vec<&str> = old.keys().chain(new.keys()).copied().collect();
    codes.sort_unstable();
    codes.dedup();
    codes
        .into_iter()
        .filter(|code| old.get(code) != new.get(code))
        .map(|code| LightChange {
            code: code.to_string(),
            old_light: old.get(code).map(|l| l.to_string()),
            new_light: new.get(code).map(|l| l.to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::catalog::{builtin_tiexi, parse};
    use crate::store::plans::{find_plan, load_catalog};
    use ObservationStatus::{Final, Preliminary, Revised};

    fn entry(code: &str, year: i32, value: f64, status: ObservationStatus) -> SnapshotEntry {
        SnapshotEntry {
            code: code.into(),
            year,
            value,
            status,
        }
    }

    #[test]
    fn the_diff_lists_revisions_status_changes_additions_and_removals() {
        let previous = vec![
            entry("gdp", 2023, 1200.0, Preliminary),
            entry("gdp", 2024, 1300.0, Preliminary),
            entry("rd_intensity", 2023, 3.3, Final),
            entry("zero", 2023, 0.0, Final),
        ];
        let current = vec![
            entry("gdp", 2023, 1180.0, Revised),
            entry("gdp", 2024, 1300.0, Final),
            entry("rd_intensity", 2023, 3.3, Final),
            entry("new_urban_jobs", 2024, 1.1, Preliminary),
        ];
        let changes = diff_snapshots(&previous, &current);
        let find = |code: &str, year| changes.iter().find(|c| c.code == code && c.year == year);
        assert_eq!(changes.len(), 4, "{changes:?}");
        let gdp = find("gdp", 2023).unwrap();
        assert!(gdp.value_revised() && gdp.status_changed());
        assert_eq!((gdp.old_value, gdp.new_value), (Some(1200.0), Some(1180.0)));
        let finalized = find("gdp", 2024).unwrap();
        assert!(!finalized.value_revised() && finalized.status_changed());
        assert!(find("new_urban_jobs", 2024).unwrap().added());
        assert!(find("zero", 2023).unwrap().removed());
        assert!(find("rd_intensity", 2023).is_none());
    }

    #[test]
    fn identical_snapshots_have_no_changes() {
        let snapshot = vec![entry("gdp", 2023, 1200.0, Final)];
        assert!(diff_snapshots(&snapshot, &snapshot).is_empty());
    }

    #[test]
    fn snapshots_round_trip_through_json() {
        let snapshot = Snapshot {
            values: vec![entry("gdp", 2023, 1200.5, Revised)],
            lights: Some(vec![LightEntry {
                code: "gdp".into(),
                light: "green".into(),
            }]),
        };
        let json = serde_json::to_string(&snapshot).unwrap();
        assert_eq!(
            json,
            r#"{"values":[{"code":"gdp","year":2023,"value":1200.5,"status":"revised"}],"lights":[{"code":"gdp","light":"green"}]}"#
        );
        assert_eq!(parse_snapshot(&json).unwrap(), snapshot);
        assert!(
            parse_snapshot(r#"[{"code":"gdp","year":2023,"value":1,"status":"draft"}]"#).is_err()
        );
        assert!(parse_snapshot(r#"{"values":[],"colours":[]}"#).is_err());
    }

    #[test]
    fn snapshots_of_older_editions_are_bare_lists_of_values_without_lights() {
        let old = r#"[{"code":"gdp","year":2023,"value":1200.5,"status":"revised"}]"#;
        let snapshot = parse_snapshot(old).unwrap();
        assert_eq!(snapshot.values, vec![entry("gdp", 2023, 1200.5, Revised)]);
        assert_eq!(snapshot.lights, None);
    }

    #[test]
    fn the_light_diff_lists_indicators_whose_light_changed() {
        let light = |code: &str, light: &str| LightEntry {
            code: code.into(),
            light: light.into(),
        };
        let previous = [
            light("gdp", "green"),
            light("rd", "yellow"),
            light("old", "red"),
        ];
        let current = [
            light("gdp", "green"),
            light("rd", "red"),
            light("new", "grey"),
        ];
        let changes = diff_lights(&previous, &current);
        let summary: Vec<(&str, Option<&str>, Option<&str>)> = changes
            .iter()
            .map(|c| {
                (
                    c.code.as_str(),
                    c.old_light.as_deref(),
                    c.new_light.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("new", None, Some("grey")),
                ("old", Some("red"), None),
                ("rd", Some("yellow"), Some("red")),
            ]
        );
    }

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
            values: current_snapshot(&store, &plan).unwrap(),
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
        let previous = |edition, hash: &str| {
            previous_edition(&store, &plan, ReportKind::Annual, 2024, edition, hash)
                .unwrap()
                .map(|e| e.edition)
        };
        assert_eq!(previous(3, &hash), Some(2));
        assert_eq!(previous(2, "other"), Some(1));
        assert_eq!(previous(1, &hash), None);
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
