//! An indicator row checked and parsed: its codes, nature, kind and path, its
//! source quote found in the plan text, its baseline, and a target value that
//! fits its kind.

use super::rows::*;
use super::*;
use crate::error::{Error, Result};
use crate::model::{Attribution, Better, Nature, PathShape, TargetKind};
use std::collections::HashSet;

pub(super) struct IndicatorContext<'a> {
    pub(super) plan: &'a PlanFile,
    pub(super) chapters: &'a [Chapter],
    pub(super) departments: &'a [Department],
    pub(super) plan_text: String,
}

pub(super) fn parse_indicators(
    text: &str,
    file: &str,
    context: &IndicatorContext<'_>,
) -> Result<Vec<Indicator>> {
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut codes = HashSet::new();
    read_csv(text, file, INDICATOR_COLUMNS, |row| {
        let indicator = parse_indicator(row, context)?;
        if !codes.insert(indicator.code.clone()) {
            return Err(row.error(
                "code",
                format!("indicator `{}` appears twice", indicator.code),
            ));
        }
        indicators.push(indicator);
        Ok(())
    })?;
    if indicators.is_empty() {
        return Err(Error::Catalog {
            file: file.to_string(),
            line: None,
            field: None,
            message: "no indicators".into(),
        });
    }
    Ok(indicators)
}

pub(super) fn parse_indicator(row: &Row<'_>, context: &IndicatorContext<'_>) -> Result<Indicator> {
    let code = row.required("code")?;
    if !is_code(&code) {
        return Err(row.error("code", "use lower-case letters, digits, `-` and `_`"));
    }
    let kind = row.choice("kind", TargetKind::parse, TargetKind::expected())?;
    let unit = row.text("unit").to_string();
    let chapter = positive(row, "chapter")?;
    let section = match row.integer("section")? {
        None => None,
        Some(_) => Some(positive(row, "section")?),
    };
    let chapter_entry = context
        .chapters
        .iter()
        .find(|c| c.number == chapter)
        .ok_or_else(|| {
            row.error(
                "chapter",
                format!("chapter {chapter} is not in structure.csv"),
            )
        })?;
    if let Some(section) = section {
        if !chapter_entry.sections.iter().any(|s| s.number == section) {
            return Err(row.error(
                "section",
                format!("chapter {chapter} has no section {section} in structure.csv"),
            ));
        }
    }
    let department = row.required("department")?;
    if !context.departments.iter().any(|d| d.code == department) {
        return Err(row.error(
            "department",
            format!("`{department}` is not in departments.csv"),
        ));
    }
    let source_quote = row.required("source_quote")?;
    check_quote(row, "source_quote", &source_quote, &context.plan_text)?;
    let baseline = parse_baseline(row, &context.plan_text)?;
    let target_year = row
        .year("target_year")?
        .ok_or_else(|| row.error("target_year", "is empty"))?;
    if !(context.plan.period_start..=context.plan.period_end).contains(&target_year) {
        return Err(row.error(
            "target_year",
            format!(
                "{target_year} is outside the plan period {}-{}",
                context.plan.period_start, context.plan.period_end
            ),
        ));
    }
    let target_value = row.number("target_value")?;
    let better = row.choice("better", Better::parse, Better::expected())?;
    if let Some((field, message)) =
        kind_value_problem(kind, better, target_value, baseline.as_ref(), target_year)
    {
        return Err(row.error(field, message));
    }
    let path = match row.optional("path") {
        None => PathShape::default_for(&unit, kind),
        Some(_) => row.choice("path", PathShape::parse, PathShape::expected())?,
    };
    Ok(Indicator {
        code,
        name: row.required("name")?,
        unit,
        chapter,
        section,
        nature: row.choice("nature", Nature::parse, Nature::expected())?,
        nature_by: row.choice("nature_by", Attribution::parse, Attribution::expected())?,
        kind,
        better,
        baseline,
        target_year,
        target_value,
        path,
        department,
        department_by: row.choice("department_by", Attribution::parse, Attribution::expected())?,
        source_quote,
        note: row.optional("note"),
    })
}

