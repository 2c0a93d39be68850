//! The assessment rules, as small pure functions over one indicator's target and
//! its valid observations. `decide_status` is the single place that turns
//! evidence into a green/yellow/red/grey light; docs/method.md explains each rule.

use crate::model::{Better, PathShape, TargetKind};
use crate::text::{number, percent, value as fmt_value, with_unit};
use serde::{Deserialize, Serialize};

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
    Deserialize,
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

/// What one indicator promises: the catalog fields the rules need.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    pub kind: TargetKind,
    pub better: Better,
    pub path: PathShape,
    pub unit: String,
    /// The plan's base year (2020), the zero of "time elapsed".
    pub base_year: i32,
    pub baseline: Option<(i32, f64)>,
    pub target_year: i32,
    pub target_value: Option<f64>,
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

/// Everything the rules conclude about one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub latest_year: Option<i32>,
    /// The latest level; for changes reported year on year, the chained change since the base year in %.
    pub latest_value: Option<f64>,
    /// True when `latest_value` is a chained change in percent rather than a level.
    pub latest_is_change: bool,
    pub time_elapsed: Option<f64>,
    pub expected_value: Option<f64>,
    /// Share of the way from baseline to target (1.0 = done).
    pub progress: Option<f64>,
    /// Achieved progress as a share of the progress expected by now (完成序时进度).
    pub pace_ratio: Option<f64>,
    pub complete: bool,
    /// Average annual growth achieved since the start, in percent.
    pub growth_achieved: Option<f64>,
    /// Average annual growth still needed from the latest year to reach the target, in percent.
    pub required_growth: Option<f64>,
    /// For per-year and cumulative targets: the amount still needed per remaining year.
    pub required_per_year: Option<f64>,
    /// Margin to a cap (positive = below the cap).
    pub cap_margin: Option<f64>,
    pub projection: Option<f64>,
    pub projection_meets_target: Option<bool>,
    pub cagr_ratio: Option<f64>,
    pub cagr_class: Option<CagrClass>,
    pub status: Status,
    /// One sentence in Chinese built from the inputs.
    pub explanation: String,
    /// Caveats that qualify the verdict (missing baseline, older data ...).
    pub caveats: Vec<String>,
}

/// Observations of one indicator up to the report year, already validated.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Levels, by ascending year.
    pub levels: &'a [(i32, f64)],
    /// Year-on-year changes in percent, by ascending year.
    pub yoy: &'a [(i32, f64)],
}

/// Assesses one indicator as of `report_year`.
pub fn assess(
    spec: &TargetSpec,
    series: Series<'_>,
    report_year: i32,
    thresholds: &Thresholds,
) -> Assessment {
    let mut caveats = Vec::new();
    let chained;
    let (levels, latest_is_change) = if spec.kind == TargetKind::RelativeChange
        && series.levels.is_empty()
        && !series.yoy.is_empty()
    {
        chained = chain_yoy(
            spec.baseline.map_or(spec.base_year, |b| b.0),
            series.yoy,
            &mut caveats,
        );
        (chained.as_slice(), true)
    } else {
        (series.levels, false)
    };
    let Some(&(latest_year, latest)) = levels.last() else {
        return no_data(spec, report_year);
    };
    if latest_year < report_year {
        caveats.push(format!(
            "最新数据为{latest_year}年，时间进度按{}计",
            percent(time_elapsed(spec, latest_year))
        ));
    }
    let f = time_elapsed(spec, latest_year);
    let mut a = Assessment {
        latest_year: Some(latest_year),
        latest_value: Some(latest),
        latest_is_change,
        time_elapsed: Some(f),
        caveats,
        ..Assessment::grey(String::new())
    };
    let evidence = match (spec.kind, spec.target_value) {
        (TargetKind::Qualitative, _) | (_, None) => qualitative(spec, levels, &mut a),
        (TargetKind::AtLeast, Some(target)) => at_least(spec, levels, target, &mut a),
        (TargetKind::AtMost, Some(cap)) => at_most(spec, levels, cap, &mut a),
        (TargetKind::Maintain, Some(level)) => maintain(spec, levels, level, &mut a),
        (TargetKind::PerYear, Some(amount)) => per_year(spec, levels, amount, &mut a),
        (TargetKind::Cumulative, Some(total)) => cumulative(spec, levels, total, &mut a),
        (TargetKind::AvgGrowth, Some(rate)) => avg_growth(spec, levels, rate, &mut a),
        (TargetKind::RelativeChange, Some(change)) if latest_is_change => {
            relative_change_chained(spec, levels, change, &mut a)
        }
        (TargetKind::RelativeChange, Some(change)) => relative_change_levels(spec, change, &mut a),
    };
    a.status = decide_status(evidence, thresholds);
    if let Some(ratio) = a.cagr_ratio {
        a.cagr_class = Some(cagr_class(ratio, thresholds));
    }
    a
}

