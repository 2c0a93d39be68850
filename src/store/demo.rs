//! Demo observations: plausible yearly values for every indicator of a plan,
//! generated reproducibly from a recipe (`seeds/<plan>/demo.toml`). Every row is
//! flagged illustrative; nothing here may be presented as official statistics.

use super::audit::{self, numbered_batch, Link};
use super::catalog::Indicator;
use super::db::Store;
use super::observations::{write_observations, NewObservation, Recording};
use super::plans::{plan_indicators, PlanRecord, StoredIndicator};
use crate::error::{Error, Result};
use crate::model::{unit_is_percent, Better, ObservationStatus, PathShape, TargetKind, ValueKind};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The source recorded on every demo observation.
pub const DEMO_SOURCE: &str = "演示数据（非官方统计数据，由 planeval 按固定种子生成）";
/// The user recorded on every demo observation.
pub const DEMO_USER: &str = "planeval-demo";

/// The demo recipe, as written in `demo.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoRecipe {
    pub seed: u64,
    pub first_year: i32,
    pub last_year: i32,
    pub last_year_reported: f64,
    pub missing: f64,
    pub scenarios: ScenarioWeights,
    #[serde(default)]
    pub pinned: BTreeMap<String, Scenario>,
    #[serde(default)]
    pub revisions: Vec<Revision>,
}

/// Relative weights of the scenarios drawn for indicators that are not pinned.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioWeights {
    pub ahead: f64,
    pub on_track: f64,
    pub slightly_behind: f64,
    pub lagging: f64,
}

/// How fast an indicator moves compared with its planned path.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    Ahead,
    OnTrack,
    SlightlyBehind,
    Lagging,
}

impl Scenario {
    /// Share of the planned progress achieved at any point in time.
    fn pace(self) -> f64 {
        match self {
            Scenario::Ahead => 1.2,
            Scenario::OnTrack => 1.02,
            Scenario::SlightlyBehind => 0.88,
            Scenario::Lagging => 0.55,
        }
    }
}

/// A value changed after its first publication, to demonstrate the history trail.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub code: String,
    pub year: i32,
    pub factor: f64,
    pub reason: String,
}

/// The recipe of the built-in Tiexi demo.
pub fn builtin_recipe() -> Result<DemoRecipe> {
    let text = include_str!("../../seeds/tiexi-14th/demo.toml");
    toml::from_str(text)
        .map_err(|e| super::catalog::toml_error("seeds/tiexi-14th/demo.toml (built in)", text, &e))
}

/// A small, fast, well-mixed generator (SplitMix64): reproducible on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for one seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform number in [-spread, spread].
    pub fn jitter(&mut self, spread: f64) -> f64 {
        (self.unit() * 2.0 - 1.0) * spread
    }
}

