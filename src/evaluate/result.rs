//! The evaluation's output: one record per indicator, the data problems found,
//! and the roll-ups (counted in `rollup`). The report layer reads these and nothing else.

use super::rollup::{Counted, RollUps};
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

    /// What the roll-ups count of this indicator.
    pub fn counted(&self) -> Counted<'_> {
        Counted {
            status: self.status(),
            chapter: self.chapter,
            department: &self.department,
            nature: self.nature,
        }
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