fn no_data(spec: &TargetSpec, report_year: i32) -> Assessment {
    Assessment::grey(format!(
        "截至{report_year}年尚无{}以来的有效数据，无法评价",
        spec.base_year + 1
    ))
}

impl Assessment {
    /// An assessment with nothing measured yet: grey, with only its explanation.
    fn grey(explanation: String) -> Assessment {
        Assessment {
            latest_year: None,
            latest_value: None,
            latest_is_change: false,
            time_elapsed: None,
            expected_value: None,
            progress: None,
            pace_ratio: None,
            complete: false,
            growth_achieved: None,
            required_growth: None,
            required_per_year: None,
            cap_margin: None,
            projection: None,
            projection_meets_target: None,
            cagr_ratio: None,
            cagr_class: None,
            status: Status::Grey,
            explanation,
            caveats: Vec::new(),
        }
    }
}

/// Share of the plan period elapsed at `year`: (year − base) / (target year − base).
pub fn time_elapsed(spec: &TargetSpec, year: i32) -> f64 {
    let span = f64::from((spec.target_year - spec.base_year).max(1));
    (f64::from(year - spec.base_year) / span).clamp(0.0, 1.0)
}

/// The value expected at time share `f` on the planned path from `start` to `target`.
pub fn planned_value(path: PathShape, start: f64, target: f64, f: f64) -> f64 {
    match path {
        PathShape::Compound if start > 0.0 && target > 0.0 => start * (target / start).powf(f),
        _ => start + (target - start) * f,
    }
}

/// Compound annual growth in percent from `from` to `to` over `years`.
pub fn cagr(from: f64, to: f64, years: f64) -> Option<f64> {
    (from > 0.0 && to > 0.0 && years > 0.0).then(|| ((to / from).powf(1.0 / years) - 1.0) * 100.0)
}

/// Chains year-on-year changes into the change since `start_year`, in percent.
/// A missing year breaks the chain: only the unbroken run is used, with a caveat.
pub fn chain_yoy(
    start_year: i32,
    yoy: &[(i32, f64)],
    caveats: &mut Vec<String>,
) -> Vec<(i32, f64)> {
    let mut chained = Vec::new();
    let mut factor = 1.0;
    let mut expected_year = start_year + 1;
    for &(year, change) in yoy {
        if year <= start_year {
            continue;
        }
        if year != expected_year {
            caveats.push(format!(
                "缺少{expected_year}年同比数据，累计变化只连乘到{}年",
                expected_year - 1
            ));
            break;
        }
        factor *= 1.0 + change / 100.0;
        chained.push((year, (factor - 1.0) * 100.0));
        expected_year += 1;
    }
    chained
}

/// The starting point of growth computations: the baseline, or else the first
/// observation (said in a caveat), never an invented zero.
fn start_point(spec: &TargetSpec, levels: &[(i32, f64)], a: &mut Assessment) -> Option<(i32, f64)> {
    if let Some(baseline) = spec.baseline {
        return Some(baseline);
    }
    let first = levels
        .first()
        .copied()
        .filter(|(year, _)| Some(*year) != a.latest_year);
    match first {
        Some((year, _)) => a
            .caveats
            .push(format!("规划未给出基期值，增速以{year}年观测值为起点计算")),
        None => a
            .caveats
            .push("规划未给出基期值，且观测不足两年，无法计算增速".to_string()),
    }
    first
}

fn years_between(from: i32, to: i32) -> f64 {
    f64::from(to - from)
}

fn meets(better: Better, value: f64, target: f64) -> bool {
    match better {
        Better::Higher => value >= target,
        Better::Lower => value <= target,
    }
}

/// Projects the latest value to the target year from the trend since `start`.
fn project(spec: &TargetSpec, start: (i32, f64), latest: (i32, f64)) -> Option<f64> {
    let span = years_between(start.0, latest.0);
    if span <= 0.0 {
        return None;
    }
    let remaining = years_between(latest.0, spec.target_year);
    match spec.path {
        PathShape::Compound if start.1 > 0.0 && latest.1 > 0.0 => {
            Some(latest.1 * (latest.1 / start.1).powf(remaining / span))
        }
        _ => Some(latest.1 + (latest.1 - start.1) / span * remaining),
    }
}

fn set_projection(spec: &TargetSpec, a: &mut Assessment, projection: Option<f64>, target: f64) {
    a.projection = projection;
    a.projection_meets_target = projection.map(|p| meets(spec.better, p, target));
}

