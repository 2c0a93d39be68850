//! Which edition a report is, and what changed since the edition before.
//!
//! A report is an edition of (plan, report kind, year). Its number follows from
//! the data it is built from: when the latest recorded edition was built from
//! the same data (the same `data_hash`), the report *is* that edition again and
//! nothing is recorded, so rerunning gives byte-identical files; otherwise it is
//! the next edition, recorded once its files are written. Either way it is
//! compared with the latest earlier edition built from other data.

use crate::error::{Error, Result};
use crate::evaluate::PlanEvaluation;
use crate::store::editions::{
    current_snapshot, data_hash, diff_lights, diff_snapshots, latest_edition, previous_edition,
    record_edition, Edition, EditionChange, LightChange, LightEntry, Snapshot,
};
use crate::store::plans::PlanRecord;
use crate::store::reports::ReportKind;
use crate::store::Store;

/// A report's edition: its number, the data it is built from, and the changes
/// since the previous edition.
#[derive(Debug, Clone)]
pub struct ReportEdition {
    /// The plan the report is about.
    pub plan: PlanRecord,
    /// Annual report or mid-term evaluation.
    pub kind: ReportKind,
    /// The year evaluated.
    pub year: i32,
    /// The edition number (1, 2 …).
    pub number: u32,
    /// SHA-256 of the plan's catalog and observations, in hex.
    pub data_hash: String,
    /// The values and lights this report shows, stored with a new edition.
    pub snapshot: Snapshot,
    /// True when no edition was recorded from this data yet: `record` will record it.
    pub is_new: bool,
    /// The edition compared with: the latest earlier one built from other data.
    pub previous: Option<Edition>,
    /// Values revised, statuses changed, values added or gone since `previous`.
    pub changes: Vec<EditionChange>,
    /// Indicators whose computed light changed since `previous`; `None` when
    /// there is no previous edition or it predates stored lights.
    pub light_changes: Option<Vec<LightChange>>,
}

/// Works out the edition of a report on `evaluation` from the store's record of
/// earlier editions; records nothing.
pub fn resolve(
    store: &Store,
    evaluation: &PlanEvaluation,
    kind: ReportKind,
) -> Result<ReportEdition> {
    let plan = &evaluation.plan;
    let year = evaluation.year;
    let hash = data_hash(store, plan)?;
    let (number, is_new) = match latest_edition(store, plan, kind, year)? {
        Some(latest) if latest.data_hash == hash => (latest.edition, false),
        Some(latest) => (latest.edition + 1, true),
        None => (1, true),
    };
    let snapshot = Snapshot {
        values: current_snapshot(store, plan)?,
        lights: Some(
            evaluation
                .indicators
                .iter()
                .map(|i| LightEntry {
                    code: i.code.clone(),
                    light: i.status().as_str().to_string(),
                })
                .collect(),
        ),
    };
    let previous = previous_edition(store, plan, kind, year, number, &hash)?;
    let changes = previous
        .as_ref()
        .map(|p| diff_snapshots(&p.snapshot.values, &snapshot.values))
        .unwrap_or_default();
    let light_changes = previous.as_ref().and_then(|p| {
        let before = p.snapshot.lights.as_deref()?;
        Some(diff_lights(
            before,
            snapshot.lights.as_deref().unwrap_or_default(),
        ))
    });
    Ok(ReportEdition {
        plan: plan.clone(),
        kind,
        year,
        number,
        data_hash: hash,
        snapshot,
        is_new,
        previous,
        changes,
        light_changes,
    })
}

impl ReportEdition {
    /// Records this edition if it is new; call it once the report's files are
    /// written. Returns the number recorded, or `None` when the edition was
    /// recorded before. The hash and snapshot are those the report was built
    /// from, so values imported meanwhile do not matter; but when another run
    /// recorded an edition of the same report meanwhile, the number printed in
    /// the files is taken, so nothing is recorded and the error says to run again.
    pub fn record(&self, store: &mut Store) -> Result<Option<u32>> {
        if !self.is_new {
            return Ok(None);
        }
        let latest = latest_edition(store, &self.plan, self.kind, self.year)?;
        if latest.map_or(0, |e| e.edition) + 1 != self.number {
            return Err(Error::Busy {
                what: format!("{} {} {}", self.plan.code, self.kind, self.year),
                detail: format!(
                    "another run recorded edition {} of this report meanwhile; it was not recorded again, run the report again",
                    self.number
                ),
            });
        }
        record_edition(
            store,
            &self.plan,
            self.kind,
            self.year,
            &self.data_hash,
            &self.snapshot,
        )
        .map(Some)
    }

    /// Records this edition like [`ReportEdition::record`], except on a database
    /// this user may only read: the report's files are written by then, so they
    /// stay, the edition goes unrecorded, and the returned warning says so (the
    /// next run by someone who may write records it; docs/sharing.md).
    pub fn record_unless_read_only(&self, store: &mut Store) -> Result<Option<String>> {
        match self.record(store) {
            Ok(_) => Ok(None),
            Err(Error::NoAccess { path, detail }) => Ok(Some(format!(
                "edition {} of the {} {} report was not recorded in {}: {detail}; the files \
                 are written, and the next run by a user who may write the database records it",
                self.number,
                self.kind,
                self.year,
                path.display()
            ))),
            Err(other) => Err(other),
        }
    }
}
