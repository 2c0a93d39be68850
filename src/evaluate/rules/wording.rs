//! Sentence pieces shared by the target families: the pace sentence, the note
//! on time elapsed and lists of years. The figures come from `crate::text`, so
//! every family prints numbers, percentages and units the same way.

use super::{Assessment, TargetSpec};
use crate::text::{percent, with_unit};

/// "2023年实际值1200亿元，按序时进度应达1275.4亿元，完成序时进度的73%（时间进度60%）".
pub(super) fn pace_sentence(
    spec: &TargetSpec,
    a: &Assessment,
    latest_year: i32,
    latest: f64,
    expected: f64,
    ratio: f64,
) -> String {
    format!(
        "{latest_year}年实际值{}，按序时进度应达{}，完成序时进度的{}",
        with_unit(latest, &spec.unit),
        with_unit(expected, &spec.unit),
        percent(ratio)
    ) + &time_note(a)
}

/// "（时间进度60%）", or nothing when time elapsed is unknown.
pub(super) fn time_note(a: &Assessment) -> String {
    a.time_elapsed
        .map(|f| format!("（时间进度{}）", percent(f)))
        .unwrap_or_default()
}

/// "2021年、2023年".
pub(super) fn year_list(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| format!("{y}年"))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_listed_with_the_chinese_comma() {
        assert_eq!(year_list(&[2021, 2023]), "2021年、2023年");
        assert_eq!(year_list(&[]), "");
    }
}