fn pace_sentence(
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

fn time_note(a: &Assessment) -> String {
    a.time_elapsed
        .map(|f| format!("（时间进度{}）", percent(f)))
        .unwrap_or_default()
}

fn at_least(spec: &TargetSpec, levels: &[(i32, f64)], target: f64, a: &mut Assessment) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let f = a.time_elapsed.unwrap_or_default();
    let start = start_point(spec, levels, a);
    if let Some(start) = start {
        a.growth_achieved = cagr(start.1, latest, years_between(start.0, latest_year));
        set_projection(spec, a, project(spec, start, (latest_year, latest)), target);
        let required = cagr(start.1, target, years_between(start.0, spec.target_year));
        a.cagr_ratio = ratio_of(a.growth_achieved, required);
    }
    if latest_year < spec.target_year && latest < target {
        a.required_growth = cagr(latest, target, years_between(latest_year, spec.target_year));
    }
    if latest >= target {
        a.complete = true;
        a.progress = spec.baseline.map(|(_, b)| {
            if target == b {
                1.0
            } else {
                (latest - b) / (target - b)
            }
        });
        a.explanation = format!(
            "{latest_year}年实际值{}，已达到{}年目标{}",
            with_unit(latest, &spec.unit),
            spec.target_year,
            with_unit(target, &spec.unit)
        );
        return Evidence::Complete;
    }
    match spec.baseline {
        Some((_, baseline)) if baseline < target => {
            let expected = planned_value(spec.path, baseline, target, f);
            let progress = (latest - baseline) / (target - baseline);
            let expected_progress = (expected - baseline) / (target - baseline);
            let ratio = if expected_progress > 0.0 {
                progress / expected_progress
            } else {
                progress
            };
            a.expected_value = Some(expected);
            a.progress = Some(progress);
            a.pace_ratio = Some(ratio);
            a.explanation = pace_sentence(spec, a, latest_year, latest, expected, ratio);
            Evidence::Pace(ratio)
        }
        Some((_, baseline)) => {
            a.explanation = format!(
                "基期值{}已不低于目标{}，但{latest_year}年实际值{}低于目标",
                with_unit(baseline, &spec.unit),
                with_unit(target, &spec.unit),
                with_unit(latest, &spec.unit)
            );
            Evidence::Broken
        }
        None => match (a.projection, a.projection_meets_target) {
            (Some(projection), Some(meets_target)) => {
                a.explanation = format!(
                    "规划未给出基期值，按趋势外推{}年可达{}，{}目标{}",
                    spec.target_year,
                    with_unit(projection, &spec.unit),
                    if meets_target {
                        "可以达到"
                    } else {
                        "低于"
                    },
                    with_unit(target, &spec.unit)
                );
                let ratio = if target > 0.0 {
                    projection / target
                } else {
                    0.0
                };
                if meets_target {
                    Evidence::Pace(1.0)
                } else {
                    Evidence::Pace(ratio)
                }
            }
            _ => {
                a.explanation = format!(
                    "规划未给出基期值，{latest_year}年实际值{}，目标{}；观测不足，暂不评价",
                    with_unit(latest, &spec.unit),
                    with_unit(target, &spec.unit)
                );
                Evidence::NotAssessable
            }
        },
    }
}

fn ratio_of(achieved: Option<f64>, required: Option<f64>) -> Option<f64> {
    match (achieved, required) {
        (Some(achieved), Some(required)) if required.abs() > 1e-9 => Some(achieved / required),
        _ => None,
    }
}

fn cagr_class(ratio: f64, thresholds: &Thresholds) -> CagrClass {
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

/// Years (before the latest) whose value fails `holds`.
fn breach_years(levels: &[(i32, f64)], holds: impl Fn(f64) -> bool) -> Vec<i32> {
    levels
        .iter()
        .filter(|(_, v)| !holds(*v))
        .map(|(y, _)| *y)
        .collect()
}

fn year_list(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| format!("{y}年"))
        .collect::<Vec<_>>()
        .join("、")
}

fn at_most(spec: &TargetSpec, levels: &[(i32, f64)], cap: f64, a: &mut Assessment) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    a.cap_margin = Some(cap - latest);
    let earlier: Vec<i32> = breach_years(&levels[..levels.len().saturating_sub(1)], |v| v <= cap);
    if let Some(start) = levels.first().copied().filter(|(y, _)| *y < latest_year) {
        set_projection(
            spec,
            a,
            project(
                &TargetSpec {
                    path: PathShape::Linear,
                    ..spec.clone()
                },
                start,
                (latest_year, latest),
            ),
            cap,
        );
    }
    let earlier_note = if earlier.is_empty() {
        String::new()
    } else {
        format!("；{}曾超过上限", year_list(&earlier))
    };
    if latest <= cap {
        a.complete = latest_year >= spec.target_year;
        a.explanation = format!(
            "{latest_year}年为{}，控制在上限{}以内（余量{}）{earlier_note}",
            with_unit(latest, &spec.unit),
            with_unit(cap, &spec.unit),
            fmt_value(cap - latest)
        );
        Evidence::Held {
            earlier_breaches: 0,
        }
    } else {
        a.explanation = format!(
            "{latest_year}年为{}，超过上限{}（超出{}）{earlier_note}",
            with_unit(latest, &spec.unit),
            with_unit(cap, &spec.unit),
            fmt_value(latest - cap)
        );
        Evidence::Broken
    }
}

