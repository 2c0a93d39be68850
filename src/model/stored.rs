//! What the store hands to the evaluation and the reports: indicators and
//! observations as stored, the office's verdicts and commentary, and the whole
//! input of an evaluation. Plain data, so neither the evaluation nor the
//! reports need the store to read it.

use crate::model::edition::EditionHistory;
use crate::model::{
    Attribution, Better, Chapter, DataSource, Nature, ObservationStatus, PathShape, PlanRecord,
    ReportKind, Status, TargetKind, ValueKind,
};
use serde::Serialize;
use std::collections::HashMap;

/// A value the plan states for a year before the period, with its quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub year: i32,
    pub value: f64,
    pub quote: String,
}

/// One quantitative target of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub chapter: u32,
    pub section: Option<u32>,
    pub nature: Nature,
    pub nature_by: Attribution,
    pub kind: TargetKind,
    pub better: Better,
    pub baseline: Option<Baseline>,
    pub target_year: i32,
    pub target_value: Option<f64>,
    pub path: PathShape,
    pub department: String,
    pub department_by: Attribution,
    pub source_quote: String,
    pub note: Option<String>,
}

/// An indicator as stored, with its database id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredIndicator {
    pub id: i64,
    pub plan_id: i64,
    pub definition: Indicator,
}

/// An observation as stored, flattened for the evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObservation {
    pub indicator_id: i64,
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
    pub status: ObservationStatus,
    pub illustrative: bool,
}

/// The office's own verdict for an indicator and year, shown beside the computed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeVerdict {
    pub status: Status,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Where a commentary belongs: the foreword (`None`) or a chapter number.
pub type CommentaryChapter = Option<u32>;

/// One stored commentary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCommentary {
    /// The chapter, or `None` for the foreword.
    pub chapter: CommentaryChapter,
    /// The Markdown text.
    pub body: String,
    /// Who wrote it last.
    pub updated_by: String,
    /// When it was last written (UTC, ISO 8601).
    pub updated_at: String,
}

/// Everything the evaluation reads, read from the store beforehand.
#[derive(Debug, Clone, Default)]
pub struct EvaluationInput {
    pub plans: Vec<PlanRecord>,
    pub indicators: Vec<StoredIndicator>,
    pub observations: Vec<StoredObservation>,
    /// Office verdicts by (indicator id, year).
    pub verdicts: HashMap<(i64, i32), OfficeVerdict>,
    /// Each plan's catalog hash, read with its indicators (see `data_hash`).
    pub catalog_hashes: HashMap<i64, String>,
}

/// Everything one plan's report needs, read from the store in one read
/// transaction: the evaluation's input, the plan's structure, commentary,
/// sources, the latest change and the report's earlier editions.
#[derive(Debug, Clone)]
pub struct ReportSnapshot {
    /// The plan the report is about.
    pub plan: PlanRecord,
    /// Annual report or mid-term evaluation.
    pub kind: ReportKind,
    /// The year evaluated, inside the plan period.
    pub year: i32,
    /// The evaluation's input, of this plan only; `None` when the reader
    /// already holds an evaluation of this very data (a batch whose data hash
    /// equals [`EditionHistory::data_hash`]), so it is not read again.
    pub input: Option<EvaluationInput>,
    /// The plan's chapters and sections, in plan order.
    pub structure: Vec<Chapter>,
    /// The commentary stored for this report, foreword first.
    pub commentary: Vec<StoredCommentary>,
    /// The departments that supplied the data, by code.
    pub sources: Vec<DataSource>,
    /// When anything the report shows was last recorded (UTC, ISO 8601).
    pub latest_change: Option<String>,
    /// The data hash and the report's recorded editions.
    pub editions: EditionHistory,
}
