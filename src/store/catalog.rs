//! The plan catalog: a plan's chapters, sections, departments and indicators, read
//! from a directory of human-editable files (see docs/catalog.md) and validated
//! once, here, before anything touches the database.

use crate::error::{Error, Result};
use crate::model::{Attribution, Better, Nature, PathShape, TargetKind};

pub use crate::model::{Baseline, Chapter, Indicator, PlanFile, Section};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The file names a catalog directory contains.
pub const PLAN_FILE: &str = "plan.toml";
/// Chapters and sections.
pub const STRUCTURE_FILE: &str = "structure.csv";
/// Responsible departments.
pub const DEPARTMENTS_FILE: &str = "departments.csv";
/// Indicators with their targets and source quotes.
pub const INDICATORS_FILE: &str = "indicators.csv";

const STRUCTURE_COLUMNS: &[&str] = &["chapter", "section", "title"];
const DEPARTMENT_COLUMNS: &[&str] = &["code", "name", "short_name"];
const INDICATOR_COLUMNS: &[&str] = &[
    "code",
    "name",
    "unit",
    "chapter",
    "section",
    "nature",
    "nature_by",
    "kind",
    "better",
    "baseline_year",
    "baseline_value",
    "baseline_quote",
    "target_year",
    "target_value",
    "path",
    "department",
    "department_by",
    "source_quote",
    "note",
];

/// The text of a catalog's files, from a directory or built into the binary.
pub struct CatalogFiles {
    /// Where the files came from, used as a prefix in error messages.
    pub origin: String,
    plan: String,
    structure: String,
    departments: String,
    indicators: String,
    plan_text: Option<String>,
}

/// The Tiexi District 14th Five-Year Plan, built into the binary.
pub fn builtin_tiexi() -> CatalogFiles {
    CatalogFiles {
        origin: "seeds/tiexi-14th (built in)".to_string(),
        plan: include_str!("../../seeds/tiexi-14th/plan.toml").to_string(),
        structure: include_str!("../../seeds/tiexi-14th/structure.csv").to_string(),
        departments: include_str!("../../seeds/tiexi-14th/departments.csv").to_string(),
        indicators: include_str!("../../seeds/tiexi-14th/indicators.csv").to_string(),
        plan_text: Some(include_str!("../../seeds/tiexi-14th/plan-text.txt").to_string()),
    }
}

impl CatalogFiles {
    /// Reads the catalog files of a directory (the plan text is read once the
    /// plan file has named it).
    pub fn read_dir(dir: &Path) -> Result<CatalogFiles> {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "catalog directory {} does not exist or is not a directory",
                dir.display()
            )));
        }
        let read = |name: &str| read_text(&dir.join(name));
        let plan = read(PLAN_FILE)?;
        let source_document = toml::from_str::<PlanFile>(&plan)
            .map(|p| p.source_document)
            .ok();
        let plan_text = match source_document {
            Some(name) => Some(read(&name)?),
            None => None,
        };
        Ok(CatalogFiles {
            origin: dir.display().to_string(),
            plan,
            structure: read(STRUCTURE_FILE)?,
            departments: read(DEPARTMENTS_FILE)?,
            indicators: read(INDICATORS_FILE)?,
            plan_text,
        })
    }

    fn file(&self, name: &str) -> String {
        format!("{}/{}", self.origin.trim_end_matches('/'), name)
    }

    /// A SHA-256 over all files, so a reload can tell whether anything changed.
    fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        for text in [
            &self.plan,
            &self.structure,
            &self.departments,
            &self.indicators,
        ] {
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        if let Some(text) = &self.plan_text {
            hasher.update(text.as_bytes());
        }
        hex(&hasher.finalize())
    }
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| Error::Catalog {
        file: path.display().to_string(),
        line: None,
        field: None,
        message: format!(
            "not valid UTF-8 (byte {}); save the file as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok(text.trim_start_matches('\u{feff}').to_string())
}

/// Lower-case hexadecimal of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A validated catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub plan: PlanFile,
    pub chapters: Vec<Chapter>,
    pub departments: Vec<Department>,
    pub indicators: Vec<Indicator>,
    pub plan_text: String,
    pub hash: String,
}

/// A department responsible for indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub short_name: String,
}

/// Parses and validates a catalog; the first problem found is returned with its
/// file, line and field.
pub fn parse(files: &CatalogFiles) -> Result<Catalog> {
    let plan_name = files.file(PLAN_FILE);
    let plan: PlanFile =
        toml::from_str(&files.plan).map_err(|e| toml_error(&plan_name, &files.plan, &e))?;
    validate_plan(&plan, &plan_name)?;
    let plan_text = files.plan_text.clone().ok_or_else(|| Error::Catalog {
        file: plan_name.clone(),
        line: None,
        field: Some("source_document".into()),
        message: "the plan text could not be read".into(),
    })?;
    let chapters = parse_structure(&files.structure, &files.file(STRUCTURE_FILE))?;
    let departments = parse_departments(&files.departments, &files.file(DEPARTMENTS_FILE))?;
    let context = IndicatorContext {
        plan: &plan,
        chapters: &chapters,
        departments: &departments,
        plan_text: squash(&plan_text),
    };
    let indicators = parse_indicators(&files.indicators, &files.file(INDICATORS_FILE), &context)?;
    Ok(Catalog {
        plan,
        chapters,
        departments,
        indicators,
        plan_text,
        hash: files.hash(),
    })
}