fn maintain(spec: &TargetSpec, levels: &[(i32, f64)], level: f64, a: &mut Assessment) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let holds = |v: f64| meets(spec.better, v, level);
    let breaches = breach_years(levels, holds);
    let first_year = levels.first().map_or(latest_year, |(y, _)| *y);
    let bound = match spec.better {
        Better::Higher => "不低于",
        Better::Lower => "不高于",
    };
    if breaches.is_empty() {
        a.explanation = format!(
            "{first_year}-{latest_year}年各年均保持在{bound}{}的水平",
            with_unit(level, &spec.unit)
        );
        return Evidence::Held {
            earlier_breaches: 0,
        };
    }
    a.explanation = format!(
        "目标为保持{bound}{}，{}未能保持，{latest_year}年为{}",
        with_unit(level, &spec.unit),
        year_list(&breaches),
        with_unit(latest, &spec.unit)
    );
    if holds(latest) {
        Evidence::Held {
            earlier_breaches: breaches.len(),
        }
    } else {
        Evidence::Broken
    }
}

/// Observations after the base year: the years that count towards a plan-period amount.
fn period_values<'a>(
    spec: &TargetSpec,
    levels: &'a [(i32, f64)],
) -> impl Iterator<Item = &'a (i32, f64)> + 'a {
    let base = spec.base_year;
    levels.iter().filter(move |(y, _)| *y > base)
}

fn per_year(spec: &TargetSpec, levels: &[(i32, f64)], amount: f64, a: &mut Assessment) -> Evidence {
    let latest_year = a.latest_year.unwrap_or(spec.base_year);
    let values: Vec<(i32, f64)> = period_values(spec, levels).copied().collect();
    if values.is_empty() {
        a.explanation = format!("{}年以来尚无数据", spec.base_year + 1);
        return Evidence::NoData;
    }
    let mean = values.iter().map(|(_, v)| v).sum::<f64>() / values.len() as f64;
    let short = breach_years(&values, |v| v >= amount);
    let ratio = mean / amount;
    a.pace_ratio = Some(ratio);
    a.progress = Some(ratio * time_elapsed(spec, latest_year));
    a.expected_value = Some(amount);
    a.projection = Some(mean);
    a.projection_meets_target = Some(mean >= amount);
    if !short.is_empty() {
        a.required_per_year = Some(amount);
    }
    let first_year = values[0].0;
    let short_note = if short.is_empty() {
        "，各年均达到".to_string()
    } else {
        format!("，{}未达到", year_list(&short))
    };
    a.explanation = format!(
        "{first_year}-{latest_year}年年均{}，目标每年{}，完成{}{short_note}",
        with_unit(mean, &spec.unit),
        with_unit(amount, &spec.unit),
        percent(ratio)
    );
    if short.is_empty() {
        Evidence::Complete
    } else {
        Evidence::Pace(ratio)
    }
}

fn cumulative(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    total: f64,
    a: &mut Assessment,
) -> Evidence {
    let latest_year = a.latest_year.unwrap_or(spec.base_year);
    let values: Vec<(i32, f64)> = period_values(spec, levels).copied().collect();
    if values.is_empty() {
        a.explanation = format!("{}年以来尚无数据", spec.base_year + 1);
        return Evidence::NoData;
    }
    let sum: f64 = values.iter().map(|(_, v)| v).sum();
    let reported_years = values.len() as i32;
    let elapsed_years = latest_year - spec.base_year;
    if reported_years < elapsed_years {
        a.caveats.push(format!(
            "{}-{latest_year}年中有{}年缺数，累计值可能偏低",
            spec.base_year + 1,
            elapsed_years - reported_years
        ));
    }
    let f = time_elapsed(spec, latest_year);
    let expected = total * f;
    let ratio = if expected > 0.0 { sum / expected } else { 0.0 };
    let remaining_years = spec.target_year - latest_year;
    a.latest_value = Some(sum);
    a.expected_value = Some(expected);
    a.progress = Some(sum / total);
    a.pace_ratio = Some(ratio);
    let projection =
        sum + sum / f64::from(elapsed_years.max(1)) * f64::from(remaining_years.max(0));
    a.projection = Some(projection);
    a.projection_meets_target = Some(projection >= total);
    if remaining_years > 0 && sum < total {
        a.required_per_year = Some((total - sum) / f64::from(remaining_years));
    }
    a.explanation = format!(
        "{}-{latest_year}年累计{}，按序时进度应累计{}，完成序时进度的{}（五年目标{}）",
        spec.base_year + 1,
        with_unit(sum, &spec.unit),
        with_unit(expected, &spec.unit),
        percent(ratio),
        with_unit(total, &spec.unit)
    );
    if sum >= total {
        a.complete = true;
        Evidence::Complete
    } else {
        Evidence::Pace(ratio)
    }
}

