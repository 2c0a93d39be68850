//! The evaluation's output: one record per indicator, the data problems found,
//! and roll-ups. The report layer reads these and nothing else.

use super::rules::{Assessment, Status};
use crate::model::{Better, Nature, PathShape, TargetKind};
use crate::store::plans::PlanRecord;
use serde::Serialize;

/// The office's own verdict for an indicator and year, shown beside the computed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeVerdict {
    pub status: Status,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

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

    /// The light `method` gives; grey where the growth-rate method does not apply.
    pub fn status_by(&self, method: Method) -> Status {
        match method {
            Method::PlanPath => self.status(),
            Method::CagrRatio => self.cagr_status.unwrap_or(Status::Grey),
        }
    }
}

/// The assessment methods, either of which may decide the light shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Progress against the planned path at the time elapsed (序时进度).
    #[default]
    PlanPath,
    /// Observed growth rate divided by the growth rate required (Open SDG, Statistics Canada).
    CagrRatio,
}

/// Counts of indicators by light.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub grey: usize,
    pub total: usize,
}

impl StatusCounts {
    /// Adds `n` indicators with `status`.
    pub fn add(&mut self, status: Status, n: usize) {
        match status {
            Status::Green => self.green += n,
            Status::Yellow => self.yellow += n,
            Status::Red => self.red += n,
            Status::Grey => self.grey += n,
        }
        self.total += n;
    }

    /// The count for one light.
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Green => self.green,
            Status::Yellow => self.yellow,
            Status::Red => self.red,
            Status::Grey => self.grey,
        }
    }
}

/// Status counts for the plan and by chapter, department and nature.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RollUps {
    pub overall: StatusCounts,
    pub by_chapter: Vec<(u32, StatusCounts)>,
    pub by_department: Vec<(String, StatusCounts)>,
    pub by_nature: Vec<(Nature, StatusCounts)>,
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