/// A TOML error as one line naming the file and line, like every catalog error.
pub fn toml_error(file: &str, text: &str, error: &toml::de::Error) -> Error {
    let start = error.span().map(|span| span.start.min(text.len()));
    let line = start.map(|start| text[..start].lines().count().max(1) as u64);
    // The key on the offending line, when there is one, is the field to fix.
    let field = start
        .and_then(|start| text[..start].lines().last())
        .and_then(|line| line.split_once('='))
        .map(|(key, _)| key.trim().to_string())
        .filter(|key| !key.is_empty());
    Error::Catalog {
        file: file.to_string(),
        line,
        field,
        message: error.message().trim().to_string(),
    }
}

fn validate_plan(plan: &PlanFile, file: &str) -> Result<()> {
    let fail = |field: &str, message: String| Error::Catalog {
        file: file.to_string(),
        line: None,
        field: Some(field.to_string()),
        message,
    };
    if !is_code(&plan.code) {
        return Err(fail(
            "code",
            "use lower-case letters, digits, `-` and `_`".into(),
        ));
    }
    if !(1950..=2100).contains(&plan.period_start) || plan.period_end < plan.period_start {
        return Err(fail(
            "period_end",
            format!(
                "period {}-{} is not a valid range",
                plan.period_start, plan.period_end
            ),
        ));
    }
    if plan.base_year >= plan.period_start {
        return Err(fail(
            "base_year",
            format!(
                "base year {} must come before the period start {}",
                plan.base_year, plan.period_start
            ),
        ));
    }
    if !(plan.period_start..=plan.period_end).contains(&plan.midterm_year) {
        return Err(fail(
            "midterm_year",
            format!(
                "mid-term year {} is outside the period {}-{}",
                plan.midterm_year, plan.period_start, plan.period_end
            ),
        ));
    }
    if let Some(adopted) = &plan.adopted {
        if chrono::NaiveDate::parse_from_str(adopted, "%Y-%m-%d").is_err() {
            return Err(fail(
                "adopted",
                format!("`{adopted}` is not a YYYY-MM-DD date"),
            ));
        }
    }
    Ok(())
}

fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Removes all whitespace: the plan text has stray spaces (“ 十四五 ”) that quotes need not copy.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// One CSV record with its file and line, for field access with precise errors.
struct Row<'a> {
    file: &'a str,
    line: u64,
    headers: &'a BTreeMap<String, usize>,
    record: csv::StringRecord,
}

impl Row<'_> {
    fn error(&self, field: &str, message: impl Into<String>) -> Error {
        Error::Catalog {
            file: self.file.to_string(),
            line: Some(self.line),
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    fn text(&self, field: &str) -> &str {
        self.headers
            .get(field)
            .and_then(|&i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    fn optional(&self, field: &str) -> Option<String> {
        Some(self.text(field).to_string()).filter(|t| !t.is_empty())
    }

    fn required(&self, field: &str) -> Result<String> {
        self.optional(field)
            .ok_or_else(|| self.error(field, "is empty"))
    }

    fn number(&self, field: &str) -> Result<Option<f64>> {
        let text = self.text(field);
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Some(value)),
            _ => Err(self.error(field, format!("`{text}` is not a number"))),
        }
    }

    fn integer(&self, field: &str) -> Result<Option<i64>> {
        let text = self.text(field);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| self.error(field, format!("`{text}` is not a whole number")))
    }

    fn year(&self, field: &str) -> Result<Option<i32>> {
        match self.integer(field)? {
            None => Ok(None),
            Some(year) if (1950..=2100).contains(&year) => Ok(Some(year as i32)),
            Some(year) => Err(self.error(field, format!("{year} is not a plausible year"))),
        }
    }

    fn choice<T>(&self, field: &str, parse: fn(&str) -> Option<T>, expected: String) -> Result<T> {
        let text = self.required(field)?;
        parse(&text).ok_or_else(|| self.error(field, format!("`{text}` is not one of {expected}")))
    }
}

