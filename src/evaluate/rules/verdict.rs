//! From evidence to a light: the thresholds read from the config, the evidence
//! a family's rule can find, and `decide_status`, the single place that turns
//! evidence into green, yellow, red or grey. The growth-rate-ratio method's
//! classes, shown beside the lights, are decided here too.

use super::Status;
use serde::{Deserialize, Serialize};

/// Thresholds of the plan-path method, read from the config file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Green when achieved progress is at least this share of the expected progress.
    pub green_from: f64,
    /// Yellow from this share up to `green_from`; red below.
    pub yellow_from: f64,
    /// CAGR-ratio method: on track from this ratio.
    pub cagr_on_track: f64,
    /// CAGR-ratio method: acceleration needed from this ratio (limited progress below, down to 0).
    pub cagr_acceleration: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            green_from: 1.0,
            yellow_from: 0.8,
            cagr_on_track: 0.95,
            cagr_acceleration: 0.6,
        }
    }
}

/// The evidence a rule found, before it becomes a light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Evidence {
    NoData,
    NotAssessable,
    /// The target is already reached.
    Complete,
    /// Achieved progress as a share of the progress expected by now.
    Pace(f64),
    /// A cap or a level to maintain holds in the latest year; `earlier_breaches` years did not.
    Held {
        earlier_breaches: usize,
    },
    /// A cap or a level to maintain fails in the latest year.
    Broken,
}

/// The one place that decides a light from evidence.
pub fn decide_status(evidence: Evidence, thresholds: &Thresholds) -> Status {
    match evidence {
        Evidence::NoData | Evidence::NotAssessable => Status::Grey,
        Evidence::Complete => Status::Green,
        Evidence::Pace(ratio) if ratio >= thresholds.green_from => Status::Green,
        Evidence::Pace(ratio) if ratio >= thresholds.yellow_from => Status::Yellow,
        Evidence::Pace(_) => Status::Red,
        Evidence::Held {
            earlier_breaches: 0,
        } => Status::Green,
        Evidence::Held { .. } => Status::Yellow,
        Evidence::Broken => Status::Red,
    }
}

/// Classes of the growth-rate-ratio method (Open SDG / Statistics Canada).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CagrClass {
    OnTrack,
    AccelerationNeeded,
    LimitedProgress,
    MovingAway,
}

impl CagrClass {
    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            CagrClass::OnTrack => "按期可达",
            CagrClass::AccelerationNeeded => "需加快",
            CagrClass::LimitedProgress => "进展有限",
            CagrClass::MovingAway => "背离目标",
        }
    }

    /// The equivalent light, for side-by-side comparison.
    pub fn status(self) -> Status {
        match self {
            CagrClass::OnTrack => Status::Green,
            CagrClass::AccelerationNeeded => Status::Yellow,
            CagrClass::LimitedProgress | CagrClass::MovingAway => Status::Red,
        }
    }
}

/// The class of an achieved-to-required growth ratio; each boundary belongs to the better class.
pub(super) fn cagr_class(ratio: f64, thresholds: &Thresholds) -> CagrClass {
    if ratio >= thresholds.cagr_on_track {
        CagrClass::OnTrack
    } else if ratio >= thresholds.cagr_acceleration {
        CagrClass::AccelerationNeeded
    } else if ratio >= 0.0 {
        CagrClass::LimitedProgress
    } else {
        CagrClass::MovingAway
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_boundaries_are_inclusive() {
        let t = Thresholds::default();
        assert_eq!(decide_status(Evidence::Pace(1.0), &t), Status::Green);
        assert_eq!(decide_status(Evidence::Pace(0.999_999), &t), Status::Yellow);
        assert_eq!(decide_status(Evidence::Pace(0.8), &t), Status::Yellow);
        assert_eq!(decide_status(Evidence::Pace(0.799_999), &t), Status::Red);
        assert_eq!(
            decide_status(
                Evidence::Held {
                    earlier_breaches: 1
                },
                &t
            ),
            Status::Yellow
        );
        assert_eq!(decide_status(Evidence::NoData, &t), Status::Grey);
    }

    #[test]
    fn every_kind_of_evidence_has_its_light() {
        let t = Thresholds::default();
        assert_eq!(decide_status(Evidence::Complete, &t), Status::Green);
        assert_eq!(decide_status(Evidence::NotAssessable, &t), Status::Grey);
        assert_eq!(
            decide_status(
                Evidence::Held {
                    earlier_breaches: 0
                },
                &t
            ),
            Status::Green
        );
        assert_eq!(decide_status(Evidence::Broken, &t), Status::Red);
    }

    #[test]
    fn thresholds_from_the_config_move_the_boundaries() {
        let strict = Thresholds {
            green_from: 1.1,
            yellow_from: 0.9,
            ..Thresholds::default()
        };
        assert_eq!(decide_status(Evidence::Pace(1.0), &strict), Status::Yellow);
        assert_eq!(decide_status(Evidence::Pace(0.85), &strict), Status::Red);
        // A target already reached is green whatever the thresholds.
        assert_eq!(decide_status(Evidence::Complete, &strict), Status::Green);
    }

    #[test]
    fn cagr_ratio_classes_at_their_boundaries() {
        let t = Thresholds::default();
        assert_eq!(cagr_class(0.95, &t), CagrClass::OnTrack);
        assert_eq!(cagr_class(0.949_999, &t), CagrClass::AccelerationNeeded);
        assert_eq!(cagr_class(0.6, &t), CagrClass::AccelerationNeeded);
        assert_eq!(cagr_class(0.599_999, &t), CagrClass::LimitedProgress);
        assert_eq!(cagr_class(0.0, &t), CagrClass::LimitedProgress);
        assert_eq!(cagr_class(-0.1, &t), CagrClass::MovingAway);
        assert_eq!(CagrClass::MovingAway.status(), Status::Red);
    }
}
