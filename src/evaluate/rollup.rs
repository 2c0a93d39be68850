//! Roll-ups: how many indicators carry each light, for the plan and by chapter,
//! department and nature. A typed fold over each indicator's `Status`, done per
//! plan where its indicators are assessed; counts are plain sums, so plans
//! evaluated alone, in a batch or on separate machines add up exactly.

use super::rules::Status;
use crate::model::Nature;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Counts one more indicator with `status`.
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Green => self.green += 1,
            Status::Yellow => self.yellow += 1,
            Status::Red => self.red += 1,
            Status::Grey => self.grey += 1,
        }
        self.total += 1;
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

impl FromIterator<Status> for StatusCounts {
    fn from_iter<I: IntoIterator<Item = Status>>(statuses: I) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for status in statuses {
            counts.add(status);
        }
        counts
    }
}

/// Status counts for the plan and by chapter, department and nature, each
/// group list in ascending order of its key.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RollUps {
    pub overall: StatusCounts,
    pub by_chapter: Vec<(u32, StatusCounts)>,
    pub by_department: Vec<(String, StatusCounts)>,
    pub by_nature: Vec<(Nature, StatusCounts)>,
}

/// What the roll-ups count of one indicator: its light and the keys it is
/// grouped by. The evaluation's results give one each
/// (`IndicatorResult::counted`), so this file needs nothing of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted<'a> {
    pub status: Status,
    pub chapter: u32,
    pub department: &'a str,
    pub nature: Nature,
}

impl RollUps {
    /// Counts the lights of one plan's indicators.
    pub fn of(indicators: &[Counted<'_>]) -> RollUps {
        RollUps {
            overall: indicators.iter().map(|i| i.status).collect(),
            by_chapter: counts_by(indicators, |i| i.chapter),
            by_department: counts_by(indicators, |i| i.department)
                .into_iter()
                .map(|(department, counts)| (department.to_string(), counts))
                .collect(),
            by_nature: counts_by(indicators, |i| i.nature),
        }
    }
}

/// The counts of each value of `key` that occurs, in ascending order of the key.
fn counts_by<'a, K: Ord>(
    indicators: &[Counted<'a>],
    key: impl Fn(&Counted<'a>) -> K,
) -> Vec<(K, StatusCounts)> {
    let mut groups: BTreeMap<K, StatusCounts> = BTreeMap::new();
    for indicator in indicators {
        groups
            .entry(key(indicator))
            .or_default()
            .add(indicator.status);
    }
    groups.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An indicator of chapter `chapter` with the light `status`.
    fn indicator(
        chapter: u32,
        department: &'static str,
        nature: Nature,
        status: Status,
    ) -> Counted<'static> {
        Counted {
            status,
            chapter,
            department,
            nature,
        }
    }

    fn counts(green: usize, yellow: usize, red: usize, grey: usize) -> StatusCounts {
        StatusCounts {
            green,
            yellow,
            red,
            grey,
            total: green + yellow + red + grey,
        }
    }

    #[test]
    fn each_light_is_counted_once_and_in_the_total() {
        let statuses = [
            Status::Green,
            Status::Red,
            Status::Green,
            Status::Grey,
            Status::Yellow,
        ];
        let counted: StatusCounts = statuses.into_iter().collect();
        assert_eq!(counted, counts(2, 1, 1, 1));
        for status in Status::ALL {
            assert_eq!(
                counted.get(status),
                statuses.iter().filter(|s| **s == status).count()
            );
        }
        assert_eq!(
            std::iter::empty().collect::<StatusCounts>(),
            counts(0, 0, 0, 0)
        );
    }

    #[test]
    fn groups_are_counted_in_the_order_of_their_keys() {
        use Nature::{Binding, Expected};
        let indicators = [
            indicator(10, "stats", Expected, Status::Green),
            indicator(2, "agri", Binding, Status::Red),
            indicator(10, "agri", Expected, Status::Yellow),
            indicator(2, "stats", Expected, Status::Green),
            indicator(3, "agri", Binding, Status::Grey),
        ];
        let rollups = RollUps::of(&indicators);
        assert_eq!(rollups.overall, counts(2, 1, 1, 1));
        // Chapters as numbers: 10 comes after 3, not between 2 and 3 as text would sort it.
        assert_eq!(
            rollups.by_chapter,
            vec![
                (2, counts(1, 0, 1, 0)),
                (3, counts(0, 0, 0, 1)),
                (10, counts(1, 1, 0, 0)),
            ]
        );
        assert_eq!(
            rollups.by_department,
            vec![
                ("agri".to_string(), counts(0, 1, 1, 1)),
                ("stats".to_string(), counts(2, 0, 0, 0)),
            ]
        );
        assert_eq!(
            rollups.by_nature,
            vec![
                (Binding, counts(0, 0, 1, 1)),
                (Expected, counts(2, 1, 0, 0))
            ]
        );
    }

    #[test]
    fn a_plan_without_indicators_has_empty_roll_ups() {
        assert_eq!(RollUps::of(&[]), RollUps::default());
    }
}
