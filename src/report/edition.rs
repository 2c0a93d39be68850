//! Which edition a report is, and what changed since the edition before.
//!
//! A report is an edition of (plan, report kind, year). Its number follows from
//! the data it is built from: when the latest recorded edition was built from
//! the same data (the same `data_hash`), the report *is* that edition again and
//! nothing is recorded, so rerunning gives byte-identical files; otherwise it is
//! the next edition, recorded once its files are written. Either way it is
//! compared with the latest earlier edition built from other data.

use crate::evaluate::PlanEvaluation;
use crate::model::edition::{
    diff_lights, diff_snapshots, Edition, EditionChange, EditionHistory, LightChange, LightEntry,
    NewEdition, Snapshot,
};
use crate::model::{PlanRecord, ReportKind};

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
    /// True when no edition was recorded from this data yet: it is recorded
    /// once the report's files are written.
    pub is_new: bool,
    /// The edition compared with: the latest earlier one built from other data.
    pub previous: Option<Edition>,
    /// Values revised, statuses changed, values added or gone since `previous`.
    pub changes: Vec<EditionChange>,
    /// Indicators whose computed light changed since `previous`; `None` when
    /// there is no previous edition or it predates stored lights.
    pub light_changes: Option<Vec<LightChange>>,
}

/// Works out the edition of a report on `evaluation` from the store's record
/// of earlier editions, read with the data the evaluation was computed from.
pub fn resolve(
    history: &EditionHistory,
    evaluation: &PlanEvaluation,
    kind: ReportKind,
) -> ReportEdition {
    let hash = &history.data_hash;
    let (number, is_new) = match &history.latest {
        Some(latest) if &latest.data_hash == hash => (latest.edition, false),
        Some(latest) => (latest.edition + 1, true),
        None => (1, true),
    };
    let snapshot = Snapshot {
        values: history.values.clone(),
        lights: Some(lights(evaluation)),
    };
    let previous = history.previous.clone();
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
    ReportEdition {
        plan: evaluation.plan.clone(),
        kind,
        year: evaluation.year,
        number,
        data_hash: hash.clone(),
        snapshot,
        is_new,
        previous,
        changes,
        light_changes,
    }
}

/// Each indicator's computed light, as an edition stores it.
fn lights(evaluation: &PlanEvaluation) -> Vec<LightEntry> {
    evaluation
        .indicators
        .iter()
        .map(|i| LightEntry {
            code: i.code.clone(),
            light: i.status().as_str().to_string(),
        })
        .collect()
}

impl ReportEdition {
    /// The edition to record once the report's files are written; `None` when
    /// this data was published as this edition before.
    pub fn to_record(&self) -> Option<NewEdition> {
        self.is_new.then(|| NewEdition {
            plan: self.plan.clone(),
            kind: self.kind,
            year: self.year,
            number: self.number,
            data_hash: self.data_hash.clone(),
            snapshot: self.snapshot.clone(),
        })
    }
}
