//! The vocabulary shared by the store, the evaluation and the reports: what kind
//! of target an indicator has, its nature, which direction is good, and so on.
//! Each enum round-trips through the text stored in SQLite and in catalog files.

use serde::Serialize;
use std::fmt;

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