/// FNV-1a of a code, so each indicator's stream does not depend on catalog order.
fn code_hash(code: &str) -> u64 {
    code.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One generated value.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoValue {
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
}

/// Generates the demo series of one indicator (empty when it "did not report").
pub fn demo_series(recipe: &DemoRecipe, base_year: i32, indicator: &Indicator) -> Vec<DemoValue> {
    let mut rng = SplitMix64::new(recipe.seed ^ code_hash(&indicator.code));
    let pinned = recipe.pinned.get(&indicator.code).copied();
    let missing = rng.unit() < recipe.missing;
    if pinned.is_none() && missing {
        return Vec::new();
    }
    let scenario = pinned.unwrap_or_else(|| draw_scenario(&recipe.scenarios, rng.unit()));
    let reports_last_year = pinned.is_some() || rng.unit() < recipe.last_year_reported;
    let last_year = if reports_last_year {
        recipe.last_year
    } else {
        recipe.last_year - 1
    };
    let span = f64::from((indicator.target_year - base_year).max(1));
    let shape = SeriesShape::of(indicator);
    (recipe.first_year..=last_year)
        .map(|year| {
            let elapsed = f64::from(year - base_year) / span;
            let (value, value_kind) = shape.value_at(indicator, elapsed, scenario, year, &mut rng);
            // A share stays a share, whatever the scenario's noise does.
            let value = if value_kind == ValueKind::Level && unit_is_percent(&indicator.unit) {
                value.clamp(0.0, 100.0)
            } else {
                value
            };
            DemoValue {
                year,
                value: round_for_unit(value, &indicator.unit),
                value_kind,
            }
        })
        .collect()
}

fn draw_scenario(weights: &ScenarioWeights, draw: f64) -> Scenario {
    let table = [
        (Scenario::Ahead, weights.ahead),
        (Scenario::OnTrack, weights.on_track),
        (Scenario::SlightlyBehind, weights.slightly_behind),
        (Scenario::Lagging, weights.lagging),
    ];
    let total: f64 = table.iter().map(|(_, w)| w.max(0.0)).sum();
    let mut point = draw * total;
    for (scenario, weight) in table {
        if point < weight.max(0.0) {
            return scenario;
        }
        point -= weight.max(0.0);
    }
    Scenario::OnTrack
}

/// The baseline and target a series moves between.
struct SeriesShape {
    baseline: f64,
    target: f64,
}

impl SeriesShape {
    fn of(indicator: &Indicator) -> SeriesShape {
        let target = indicator.target_value.unwrap_or(100.0);
        let baseline = indicator
            .baseline
            .as_ref()
            .map(|b| b.value)
            .unwrap_or_else(|| invented_baseline(indicator, target));
        SeriesShape { baseline, target }
    }

    fn value_at(
        &self,
        indicator: &Indicator,
        elapsed: f64,
        scenario: Scenario,
        year: i32,
        rng: &mut SplitMix64,
    ) -> (f64, ValueKind) {
        let pace = scenario.pace();
        let noise = rng.jitter(0.02);
        let level =
            |progress: f64| planned_level(indicator.path, self.baseline, self.target, progress);
        match indicator.kind {
            TargetKind::AtLeast | TargetKind::Qualitative => {
                let value = level(elapsed * pace) * (1.0 + noise);
                let value = if indicator.unit.trim() == "%" {
                    value.min(100.0)
                } else {
                    value
                };
                (value, ValueKind::Level)
            }
            TargetKind::AtMost => {
                // Lagging caps break through in the latest years; others stay under them.
                let headroom = if scenario == Scenario::Lagging && elapsed > 0.5 {
                    1.03
                } else {
                    0.93
                };
                (self.target * (headroom + noise), ValueKind::Level)
            }
            TargetKind::Maintain => {
                let slipped = scenario == Scenario::Lagging && year % 2 == 0;
                let value = match (indicator.better, slipped) {
                    (_, false) if self.target == 0.0 => 0.0,
                    (Better::Lower, true) if self.target == 0.0 => 1.0,
                    (Better::Lower, slipped) => self.target * if slipped { 1.04 } else { 0.98 },
                    (Better::Higher, slipped) => {
                        self.target * if slipped { 0.96 } else { 1.01 + noise.abs() }
                    }
                };
                (value, ValueKind::Level)
            }
            TargetKind::PerYear => (self.target * pace * (1.0 + noise * 2.0), ValueKind::Level),
            TargetKind::Cumulative => {
                let years = f64::from(
                    (indicator.target_year
                        - indicator.baseline.as_ref().map_or(year - 1, |b| b.year))
                    .max(1),
                );
                let per_year = self.target / years.max(5.0);
                (per_year * pace * (1.0 + noise * 3.0), ValueKind::Level)
            }
            TargetKind::AvgGrowth => {
                let rate = self.target / 100.0 * pace;
                let years = elapsed * 5.0;
                (
                    self.baseline * (1.0 + rate).powf(years) * (1.0 + noise / 2.0),
                    ValueKind::Level,
                )
            }
            TargetKind::RelativeChange => {
                // Reported year on year, as departments usually do for intensity targets.
                let years = f64::from(
                    (indicator.target_year
                        - indicator
                            .baseline
                            .as_ref()
                            .map_or(indicator.target_year - 5, |b| b.year))
                    .max(1),
                );
                let yearly = ((1.0 + self.target / 100.0).powf(1.0 / years) - 1.0) * 100.0;
                (yearly * pace + noise * 10.0, ValueKind::YoyChange)
            }
        }
    }
}

/// A plausible starting level where the plan gives none, so a trajectory can be drawn.
fn invented_baseline(indicator: &Indicator, target: f64) -> f64 {
    match (indicator.kind, indicator.better) {
        (TargetKind::AtLeast, _) if indicator.unit.trim() == "%" => target * 0.88,
        (TargetKind::AtLeast, _) => target / 1.35,
        (TargetKind::AvgGrowth | TargetKind::Qualitative, _) => 100.0,
        (_, Better::Higher) => target * 0.9,
        (_, Better::Lower) => target * 1.1,
    }
}

fn planned_level(path: PathShape, baseline: f64, target: f64, progress: f64) -> f64 {
    match path {
        PathShape::Compound if baseline > 0.0 && target > 0.0 => {
            baseline * (target / baseline).powf(progress)
        }
        _ => baseline + (target - baseline) * progress,
    }
}

fn round_for_unit(value: f64, unit: &str) -> f64 {
    let decimals = if unit.trim() == "%" || value.abs() < 100.0 {
        2
    } else {
        1
    };
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Writes demo observations for every indicator of a plan, in one transaction,
/// with `source` recorded on each (all flagged illustrative).
/// Returns the number of observations written.
pub fn write_demo(
    store: &mut Store,
    plan: &PlanRecord,
    recipe: &DemoRecipe,
    source: &str,
) -> Result<usize> {
    let indicators = plan_indicators(store.conn(), Some(plan.id))
        .map_err(|e| Error::db(store.path(), "reading indicators", e))?;
    let path = store.path().to_path_buf();
    store.write("writing demo observations", |tx| {
        let db = |e| Error::db(&path, "writing demo observations", e);
        let values: Vec<(&StoredIndicator, DemoValue)> = indicators
            .iter()
            .flat_map(|stored| {
                demo_series(recipe, plan.base_year, &stored.definition)
                    .into_iter()
                    .map(move |value| (stored, value))
            })
            .collect();
        let mut years: Vec<i32> = values.iter().map(|(_, value)| value.year).collect();
        years.sort_unstable();
        years.dedup();
        let batch = numbered_batch(tx, "demo").map_err(db)?;
        let mut link = Link::for_batch(&batch);
        let mut written = 0;
        for year in years {
            // Data for a year typically arrives in the spring after it.
            let recorded_at = format!("{}-03-31T00:00:00Z", year + 1);
            let recording = Recording {
                recorded_by: DEMO_USER,
                recorded_at: &recorded_at,
                illustrative: true,
                change_reason: None,
                import_batch: Some(&batch),
            };
            let observations = values
                .iter()
                .filter(|(_, value)| value.year == year)
                .map(|(stored, value)| demo_observation(stored, value, recipe.last_year, source))
                .inspect(|o| link.record_observation(&recording, o));
            written += write_observations(tx, &recording, observations).map_err(db)?;
        }
        for revision in &recipe.revisions {
            apply_revision(tx, &indicators, revision, &mut link).map_err(db)?;
        }
        audit::append(
            tx,
            link,
            "demo_data",
            &plan.code,
            &format!("{written} illustrative observations"),
        )
        .map_err(db)?;
        Ok(written)
    })
}

fn demo_observation<'a>(
    stored: &'a StoredIndicator,
    value: &DemoValue,
    last_year: i32,
    source: &'a str,
) -> NewObservation<'a> {
    let status = if value.year < last_year {
        ObservationStatus::Final
    } else {
        ObservationStatus::Preliminary
    };
    NewObservation {
        indicator_id: stored.id,
        year: value.year,
        value: value.value,
        value_kind: value.value_kind,
        status,
        source: Some(source),
        department: &stored.definition.department,
        note: None,
    }
}