pub(super) fn check_quote(row: &Row<'_>, field: &str, quote: &str, plan_text: &str) -> Result<()> {
    if plan_text.contains(&squash(quote)) {
        Ok(())
    } else {
        Err(row.error(
            field,
            "this text does not occur in the plan text (whitespace ignored); copy the sentence exactly",
        ))
    }
}

pub(super) fn parse_baseline(row: &Row<'_>, plan_text: &str) -> Result<Option<Baseline>> {
    let year = row.year("baseline_year")?;
    let value = row.number("baseline_value")?;
    let quote = row.optional("baseline_quote");
    match (year, value, quote) {
        (None, None, None) => Ok(None),
        (Some(year), Some(value), Some(quote)) => {
            check_quote(row, "baseline_quote", &quote, plan_text)?;
            Ok(Some(Baseline { year, value, quote }))
        }
        (_, None, _) => Err(row.error(
            "baseline_value",
            "give baseline_year, baseline_value and baseline_quote together, or none of them",
        )),
        (None, _, _) => Err(row.error(
            "baseline_year",
            "give baseline_year, baseline_value and baseline_quote together, or none of them",
        )),
        (_, _, None) => Err(row.error(
            "baseline_quote",
            "a baseline needs the sentence of the plan that states it",
        )),
    }
}

/// The rules that tie a target kind to its values: what a statistics office would
/// reject when reading the catalog by hand. Returns the offending field and why.
pub fn kind_value_problem(
    kind: TargetKind,
    better: Better,
    target: Option<f64>,
    baseline: Option<&Baseline>,
    target_year: i32,
) -> Option<(&'static str, String)> {
    if let Some(implied) = kind.implied_better() {
        if implied != better {
            return Some((
                "better",
                format!("a `{kind}` target implies better = {implied}, not {better}"),
            ));
        }
    }
    let target =
        match (kind, target) {
            (TargetKind::Qualitative, None) => return None,
            (TargetKind::Qualitative, Some(_)) => return Some((
                "target_value",
                "a qualitative indicator has no numeric target; leave it empty or change the kind"
                    .to_string(),
            )),
            (_, None) => {
                return Some((
                    "target_value",
                    format!(
                        "a `{kind}` target needs a value ({})",
                        kind_value_hint(kind)
                    ),
                ))
            }
            (_, Some(value)) => value,
        };
    if let Some(baseline) = baseline {
        if baseline.year >= target_year {
            return Some((
                "baseline_year",
                format!(
                    "baseline year {} is not before the target year {target_year}",
                    baseline.year
                ),
            ));
        }
    }
    match kind {
        TargetKind::AvgGrowth if !(-50.0..=100.0).contains(&target) => Some((
            "target_value",
            format!("{target} is not a plausible average annual growth rate in percent"),
        )),
        TargetKind::RelativeChange if target <= -100.0 => Some((
            "target_value",
            format!("{target} is not a change in percent over the period (e.g. -13.5)"),
        )),
        // A zero change (零增长) is a cap on change and fits either direction.
        TargetKind::RelativeChange
            if target != 0.0 && (target < 0.0) != (better == Better::Lower) =>
        {
            Some((
                "better",
                format!(
                    "a change of {target}% means better = {}",
                    if target < 0.0 { "lower" } else { "higher" }
                ),
            ))
        }
        TargetKind::PerYear | TargetKind::Cumulative if target <= 0.0 => Some((
            "target_value",
            format!("a `{kind}` amount must be positive, not {target}"),
        )),
        _ => None,
    }
}

pub(super) fn kind_value_hint(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::AvgGrowth => "the annual growth rate in percent, e.g. 6",
        TargetKind::RelativeChange => "the change over the period in percent, e.g. -13.5",
        TargetKind::PerYear => "the amount for each year",
        TargetKind::Cumulative => "the total over the period",
        _ => "the level to reach or hold",
    }
}
