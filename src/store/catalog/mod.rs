//! The plan catalog: a plan's chapters, sections, departments and indicators, read
//! from a directory of human-editable files (see docs/catalog.md) and validated
//! once, here, before anything touches the database.
//!
//! Here: the files, the parsed types, the plan file and the whole parse;
//! [`rows`] reads the CSV tables (structure, departments) through a row
//! reader that names the file, line and column of a problem, and
//! [`indicators`] checks each indicator, its source quote and its target.

mod indicators;
mod rows;

pub use indicators::kind_value_problem;

use indicators::{parse_indicators, IndicatorContext};
use rows::{parse_departments, parse_structure};

use crate::error::{Error, Result};
pub use crate::model::{Baseline, Chapter, Indicator, PlanFile, Section};
use sha2::{Digest, Sha256};
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
        plan: include_str!("../../../seeds/tiexi-14th/plan.toml").to_string(),
        structure: include_str!("../../../seeds/tiexi-14th/structure.csv").to_string(),
        departments: include_str!("../../../seeds/tiexi-14th/departments.csv").to_string(),
        indicators: include_str!("../../../seeds/tiexi-14th/indicators.csv").to_string(),
        plan_text: Some(include_str!("../../../seeds/tiexi-14th/plan-text.txt").to_string()),
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
    // Counted by line breaks before the error: a span that starts a line (an
    // unknown key at column 0) belongs to that line, not the one before it.
    let line = start.map(|start| text[..start].matches('\n').count() as u64 + 1);
    // The key on the offending line, when there is one, is the field to fix.
    let field = start
        .map(|start| &text[text[..start].rfind('\n').map_or(0, |i| i + 1)..])
        .and_then(|rest| rest.lines().next())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toml_error_names_the_line_and_key_it_is_on() {
        let text = "[thresholds]\ngreen = 1.0\n";
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)] // only the refusal is looked at, never the fields
        struct Thresholds {
            yellow_from: Option<f64>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // only the refusal is looked at, never the fields
        struct Config {
            thresholds: Thresholds,
        }
        // `green` is unknown: the error's span starts at column 0 of line 2.
        let error = toml::from_str::<Config>(text).unwrap_err();
        let Error::Catalog { line, field, .. } = toml_error("planeval.toml", text, &error) else {
            panic!("not a catalog error");
        };
        assert_eq!(line, Some(2));
        assert_eq!(field.as_deref(), Some("green"));
    }

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