fn apply_revision(
    tx: &rusqlite::Transaction<'_>,
    indicators: &[StoredIndicator],
    revision: &Revision,
    link: &mut Link,
) -> rusqlite::Result<()> {
    let Some(stored) = indicators
        .iter()
        .find(|i| i.definition.code == revision.code)
    else {
        return Ok(());
    };
    tx.execute(
        "UPDATE observation SET value = round(value * ?1, 1), status = 'revised', change_reason = ?2,
                recorded_at = ?3
         WHERE indicator_id = ?4 AND year = ?5",
        rusqlite::params![
            revision.factor,
            revision.reason,
            format!("{}-09-30T00:00:00Z", revision.year + 2),
            stored.id,
            revision.year
        ],
    )?;
    // The new value is computed in SQL, so the chain reads it back.
    link.record_current_observation(tx, stored.id, revision.year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::catalog::{builtin_tiexi, parse};

    #[test]
    fn the_demo_has_missing_and_late_indicators() {
        let catalog = parse(&builtin_tiexi()).unwrap();
        let recipe = builtin_recipe().unwrap();
        let series: Vec<_> = catalog
            .indicators
            .iter()
            .map(|i| demo_series(&recipe, 2020, i))
            .collect();
        assert!(
            series.iter().any(|s| s.is_empty()),
            "some indicator never reports"
        );
        let with_last = series
            .iter()
            .filter(|s| s.last().is_some_and(|v| v.year == recipe.last_year))
            .count();
        assert!(
            with_last > 0 && with_last < series.len(),
            "the last year is only partly reported"
        );
    }

    #[test]
    fn shares_never_exceed_one_hundred_percent() {
        let catalog = parse(&builtin_tiexi()).unwrap();
        let recipe = builtin_recipe().unwrap();
        for indicator in catalog
            .indicators
            .iter()
            .filter(|i| unit_is_percent(&i.unit))
        {
            for value in demo_series(&recipe, 2020, indicator) {
                if value.value_kind == ValueKind::Level {
                    assert!(
                        (0.0..=100.0).contains(&value.value),
                        "{} {value:?}",
                        indicator.code
                    );
                }
            }
        }
    }

    #[test]
    fn scenarios_follow_their_weights() {
        let weights = ScenarioWeights {
            ahead: 1.0,
            on_track: 1.0,
            slightly_behind: 0.0,
            lagging: 2.0,
        };
        assert_eq!(draw_scenario(&weights, 0.0), Scenario::Ahead);
        assert_eq!(draw_scenario(&weights, 0.3), Scenario::OnTrack);
        assert_eq!(draw_scenario(&weights, 0.99), Scenario::Lagging);
    }
}
