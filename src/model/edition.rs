//! A report edition as the reports see it: the values and lights an edition
//! showed (its snapshot), the recorded edition, and the pure comparison of two
//! snapshots (values revised, statuses and lights changed), so a second
//! edition can say what was revised since the first.

use crate::model::{ObservationStatus, PlanRecord, ReportKind};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

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

/// A recorded edition.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    pub edition: u32,
    pub published_at: String,
    pub data_hash: String,
    pub snapshot: Snapshot,
}

/// What the store holds about the editions of one report (plan, kind, year),
/// read with the data the report is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct EditionHistory {
    /// SHA-256 of the plan's catalog and observations, in hex.
    pub data_hash: String,
    /// The plan's current values, by indicator code and year.
    pub values: Vec<SnapshotEntry>,
    /// The latest recorded edition, if any.
    pub latest: Option<Edition>,
    /// The latest recorded edition built from other data than `data_hash`:
    /// the one a report on this data is compared with.
    pub previous: Option<Edition>,
}

/// A report edition to record once its files are written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEdition {
    pub plan: PlanRecord,
    pub kind: ReportKind,
    pub year: i32,
    /// The number the report's files print.
    pub number: u32,
    pub data_hash: String,
    pub snapshot: Snapshot,
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
}
