//! The vocabulary shared by the store, the evaluation and the reports: what kind
//! of target an indicator has, its nature, which direction is good, the status
//! light, the report kinds, and so on; each enum round-trips through the text
//! stored in SQLite and in catalog files. Also the plain data the layers hand
//! each other: the plan (its `plan.toml` and stored record, with the one check
//! that a year lies inside it), chapters and data sources here, what the store
//! reads for an evaluation and a report in [`stored`], and report editions in
//! [`edition`].

use serde::Serialize;
use std::fmt;

pub mod edition;
pub mod stored;

pub use stored::{
    Baseline, CommentaryChapter, EvaluationInput, Indicator, OfficeVerdict, ReportSnapshot,
    StoredCommentary, StoredIndicator, StoredObservation,
};

/// Declares a text-backed enum: `as_str` gives the stored form, `parse` reads it back.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The form stored in the database and in catalog files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the stored form; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The accepted spellings, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(" | ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// How a target is stated in the plan, which decides how progress is measured.
    TargetKind {
        /// Reach at least a level by the target year (突破, 达到).
        AtLeast => "at_least",
        /// Stay at or below a cap (控制在…以内).
        AtMost => "at_most",
        /// Hold a level in every year (保持, 动态为零).
        Maintain => "maintain",
        /// An amount every year (每年新增).
        PerYear => "per_year",
        /// A total over the plan period (累计).
        Cumulative => "cumulative",
        /// An average annual growth rate in percent (年均增长).
        AvgGrowth => "avg_growth",
        /// A change in percent over the whole period (降低〔13.5%〕).
        RelativeChange => "relative_change",
        /// No numeric target (保持在合理区间): monitored, not assessed by rule.
        Qualitative => "qualitative",
    }
);

text_enum!(
    /// 约束性 (binding) or 预期性 (expected) indicator.
    Nature {
        Binding => "约束性",
        Expected => "预期性",
    }
);

text_enum!(
    /// Who made a statement about an indicator: the plan itself or the office.
    Attribution {
        Plan => "plan",
        Office => "office",
    }
);

text_enum!(
    /// Which direction of change is good.
    Better {
        Higher => "higher",
        Lower => "lower",
    }
);

text_enum!(
    /// The planned path from baseline to target used for "expected by now".
    PathShape {
        Linear => "linear",
        Compound => "compound",
    }
);

text_enum!(
    /// How far an observation has come through the statistical process.
    #[derive(clap::ValueEnum)]
    ObservationStatus {
        /// 初步数: may still change without --revise.
        Preliminary => "preliminary",
        /// 最终数: later changes need --revise --reason.
        Final => "final",
        /// 修订数: a final value changed with --revise; never imported as such.
        #[value(skip)]
        Revised => "revised",
    }
);

text_enum!(
    /// What an observed value means: the level itself, or a year-on-year change in percent.
    ValueKind {
        Level => "level",
        YoyChange => "yoy_change",
    }
);

text_enum!(
    /// Which report an edition belongs to.
    #[derive(clap::ValueEnum)]
    ReportKind {
        /// The annual monitoring report (年度监测报告).
        Annual => "annual",
        /// The mid-term evaluation (中期评估报告).
        Midterm => "midterm",
    }
);

impl ObservationStatus {
    /// Chinese label used in reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            ObservationStatus::Preliminary => "初步数",
            ObservationStatus::Final => "最终数",
            ObservationStatus::Revised => "修订数",
        }
    }
}

impl TargetKind {
    /// The direction of improvement a kind implies, if it implies one.
    pub fn implied_better(self) -> Option<Better> {
        match self {
            TargetKind::AtLeast
            | TargetKind::PerYear
            | TargetKind::Cumulative
            | TargetKind::AvgGrowth => Some(Better::Higher),
            TargetKind::AtMost => Some(Better::Lower),
            TargetKind::Maintain | TargetKind::RelativeChange | TargetKind::Qualitative => None,
        }
    }

    /// Chinese label used in reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            TargetKind::AtLeast => "达到",
            TargetKind::AtMost => "控制在以内",
            TargetKind::Maintain => "保持",
            TargetKind::PerYear => "每年",
            TargetKind::Cumulative => "累计",
            TargetKind::AvgGrowth => "年均增长",
            TargetKind::RelativeChange => "五年累计变化",
            TargetKind::Qualitative => "定性",
        }
    }
}

impl PathShape {
    /// Default when the catalog leaves the path empty: rates, shares and caps move
    /// linearly; volumes (money, counts, people) grow at a compound rate.
    pub fn default_for(unit: &str, kind: TargetKind) -> PathShape {
        let is_rate = unit.contains('%') || unit.contains('‰') || unit.contains("百分点");
        if is_rate || matches!(kind, TargetKind::AtMost | TargetKind::Maintain) {
            PathShape::Linear
        } else {
            PathShape::Compound
        }
    }
}