fn avg_growth(spec: &TargetSpec, levels: &[(i32, f64)], rate: f64, a: &mut Assessment) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let Some(start) = start_point(spec, levels, a) else {
        a.explanation = format!(
            "目标年均增长{}%，但缺少起点数据，无法计算增速",
            number(rate, 2)
        );
        return Evidence::NotAssessable;
    };
    let years = years_between(start.0, latest_year);
    let Some(achieved) = cagr(start.1, latest, years) else {
        a.explanation = "起点或最新值不为正数，无法计算年均增速".to_string();
        return Evidence::NotAssessable;
    };
    let target_level =
        start.1 * (1.0 + rate / 100.0).powf(years_between(start.0, spec.target_year));
    a.growth_achieved = Some(achieved);
    a.expected_value = Some(start.1 * (1.0 + rate / 100.0).powf(years));
    a.progress = Some((latest - start.1) / (target_level - start.1));
    a.cagr_ratio = ratio_of(Some(achieved), Some(rate));
    set_projection(
        spec,
        a,
        project(spec, start, (latest_year, latest)),
        target_level,
    );
    if latest_year < spec.target_year {
        a.required_growth = cagr(
            latest,
            target_level,
            years_between(latest_year, spec.target_year),
        );
    }
    let ratio = if rate.abs() > 1e-9 {
        achieved / rate
    } else if achieved >= 0.0 {
        1.0
    } else {
        0.0
    };
    a.pace_ratio = Some(ratio);
    a.explanation = format!(
        "{}-{latest_year}年年均增长{}%，目标年均增长{}%，为目标增速的{}",
        start.0,
        number(achieved, 2),
        number(rate, 2),
        percent(ratio)
    );
    Evidence::Pace(ratio)
}

fn relative_change_levels(spec: &TargetSpec, change: f64, a: &mut Assessment) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let Some((start_year, start)) = spec.baseline else {
        a.explanation = format!(
            "目标为五年累计变化{}%，但规划未给出基期值，且数据未按同比报送，无法计算累计变化",
            number(change, 2)
        );
        return Evidence::NotAssessable;
    };
    if start <= 0.0 {
        a.explanation = "基期值不为正数，无法计算相对变化".to_string();
        return Evidence::NotAssessable;
    }
    let achieved = (latest / start - 1.0) * 100.0;
    a.growth_achieved = cagr(start, latest, years_between(start_year, latest_year));
    a.expected_value = Some(
        start * (1.0 + expected_change(spec, change, a.time_elapsed.unwrap_or_default()) / 100.0),
    );
    let target_level = start * (1.0 + change / 100.0);
    set_projection(
        spec,
        a,
        project(spec, (start_year, start), (latest_year, latest)),
        target_level,
    );
    if latest_year < spec.target_year {
        a.required_growth = cagr(
            latest,
            target_level,
            years_between(latest_year, spec.target_year),
        );
    }
    a.cagr_ratio = ratio_of(
        a.growth_achieved,
        cagr(
            start,
            target_level,
            years_between(start_year, spec.target_year),
        ),
    );
    change_verdict(spec, achieved, change, a, latest_year)
}

fn relative_change_chained(
    spec: &TargetSpec,
    levels: &[(i32, f64)],
    change: f64,
    a: &mut Assessment,
) -> Evidence {
    let (latest_year, achieved) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let start_year = spec.baseline.map_or(spec.base_year, |b| b.0);
    let years = years_between(start_year, latest_year);
    let yearly = cagr(100.0, 100.0 + achieved, years);
    a.growth_achieved = yearly;
    let target_factor = 1.0 + change / 100.0;
    if latest_year < spec.target_year {
        a.required_growth = cagr(
            1.0 + achieved / 100.0,
            target_factor,
            years_between(latest_year, spec.target_year),
        );
    }
    let projection = yearly.map(|g| {
        ((1.0 + g / 100.0).powf(years_between(start_year, spec.target_year)) - 1.0) * 100.0
    });
    a.projection = projection;
    a.projection_meets_target = projection.map(|p| meets(spec.better, p, change));
    a.cagr_ratio = ratio_of(
        yearly,
        cagr(
            1.0,
            target_factor,
            years_between(start_year, spec.target_year),
        ),
    );
    a.caveats
        .push(format!("按各年同比变化连乘计算（{}个年度）", levels.len()));
    change_verdict(spec, achieved, change, a, latest_year)
}

/// The change expected by time share `f`: compound for a compound path, else linear.
fn expected_change(spec: &TargetSpec, change: f64, f: f64) -> f64 {
    match spec.path {
        PathShape::Compound => ((1.0 + change / 100.0).powf(f) - 1.0) * 100.0,
        PathShape::Linear => change * f,
    }
}