/// Reads a CSV file, checking its header, and hands each row to `each`.
fn read_csv(
    text: &str,
    file: &str,
    columns: &[&str],
    mut each: impl FnMut(&Row<'_>) -> Result<()>,
) -> Result<()> {
    let csv_error = |e: csv::Error| Error::Catalog {
        file: file.to_string(),
        line: e.position().map(|p| p.line()),
        field: None,
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: BTreeMap<String, usize> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect();
    let header_error = |message: String| Error::Catalog {
        file: file.to_string(),
        line: Some(1),
        field: None,
        message,
    };
    if let Some(missing) = columns.iter().find(|c| !headers.contains_key(**c)) {
        return Err(header_error(format!(
            "missing column `{missing}` (expected: {})",
            columns.join(",")
        )));
    }
    if let Some(unknown) = headers.keys().find(|h| !columns.contains(&h.as_str())) {
        return Err(header_error(format!(
            "unknown column `{unknown}` (expected: {})",
            columns.join(",")
        )));
    }
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        each(&Row {
            file,
            line,
            headers: &headers,
            record,
        })?;
    }
    Ok(())
}

fn parse_structure(text: &str, file: &str) -> Result<Vec<Chapter>> {
    let mut chapters: Vec<Chapter> = Vec::new();
    read_csv(text, file, STRUCTURE_COLUMNS, |row| {
        let chapter = positive(row, "chapter")?;
        let title = row.required("title")?;
        match row.integer("section")? {
            None => {
                if chapters.iter().any(|c| c.number == chapter) {
                    return Err(row.error("chapter", format!("chapter {chapter} appears twice")));
                }
                if chapters.last().is_some_and(|c| c.number >= chapter) {
                    return Err(row.error("chapter", "chapters must be listed in order"));
                }
                chapters.push(Chapter {
                    number: chapter,
                    title,
                    sections: Vec::new(),
                });
            }
            Some(section) => {
                let section = u32::try_from(section)
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| row.error("section", "must be a positive number"))?;
                let current = chapters
                    .last_mut()
                    .filter(|c| c.number == chapter)
                    .ok_or_else(|| {
                        row.error(
                            "chapter",
                            format!(
                                "section of chapter {chapter} must follow that chapter's own row"
                            ),
                        )
                    })?;
                if current.sections.iter().any(|s| s.number >= section) {
                    return Err(row.error(
                        "section",
                        format!("section {section} is repeated or out of order"),
                    ));
                }
                current.sections.push(Section {
                    number: section,
                    title,
                });
            }
        }
        Ok(())
    })?;
    if chapters.is_empty() {
        return Err(Error::Catalog {
            file: file.to_string(),
            line: None,
            field: None,
            message: "no chapters".into(),
        });
    }
    Ok(chapters)
}

fn positive(row: &Row<'_>, field: &str) -> Result<u32> {
    row.integer(field)?
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| row.error(field, "must be a positive number"))
}

fn parse_departments(text: &str, file: &str) -> Result<Vec<Department>> {
    let mut departments: Vec<Department> = Vec::new();
    read_csv(text, file, DEPARTMENT_COLUMNS, |row| {
        let code = row.required("code")?;
        if !is_code(&code) {
            return Err(row.error("code", "use lower-case letters, digits, `-` and `_`"));
        }
        if departments.iter().any(|d| d.code == code) {
            return Err(row.error("code", format!("department `{code}` appears twice")));
        }
        departments.push(Department {
            code,
            name: row.required("name")?,
            short_name: row.required("short_name")?,
        });
        Ok(())
    })?;
    Ok(departments)
}

struct IndicatorContext<'a> {
    plan: &'a PlanFile,
    chapters: &'a [Chapter],
    departments: &'a [Department],
    plan_text: String,
}

fn parse_indicators(
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

fn parse_indicator(row: &Row<'_>, context: &IndicatorContext<'_>) -> Result<Indicator> {
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

fn check_quote(row: &Row<'_>, field: &str, quote: &str, plan_text: &str) -> Result<()> {
    if plan_text.contains(&squash(quote)) {
        Ok(())
    } else {
        Err(row.error(
            field,
            "this text does not occur in the plan text (whitespace ignored); copy the sentence exactly",
        ))
    }
}

fn parse_baseline(row: &Row<'_>, plan_text: &str) -> Result<Option<Baseline>> {
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

fn kind_value_hint(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::AvgGrowth => "the annual growth rate in percent, e.g. 6",
        TargetKind::RelativeChange => "the change over the period in percent, e.g. -13.5",
        TargetKind::PerYear => "the amount for each year",
        TargetKind::Cumulative => "the total over the period",
        _ => "the level to reach or hold",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_is_valid() {
        let catalog = parse(&builtin_tiexi()).unwrap();
        assert_eq!(catalog.chapters.len(), 13);
        let sections: usize = catalog.chapters.iter().map(|c| c.sections.len()).sum();
        assert_eq!(sections, 52);
        assert!(
            catalog.indicators.len() >= 60,
            "{}",
            catalog.indicators.len()
        );
    }

    #[test]
    fn squash_removes_stray_spaces() {
        assert_eq!(
            squash("“ 十四五 ” 时期\n( 2021-2025 年)"),
            "“十四五”时期(2021-2025年)"
        );
    }
}
