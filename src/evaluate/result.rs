//! The evaluation's output: one record per indicator, the data problems found,
//! and the roll-ups (counted in `rollup`). The report layer reads these and nothing else.

use super::rollup::RollUps;
use super::rules::{Assessment, Status};
use crate::model::PlanRecord;
use crate::model::{Better, Nature, PathShape, TargetKind};

use crate::model::OfficeVerdict;
use serde::Serialize;

/// A value that was excluded from the verdict, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataProblem {
    pub code: String,
    pub year: Option<i32>,
    pub value: Option<f64>,
    pub problem: String,
}

/// The verdict on one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub plan: String,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub chapter: u32,
    pub section: Option<u32>,
    pub nature: Nature,
    pub kind: TargetKind,
    pub better: Better,
    pub path: PathShape,
    pub department: String,
    pub baseline_year: Option<i32>,
    pub baseline_value: Option<f64>,
    pub target_year: i32,
    pub target_value: Option<f64>,
    #[serde(flatten)]
    pub assessment: Assessment,
    /// The light of the growth-rate-ratio method, for comparison.
    pub cagr_status: Option<Status>,
    pub office_verdict: Option<OfficeVerdict>,
    /// The valid values used, by year (chained changes for year-on-year reporting).
    pub series: Vec<(i32, f64)>,
    /// True when any value used is demo or synthetic data.
    pub illustrative: bool,
    pub data_problems: Vec<DataProblem>,
}

impl IndicatorResult {
    /// The computed light.
    pub fn status(&self) -> Status {
        self.assessment.status
    }
}

/// The evaluation of one plan for one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanEvaluation {
    pub plan: PlanRecord,
    pub year: i32,
    pub indicators: Vec<IndicatorResult>,
    pub rollups: RollUps,
    /// Problems with values of this plan (also attached to each indicator).
    pub problems: Vec<DataProblem>,
}
