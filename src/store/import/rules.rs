//! The pure plausibility rules of an import: which values are impossible for an
//! indicator (errors) and which jumps against the previous year deserve a second
//! look (warnings). docs/import.md states each rule in words.

use crate::model::{unit_is_percent, TargetKind, ValueKind};

/// A level that moves by more than this share against the previous year, or a
/// year-on-year change larger than this (as a share), is flagged for checking.
pub const JUMP_LIMIT: f64 = 0.5;

/// Why a value cannot be right for its indicator, if it cannot.
///
/// Levels follow the evaluation's own rule (so nothing is imported that the
/// evaluation would later throw out): no negative levels except for
/// qualitative indicators, which may be balances or rates of change, and no
/// share above 100 for indicators measured in `%`. A year-on-year change is a
/// percentage and may be negative, but nothing can fall by more than 100%.
pub fn impossible_value(
    unit: &str,
    kind: TargetKind,
    value_kind: ValueKind,
    value: f64,
) -> Option<String> {
    match value_kind {
        ValueKind::Level if value < 0.0 && kind != TargetKind::Qualitative => Some(format!(
            "{value} is negative, which is impossible for a value measured in {unit}"
        )),
        ValueKind::Level if unit_is_percent(unit) && value > 100.0 => {
            Some(format!("{value}% is a share above 100%"))
        }
        ValueKind::YoyChange if value < -100.0 => Some(format!(
            "a year-on-year change of {value}% is impossible (nothing falls by more than 100%)"
        )),
        _ => None,
    }
}

/// The previous year's value an import is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreviousValue {
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
}

/// A warning for an implausible jump, if the value makes one.
///
/// - A level is compared with the previous year's level: more than ±50% change
///   is flagged. Nothing is compared when the previous level is zero or
///   negative (any change from zero would be "infinite"; counts of accidents
///   legitimately go from 0 to 1).
/// - A year-on-year change is itself the change against the previous year, so a
///   change beyond ±50% is flagged whatever came before.
/// - A value whose kind differs from the previous year's (level after a
///   year-on-year change, or the reverse) is flagged, because the evaluation
///   cannot chain a mixed series.
pub fn jump_warning(
    value_kind: ValueKind,
    value: f64,
    previous: Option<PreviousValue>,
) -> Option<String> {
    if let Some(previous) = previous {
        if previous.value_kind != value_kind {
            return Some(format!(
                "{} was reported as {}, this value as {}; a series should keep one kind",
                previous.year, previous.value_kind, value_kind
            ));
        }
    }
    match value_kind {
        ValueKind::YoyChange if value.abs() > JUMP_LIMIT * 100.0 => Some(format!(
            "a year-on-year change of {value}% is beyond ±{}%; please check the value",
            JUMP_LIMIT * 100.0
        )),
        ValueKind::YoyChange => None,
        ValueKind::Level => {
            let previous = previous?;
            if previous.value <= 0.0 {
                return None;
            }
            let change = value / previous.value - 1.0;
            (change.abs() > JUMP_LIMIT).then(|| {
                format!(
                    "{:+.0}% against {} ({} → {}), beyond ±{}%; please check the value and its unit",
                    change * 100.0,
                    previous.year,
                    previous.value,
                    value,
                    JUMP_LIMIT * 100.0
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(year: i32, value: f64) -> Option<PreviousValue> {
        Some(PreviousValue {
            year,
            value,
            value_kind: ValueKind::Level,
        })
    }

    #[test]
    fn negative_levels_and_shares_above_100_are_impossible() {
        let impossible = |unit, kind, value_kind, value| {
            impossible_value(unit, kind, value_kind, value).is_some()
        };
        assert!(impossible(
            "亿元",
            TargetKind::AtLeast,
            ValueKind::Level,
            -1.0
        ));
        assert!(impossible(
            "%",
            TargetKind::AtLeast,
            ValueKind::Level,
            100.5
        ));
        assert!(!impossible(
            "%",
            TargetKind::AtLeast,
            ValueKind::Level,
            100.0
        ));
        assert!(!impossible(
            "家",
            TargetKind::AtLeast,
            ValueKind::Level,
            0.0
        ));
        assert!(!impossible(
            "亿元",
            TargetKind::Qualitative,
            ValueKind::Level,
            -3.0
        ));
        assert!(!impossible(
            "亿元",
            TargetKind::AtLeast,
            ValueKind::Level,
            250.0
        ));
    }

    #[test]
    fn year_on_year_changes_may_be_negative_but_not_below_minus_100() {
        let kind = TargetKind::RelativeChange;
        assert!(impossible_value("吨", kind, ValueKind::YoyChange, -3.5).is_none());
        assert!(impossible_value("%", kind, ValueKind::YoyChange, 150.0).is_none());
        assert!(impossible_value("吨", kind, ValueKind::YoyChange, -100.5).is_some());
    }

    #[test]
    fn a_level_jump_beyond_half_is_flagged() {
        assert!(jump_warning(ValueKind::Level, 151.0, level(2023, 100.0)).is_some());
        assert!(jump_warning(ValueKind::Level, 49.0, level(2023, 100.0)).is_some());
        assert!(jump_warning(ValueKind::Level, 150.0, level(2023, 100.0)).is_none());
        assert!(jump_warning(ValueKind::Level, 60.0, level(2023, 100.0)).is_none());
    }

    #[test]
    fn nothing_is_compared_without_a_positive_previous_level() {
        assert!(jump_warning(ValueKind::Level, 5.0, None).is_none());
        assert!(jump_warning(ValueKind::Level, 1.0, level(2023, 0.0)).is_none());
    }

    #[test]
    fn a_year_on_year_change_is_its_own_jump() {
        assert!(jump_warning(ValueKind::YoyChange, -60.0, None).is_some());
        assert!(jump_warning(ValueKind::YoyChange, -4.0, None).is_none());
    }

    #[test]
    fn switching_value_kind_is_flagged() {
        let warning = jump_warning(ValueKind::YoyChange, -2.0, level(2023, 100.0));
        assert!(warning.is_some_and(|w| w.contains("one kind")));
    }
}