fn change_verdict(
    spec: &TargetSpec,
    achieved: f64,
    change: f64,
    a: &mut Assessment,
    latest_year: i32,
) -> Evidence {
    let start_year = spec.baseline.map_or(spec.base_year, |b| b.0);
    if change == 0.0 {
        // 零增长: the target caps the change at zero, so it holds or it does not.
        let held = meets(spec.better, achieved, 0.0);
        a.explanation = format!(
            "目标为零增长，{start_year}-{latest_year}年累计变化{}%，{}",
            number(achieved, 2),
            if held {
                "控制在目标以内"
            } else {
                "超出目标"
            }
        );
        return if held {
            Evidence::Held {
                earlier_breaches: 0,
            }
        } else {
            Evidence::Broken
        };
    }
    let expected = expected_change(spec, change, a.time_elapsed.unwrap_or_default());
    let ratio = if expected.abs() > 1e-9 {
        achieved / expected
    } else {
        0.0
    };
    a.progress = Some(achieved / change);
    a.pace_ratio = Some(ratio);
    a.explanation = format!(
        "{start_year}-{latest_year}年累计变化{}%，按序时进度应变化{}%，完成序时进度的{}（五年目标{}%）",
        number(achieved, 2),
        number(expected, 2),
        percent(ratio),
        number(change, 2)
    ) + &time_note(a);
    if meets(spec.better, achieved, change) {
        a.complete = true;
        Evidence::Complete
    } else {
        Evidence::Pace(ratio)
    }
}