/// The status light of the plan's 红黄绿灯 monitoring.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 达到或快于序时进度.
    Green,
    /// 略慢于序时进度, within the tolerance.
    Yellow,
    /// 明显滞后, or a cap exceeded.
    Red,
    /// No data, or not assessable by rule.
    Grey,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 4] = [Status::Green, Status::Yellow, Status::Red, Status::Grey];

    /// The stored form ("green").
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Yellow => "yellow",
            Status::Red => "red",
            Status::Grey => "grey",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The colour word (绿灯 …), so status never depends on colour alone.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Green => "绿灯",
            Status::Yellow => "黄灯",
            Status::Red => "红灯",
            Status::Grey => "灰灯",
        }
    }

    /// What the light means.
    pub fn meaning_zh(self) -> &'static str {
        match self {
            Status::Green => "达到或快于序时进度",
            Status::Yellow => "略慢于序时进度",
            Status::Red => "明显滞后",
            Status::Grey => "无数据或不按规则评价",
        }
    }
}

/// `plan.toml`: what the plan is and when it runs. A stored plan
/// ([`PlanRecord`]) is this with its database id.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub code: String,
    pub title: String,
    pub short_title: String,
    pub region: String,
    pub period_start: i32,
    pub period_end: i32,
    pub base_year: i32,
    pub midterm_year: i32,
    pub adopted: Option<String>,
    pub issuer: String,
    /// The statistics office that publishes the monitoring reports.
    pub office: String,
    /// File name (in the catalog directory) of the plan's full text.
    pub source_document: String,
}

/// A plan as stored: its `plan.toml` and its database id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRecord {
    pub id: i64,
    /// What the catalog's `plan.toml` says; its fields read through `Deref`
    /// (`plan.code`), as they did when the record repeated them.
    #[serde(flatten)]
    pub file: PlanFile,
}

// A record *is* its plan file plus an id; reading `plan.code` instead of
// `plan.file.code` keeps the many readers of a plan short.
impl std::ops::Deref for PlanRecord {
    type Target = PlanFile;

    fn deref(&self) -> &PlanFile {
        &self.file
    }
}

/// Which years a `--year` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearSpan {
    /// The plan period (`period_start..=period_end`): evaluations, reports,
    /// verdicts, commentary.
    Period,
    /// The base year and the plan period: the years values are collected for.
    WithBaseYear,
}

impl PlanFile {
    /// The first and last year of `span`.
    pub fn years(&self, span: YearSpan) -> (i32, i32) {
        match span {
            YearSpan::Period => (self.period_start, self.period_end),
            YearSpan::WithBaseYear => (self.base_year, self.period_end),
        }
    }

    /// The year a report evaluates: the one asked for, or the plan's mid-term
    /// year for the mid-term report; it must lie inside the plan period.
    pub fn report_year(&self, kind: ReportKind, year: Option<i32>) -> crate::Result<i32> {
        match (kind, year) {
            (_, Some(year)) => self.check_year(year, YearSpan::Period),
            (ReportKind::Midterm, None) => Ok(self.midterm_year),
            (ReportKind::Annual, None) => Err(crate::Error::Usage(
                "report annual needs --year".to_string(),
            )),
        }
    }

    /// `year` when it lies inside `span` of the plan; otherwise the one usage
    /// error every command gives for a year outside the plan.
    pub fn check_year(&self, year: i32, span: YearSpan) -> crate::Result<i32> {
        let (first, last) = self.years(span);
        if (first..=last).contains(&year) {
            return Ok(year);
        }
        let what = match span {
            YearSpan::Period => "the plan period",
            YearSpan::WithBaseYear => "the base year and plan period",
        };
        Err(crate::Error::Usage(format!(
            "--year {year} is outside {what} {first}-{last} of {}",
            self.code
        )))
    }
}

/// A chapter (第X章) with its sections (第X节).
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    pub number: u32,
    pub title: String,
    pub sections: Vec<Section>,
}

/// A section (第X节) of a chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub number: u32,
    pub title: String,
}

/// One department's share of the data a report uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// Department code.
    pub code: String,
    /// Full department name.
    pub name: String,
    /// Short name (统计局) for tables.
    pub short_name: String,
    /// Indicators the department is responsible for.
    pub indicators: usize,
    /// Observations (up to the report year) it supplied.
    pub observations: usize,
    /// The distinct `source` texts of those observations, sorted.
    pub sources: Vec<String>,
}

/// True when a unit is a share that cannot exceed 100 (used to flag impossible values).
pub fn unit_is_percent(unit: &str) -> bool {
    unit.trim() == "%"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_their_stored_form() {
        for kind in TargetKind::ALL {
            assert_eq!(TargetKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(Nature::parse("约束性"), Some(Nature::Binding));
        assert_eq!(Nature::parse("binding"), None);
    }

    #[test]
    fn status_reads_back_its_stored_form() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("Green"), None);
        assert_eq!(Status::parse(""), None);
    }

    #[test]
    fn default_path_is_linear_for_rates_and_compound_for_volumes() {
        assert_eq!(
            PathShape::default_for("%", TargetKind::AtLeast),
            PathShape::Linear
        );
        assert_eq!(
            PathShape::default_for("亿元", TargetKind::AtLeast),
            PathShape::Compound
        );
        assert_eq!(
            PathShape::default_for("亿元", TargetKind::AtMost),
            PathShape::Linear
        );
    }
}