fn qualitative(spec: &TargetSpec, levels: &[(i32, f64)], a: &mut Assessment) -> Evidence {
    let (latest_year, latest) = (
        a.latest_year.unwrap_or(spec.base_year),
        a.latest_value.unwrap_or_default(),
    );
    let start = spec
        .baseline
        .or_else(|| levels.first().copied())
        .filter(|(y, _)| *y < latest_year);
    a.explanation = match start {
        Some((year, value)) => {
            a.growth_achieved = cagr(value, latest, years_between(year, latest_year));
            format!(
                "无量化目标，不按规则评价；{year}-{latest_year}年由{}变为{}",
                with_unit(value, &spec.unit),
                with_unit(latest, &spec.unit)
            )
        }
        None => format!(
            "无量化目标，不按规则评价；{latest_year}年为{}",
            with_unit(latest, &spec.unit)
        ),
    };
    Evidence::NotAssessable
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(
        kind: TargetKind,
        better: Better,
        path: PathShape,
        baseline: Option<f64>,
        target: Option<f64>,
    ) -> TargetSpec {
        TargetSpec {
            kind,
            better,
            path,
            unit: "亿元".into(),
            base_year: 2020,
            baseline: baseline.map(|b| (2020, b)),
            target_year: 2025,
            target_value: target,
        }
    }

    fn run(spec: &TargetSpec, levels: &[(i32, f64)], year: i32) -> Assessment {
        assess(
            spec,
            Series { levels, yoy: &[] },
            year,
            &Thresholds::default(),
        )
    }

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("a value");
        assert!((actual - expected).abs() < 1e-6, "{actual} != {expected}");
    }

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
    fn at_least_on_a_compound_path() {
        // GDP 1000 -> 1500 over 2020-2025; 2023 is 60% of the period.
        // Expected: 1000 * 1.5^0.6 = 1275.4245; progress (1200-1000)/(1275.4245-1000) = 0.72616.
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Compound,
            Some(1000.0),
            Some(1500.0),
        );
        let a = run(&s, &[(2021, 1080.0), (2022, 1150.0), (2023, 1200.0)], 2023);
        close(a.time_elapsed, 0.6);
        close(a.expected_value, 1000.0 * 1.5f64.powf(0.6));
        close(a.progress, 0.4);
        close(a.pace_ratio, 200.0 / (1000.0 * 1.5f64.powf(0.6) - 1000.0));
        assert_eq!(a.status, Status::Red);
        // Growth still needed: (1500/1200)^(1/2) - 1 = 11.803%.
        close(a.required_growth, (1.25f64.sqrt() - 1.0) * 100.0);
        // Achieved: (1200/1000)^(1/3) - 1.
        close(a.growth_achieved, (1.2f64.powf(1.0 / 3.0) - 1.0) * 100.0);
        // Projection continues the achieved growth: 1200 * 1.2^(2/3).
        close(a.projection, 1200.0 * 1.2f64.powf(2.0 / 3.0));
        assert_eq!(a.projection_meets_target, Some(false));
        assert!(
            a.explanation.contains("按序时进度应达1275.4亿元"),
            "{}",
            a.explanation
        );
    }

    #[test]
    fn at_least_on_a_linear_path_exactly_on_time_is_green() {
        // 3.2% -> 3.5%; 2023 expected 3.2 + 0.3 * 0.6 = 3.38.
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(3.2),
            Some(3.5),
        );
        let a = run(&s, &[(2023, 3.38)], 2023);
        close(a.expected_value, 3.38);
        assert!((a.pace_ratio.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(a.status, Status::Green);
    }

    #[test]
    fn at_least_already_reached_is_complete() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(80.0),
            Some(90.0),
        );
        let a = run(&s, &[(2022, 91.0)], 2023);
        assert!(a.complete);
        assert_eq!(a.status, Status::Green);
        // 2023 asked, 2022 is the latest: time elapsed is taken at 2022 and said so.
        close(a.time_elapsed, 0.4);
        assert!(
            a.caveats.iter().any(|c| c.contains("最新数据为2022年")),
            "{:?}",
            a.caveats
        );
    }

    #[test]
    fn midterm_with_older_data_compares_with_forty_percent() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(0.0),
            Some(100.0),
        );
        let a = run(&s, &[(2021, 20.0), (2022, 36.0)], 2023);
        close(a.time_elapsed, 0.4);
        close(a.pace_ratio, 0.9);
        assert_eq!(a.status, Status::Yellow);
    }

    #[test]
    fn missing_baseline_is_said_and_never_zero() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(100.0),
        );
        let a = run(&s, &[(2021, 70.0), (2022, 80.0), (2023, 90.0)], 2023);
        // Projection from the first observation: 90 + 10/yr * 2 = 110 >= 100.
        close(a.projection, 110.0);
        assert_eq!(a.status, Status::Green);
        assert!(a.pace_ratio.is_none());
        assert!(a.caveats.iter().any(|c| c.contains("未给出基期值")));
        let single = run(&s, &[(2023, 90.0)], 2023);
        assert_eq!(single.status, Status::Grey);
    }

    #[test]
    fn cap_decides_on_the_latest_year_and_reports_earlier_breaches() {
        let mut s = spec(
            TargetKind::AtMost,
            Better::Lower,
            PathShape::Linear,
            Some(3.6),
            Some(3.8),
        );
        s.unit = "%".into();
        let a = run(&s, &[(2021, 3.9), (2022, 3.7), (2023, 3.5)], 2023);
        assert_eq!(a.status, Status::Green);
        close(a.cap_margin, 0.3);
        assert!(
            a.explanation.contains("2021年曾超过上限"),
            "{}",
            a.explanation
        );
        let over = run(&s, &[(2023, 3.81)], 2023);
        assert_eq!(over.status, Status::Red);
    }

    #[test]
    fn maintain_must_hold_in_every_year() {
        let s = spec(
            TargetKind::Maintain,
            Better::Lower,
            PathShape::Linear,
            Some(0.0),
            Some(0.0),
        );
        assert_eq!(
            run(&s, &[(2021, 0.0), (2022, 0.0)], 2022).status,
            Status::Green
        );
        assert_eq!(
            run(&s, &[(2021, 1.0), (2022, 0.0)], 2022).status,
            Status::Yellow
        );
        assert_eq!(
            run(&s, &[(2021, 0.0), (2022, 2.0)], 2022).status,
            Status::Red
        );
    }

    #[test]
    fn per_year_amount_checks_each_year() {
        let s = spec(
            TargetKind::PerYear,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(10.0),
        );
        let all = run(&s, &[(2021, 10.0), (2022, 12.0)], 2022);
        assert_eq!(all.status, Status::Green);
        // Mean 9 of 10 = 90%: yellow, and 2022 is named as short.
        let short = run(&s, &[(2021, 10.0), (2022, 8.0)], 2022);
        close(short.pace_ratio, 0.9);
        assert_eq!(short.status, Status::Yellow);
        assert!(short.explanation.contains("2022年未达到"));
    }

    #[test]
    fn cumulative_amount_against_target_times_time_elapsed() {
        // 5.5 over five years; by 2023 expected 3.3; achieved 1.1 * 3 = 3.3 -> exactly on time.
        let s = spec(
            TargetKind::Cumulative,
            Better::Higher,
            PathShape::Linear,
            None,
            Some(5.5),
        );
        let a = run(&s, &[(2021, 1.1), (2022, 1.1), (2023, 1.1)], 2023);
        close(a.expected_value, 3.3);
        close(a.pace_ratio, 1.0);
        assert_eq!(a.status, Status::Green);
        close(a.required_per_year, 1.1);
        // The base year's value does not count towards the period total.
        let with_base = run(
            &s,
            &[(2020, 9.0), (2021, 1.1), (2022, 1.1), (2023, 1.1)],
            2023,
        );
        close(with_base.latest_value, 3.3);
    }

    #[test]
    fn average_growth_compares_rates() {
        // Target 6% a year; 100 -> 112.36 over 2 years is exactly 6%.
        let s = spec(
            TargetKind::AvgGrowth,
            Better::Higher,
            PathShape::Compound,
            Some(100.0),
            Some(6.0),
        );
        let a = run(&s, &[(2022, 112.36)], 2022);
        close(a.growth_achieved, 6.0);
        close(a.pace_ratio, 1.0);
        assert_eq!(a.status, Status::Green);
        // 4.8% of 6% = 80%: yellow exactly at the boundary.
        let slower = run(&s, &[(2022, 100.0 * 1.048f64.powi(2))], 2022);
        close(slower.pace_ratio, 0.8);
        assert_eq!(slower.status, Status::Yellow);
    }

    #[test]
    fn decreasing_relative_change_on_the_compound_path() {
        // Energy intensity down 13.5% over five years. By 2023 the compound path
        // expects 1 - 0.865^0.6 = 8.323% down.
        let s = spec(
            TargetKind::RelativeChange,
            Better::Lower,
            PathShape::Compound,
            Some(0.5),
            Some(-13.5),
        );
        let expected_change = (0.865f64.powf(0.6) - 1.0) * 100.0;
        let a = run(&s, &[(2023, 0.5 * (1.0 + expected_change / 100.0))], 2023);
        close(a.pace_ratio, 1.0);
        assert_eq!(a.status, Status::Green);
        let lagging = run(&s, &[(2023, 0.48)], 2023);
        // -4% achieved of -8.323% expected = 48%.
        close(lagging.pace_ratio, -4.0 / expected_change);
        assert_eq!(lagging.status, Status::Red);
    }

    #[test]
    fn year_on_year_changes_are_chained() {
        let s = spec(
            TargetKind::RelativeChange,
            Better::Lower,
            PathShape::Compound,
            None,
            Some(-13.5),
        );
        let yoy = [(2021, -3.0), (2022, -3.0), (2023, -3.0)];
        let a = assess(
            &s,
            Series {
                levels: &[],
                yoy: &yoy,
            },
            2023,
            &Thresholds::default(),
        );
        assert!(a.latest_is_change);
        close(a.latest_value, (0.97f64.powi(3) - 1.0) * 100.0);
        assert_eq!(a.status, Status::Green);
        // A gap stops the chain at the last unbroken year.
        let mut caveats = Vec::new();
        let chained = chain_yoy(2020, &[(2021, -3.0), (2023, -3.0)], &mut caveats);
        assert_eq!(chained.len(), 1);
        assert!(caveats[0].contains("缺少2022年"));
    }

    #[test]
    fn zero_growth_target_is_a_cap_on_change() {
        let s = spec(
            TargetKind::RelativeChange,
            Better::Lower,
            PathShape::Linear,
            None,
            Some(0.0),
        );
        let held = assess(
            &s,
            Series {
                levels: &[],
                yoy: &[(2021, -1.0), (2022, 0.5)],
            },
            2022,
            &Thresholds::default(),
        );
        assert_eq!(held.status, Status::Green);
        let broken = assess(
            &s,
            Series {
                levels: &[],
                yoy: &[(2021, 1.0)],
            },
            2021,
            &Thresholds::default(),
        );
        assert_eq!(broken.status, Status::Red);
    }

    #[test]
    fn qualitative_targets_are_grey_with_their_trend() {
        let s = spec(
            TargetKind::Qualitative,
            Better::Higher,
            PathShape::Compound,
            None,
            None,
        );
        let a = run(&s, &[(2021, 100.0), (2023, 110.25)], 2023);
        assert_eq!(a.status, Status::Grey);
        close(a.growth_achieved, 5.0);
        assert!(a.explanation.contains("不按规则评价"));
    }

    #[test]
    fn no_data_is_grey() {
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Linear,
            Some(1.0),
            Some(2.0),
        );
        let a = run(&s, &[], 2023);
        assert_eq!(a.status, Status::Grey);
        assert!(a.latest_year.is_none());
    }

    #[test]
    fn cagr_ratio_classes() {
        let t = Thresholds::default();
        assert_eq!(cagr_class(0.95, &t), CagrClass::OnTrack);
        assert_eq!(cagr_class(0.6, &t), CagrClass::AccelerationNeeded);
        assert_eq!(cagr_class(0.0, &t), CagrClass::LimitedProgress);
        assert_eq!(cagr_class(-0.1, &t), CagrClass::MovingAway);
        // GDP 1000 -> 1200 in 3 years vs 1000 -> 1500 in 5.
        let s = spec(
            TargetKind::AtLeast,
            Better::Higher,
            PathShape::Compound,
            Some(1000.0),
            Some(1500.0),
        );
        let a = run(&s, &[(2023, 1200.0)], 2023);
        let expected = (1.2f64.powf(1.0 / 3.0) - 1.0) / (1.5f64.powf(0.2) - 1.0);
        close(a.cagr_ratio, expected);
    }
}
