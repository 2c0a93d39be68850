//! Checking import rows against the catalog and the values already recorded,
//! and deciding what each row does: a new value, a change, a revision of a
//! final value, a preliminary value confirmed as final, or nothing at all.
//! Every problem of every row is collected; the caller decides to write only
//! when there is none.

use super::columns::{parse_value_kind, Column};
use super::number::{fold_width, parse_value, parse_year};
use super::read::{Cell, RawRow, SourceFile};
use super::rules::{impossible_value, jump_warning, PreviousValue};
use super::{Problem, ProblemList, Severity};
use crate::model::{unit_is_percent, ObservationStatus, TargetKind, ValueKind};
use crate::store::decode;
use crate::store::observations::plan_observations;
use crate::store::plans::PlanRecord;
use rusqlite::Connection;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::sync::Arc;

/// Who imports, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRequest {
    /// The department whose figures these are (`--department`).
    pub department: String,
    /// The statistics office importing for other departments (`--as-office`).
    pub as_office: bool,
    /// The status new values get: preliminary or final.
    pub status: ObservationStatus,
    /// Final values may be changed (`--revise`); they become `revised`.
    pub revise: bool,
    /// Why, recorded on every row written (`--reason`).
    pub reason: Option<String>,
    /// The OS user running the import, recorded on every row written.
    pub user: String,
}

/// What one row does to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// No value for this indicator and year yet.
    New,
    /// Replaces a preliminary value.
    Change,
    /// Replaces a final (or already revised) value; the row becomes `revised`.
    Revise,
    /// Confirms a preliminary value, unchanged, as final.
    Finalize,
    /// The same value is already recorded.
    Unchanged,
}

impl Action {
    /// A short word for tables.
    pub fn label(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Change => "changed",
            Action::Revise => "revised",
            Action::Finalize => "finalized",
            Action::Unchanged => "unchanged",
        }
    }
}

/// A value already in the database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurrentValue {
    pub value: f64,
    pub value_kind: ValueKind,
    pub status: ObservationStatus,
}

/// An indicator as import rows are checked against it. The text is shared
/// with every row that names the indicator.
#[derive(Debug)]
struct KnownIndicator {
    id: i64,
    code: Arc<str>,
    name: Arc<str>,
    unit: Arc<str>,
    kind: TargetKind,
    department: String,
}

fn known_indicators(conn: &Connection, plan_id: i64) -> rusqlite::Result<Vec<KnownIndicator>> {
    let mut stmt = conn.prepare(include_str!("../../../sql/select_import_indicators.sql"))?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok(KnownIndicator {
            id: r.get(0)?,
            code: r.get::<_, String>(1)?.into(),
            name: r.get::<_, String>(2)?.into(),
            unit: r.get::<_, String>(3)?.into(),
            kind: decode(r, 4, TargetKind::parse)?,
            department: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// One valid row and what it will do. The file name and the indicator's text
/// are shared, not copied: a million-row import holds a million of these.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedValue {
    pub file: Arc<str>,
    pub row: u32,
    pub indicator_id: i64,
    pub code: Arc<str>,
    pub name: Arc<str>,
    pub unit: Arc<str>,
    pub year: i32,
    pub value: f64,
    pub value_kind: ValueKind,
    /// The status the row will have afterwards.
    pub status: ObservationStatus,
    pub source: Option<String>,
    pub note: Option<String>,
    pub current: Option<CurrentValue>,
    pub action: Action,
}

/// Everything the check found.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    /// Valid rows with a value, in file and row order.
    pub values: Vec<PlannedValue>,
    /// The first [`LISTED_PROBLEMS`](super::LISTED_PROBLEMS) errors and
    /// warnings, in file and row order.
    pub problems: Vec<Problem>,
    /// How many more problems were found than are listed.
    pub unlisted_problems: usize,
    /// Rows whose value cell was empty (not reported yet); they change nothing.
    pub left_empty: usize,
    errors: usize,
    files_with_errors: usize,
}

impl ImportPlan {
    /// How many errors were found, listed or not; any error means nothing is written.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// How many files have errors.
    pub fn files_with_errors(&self) -> usize {
        self.files_with_errors
    }

    /// The rows that change the database.
    pub fn changes(&self) -> impl Iterator<Item = &PlannedValue> {
        self.values.iter().filter(|v| v.action != Action::Unchanged)
    }

    /// How many rows take this action.
    pub fn count(&self, action: Action) -> usize {
        self.values.iter().filter(|v| v.action == action).count()
    }
}

/// What import rows are checked against: a plan's indicators and the values
/// recorded now, as of one read of the database.
#[derive(Debug)]
pub struct ImportCatalog {
    indicators: Vec<KnownIndicator>,
    current: HashMap<(i64, i32), CurrentValue>,
    /// SQLite's `data_version` when this was read: a value that changes when
    /// another connection commits, comparable only on the same connection.
    data_version: i64,
}

impl ImportCatalog {
    /// Reads the catalog of a plan; the caller holds a transaction, so the
    /// indicators, the values and the data version are of one moment.
    pub fn read(conn: &Connection, plan_id: i64) -> rusqlite::Result<ImportCatalog> {
        let current = plan_observations(conn, Some(plan_id))?
            .into_iter()
            .map(|o| {
                let value = CurrentValue {
                    value: o.value,
                    value_kind: o.value_kind,
                    status: o.status,
                };
                ((o.indicator_id, o.year), value)
            })
            .collect();
        Ok(ImportCatalog {
            indicators: known_indicators(conn, plan_id)?,
            current,
            data_version: data_version(conn)?,
        })
    }

    /// True when no other connection has committed since this was read, so a
    /// check against it is a check against the database as it is now.
    pub fn is_current(&self, conn: &Connection) -> rusqlite::Result<bool> {
        Ok(data_version(conn)? == self.data_version)
    }
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
}

/// Checks every row of `files` for `plan` against `catalog`.
pub fn plan_import(
    catalog: &ImportCatalog,
    plan: &PlanRecord,
    files: &[SourceFile],
    request: &ImportRequest,
) -> ImportPlan {
    plan_import_streaming(catalog, plan, files, request, |_| {})
}

/// Checks like [`plan_import`], and hands each valid row to `valid` as soon as it
/// is checked, while no error has been found, so it can be written while the
/// rest is checked. Rows handed over before an error are not taken back: the
/// caller must discard them when the plan it gets has errors.
pub fn plan_import_streaming(
    catalog: &ImportCatalog,
    plan: &PlanRecord,
    files: &[SourceFile],
    request: &ImportRequest,
    mut valid: impl FnMut(&PlannedValue),
) -> ImportPlan {
    let by_code: HashMap<&str, &KnownIndicator> =
        catalog.indicators.iter().map(|i| (&*i.code, i)).collect();
    let current = &catalog.current;
    // Sized up front: growing a vector of a million values means copying it.
    let rows = files.iter().map(|f| f.rows.len()).sum();
    let mut checker = RowChecker {
        plan,
        request,
        by_code,
        current,
        seen: HashMap::default(),
        problems: ProblemList::default(),
        file_index: 0,
    };
    let mut values = Vec::with_capacity(rows);
    // Where each file's values start in `values`.
    let mut file_starts = Vec::with_capacity(files.len());
    let mut left_empty = 0;
    for (index, file) in files.iter().enumerate() {
        checker.file_index = index;
        checker.problems.absorb(index, &file.problems);
        file_starts.push(values.len());
        let name: Arc<str> = file.name.as_str().into();
        for row in &file.rows {
            if row.cell(Column::Value).is_none() {
                left_empty += 1;
                continue;
            }
            if let Some(value) = checker.check(&name, row) {
                if checker.problems.errors() == 0 {
                    valid(&value);
                }
                values.push(value);
            }
        }
    }
    let mut problems = checker.problems;
    for (at, warning) in jump_warnings(&values, current) {
        let file = file_starts.partition_point(|&start| start <= at) - 1;
        problems.push(file, warning);
    }
    let (errors, files_with_errors) = (problems.errors(), problems.files_with_errors());
    let (problems, unlisted_problems) = problems.into_listed();
    ImportPlan {
        values,
        problems,
        unlisted_problems,
        left_empty,
        errors,
        files_with_errors,
    }
}

/// Warnings for values that jump against the previous year, which may come
/// from the database or from the same import, each with the index of its value.
fn jump_warnings<'a>(
    values: &'a [PlannedValue],
    current: &'a HashMap<(i64, i32), CurrentValue>,
) -> impl Iterator<Item = (usize, Problem)> + 'a {
    let mut merged: HashMap<(i64, i32), (f64, ValueKind)> =
        HashMap::with_capacity_and_hasher(current.len() + values.len(), Default::default());
    merged.extend(
        current
            .iter()
            .map(|(key, c)| (*key, (c.value, c.value_kind))),
    );
    for v in values {
        merged.insert((v.indicator_id, v.year), (v.value, v.value_kind));
    }
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.action != Action::Unchanged)
        .filter_map(move |(at, v)| {
            let previous = merged
                .get(&(v.indicator_id, v.year - 1))
                .map(|&(value, value_kind)| PreviousValue {
                    year: v.year - 1,
                    value,
                    value_kind,
                });
            let message = jump_warning(v.value_kind, v.value, previous)?;
            let warning = Problem {
                severity: Severity::Warning,
                file: v.file.to_string(),
                row: v.row,
                code: Some(v.code.to_string()),
                field: Some(Column::Value),
                message,
            };
            Some((at, warning))
        })
}

struct RowChecker<'a> {
    plan: &'a PlanRecord,
    request: &'a ImportRequest,
    by_code: HashMap<&'a str, &'a KnownIndicator>,
    current: &'a HashMap<(i64, i32), CurrentValue>,
    /// Where each indicator and year was first seen, to report duplicates.
    seen: HashMap<(i64, i32), (Arc<str>, u32)>,
    problems: ProblemList,
    /// The index of the file being checked, for the order of its problems.
    file_index: usize,
}

impl RowChecker<'_> {
    fn problem(
        &mut self,
        severity: Severity,
        file: &str,
        row: &RawRow,
        code: Option<&str>,
        field: Option<Column>,
        message: String,
    ) {
        self.problems.push(
            self.file_index,
            Problem {
                severity,
                file: file.to_string(),
                row: row.row,
                code: code.map(str::to_string),
                field,
                message,
            },
        );
    }

    /// The value of `checked`, or `None` after recording its error against the
    /// row's `field`.
    fn or_error<T>(
        &mut self,
        checked: Result<T, String>,
        file: &str,
        row: &RawRow,
        code: &str,
        field: Column,
    ) -> Option<T> {
        match checked {
            Ok(value) => Some(value),
            Err(message) => {
                self.problem(Severity::Error, file, row, Some(code), Some(field), message);
                None
            }
        }
    }

    /// Checks one row that has a value; `None` when it has an error.
    fn check(&mut self, file: &Arc<str>, row: &RawRow) -> Option<PlannedValue> {
        let errors_before = self.problems.errors();
        let code = match row.text(Column::Code) {
            Some(code) => code,
            None => {
                let message = "is empty; every value needs the indicator code the form gives";
                self.problem(
                    Severity::Error,
                    file,
                    row,
                    None,
                    Some(Column::Code),
                    message.to_string(),
                );
                return None;
            }
        };
        let Some(&d) = self.by_code.get(code.as_ref()) else {
            let message = format!(
                "unknown indicator code `{code}` in plan {}; use the code from the form",
                self.plan.code
            );
            self.problem(Severity::Error, file, row, Some(&code), None, message);
            return None;
        };
        if !self.request.as_office && d.department != self.request.department {
            let message = format!(
                "indicator belongs to department `{}`, not `{}`; only the statistics office may \
                 import it (with --as-office)",
                d.department, self.request.department
            );
            self.problem(Severity::Error, file, row, Some(&code), None, message);
        }
        let year = self.year(file, row, &code);
        self.check_descriptions(file, row, d);
        let value_kind = self.value_kind(file, row, d);
        let value = self.value(file, row, d);
        if let (Some(value), Some(value_kind)) = (value, value_kind) {
            if let Some(message) = impossible_value(&d.unit, d.kind, value_kind, value) {
                self.problem(
                    Severity::Error,
                    file,
                    row,
                    Some(&code),
                    Some(Column::Value),
                    message,
                );
            }
        }
        let year = year?;
        let key = (d.id, year);
        if let Some((first_file, first_row)) = self.seen.get(&key).cloned() {
            let message = format!(
                "{year} appears twice: this row repeats {first_file}:{first_row} (same indicator and year)"
            );
            self.problem(Severity::Error, file, row, Some(&code), None, message);
        } else {
            self.seen.insert(key, (Arc::clone(file), row.row));
        }
        // A row already wrong in itself is not also compared with the database:
        // "a revision is needed" would be noise beside "the value is impossible".
        if self.problems.errors() > errors_before {
            return None;
        }
        let (value, value_kind) = (value?, value_kind?);
        let current = self.current.get(&key).copied();
        let decision = decide(self.request, year, value, value_kind, current);
        let (action, status) = self.or_error(decision, file, row, &code, Column::Value)?;
        Some(PlannedValue {
            file: Arc::clone(file),
            row: row.row,
            indicator_id: d.id,
            code: Arc::clone(&d.code),
            name: Arc::clone(&d.name),
            unit: Arc::clone(&d.unit),
            year,
            value,
            value_kind,
            status,
            source: row.text(Column::Source).map(Cow::into_owned),
            note: row.text(Column::Note).map(Cow::into_owned),
            current,
            action,
        })
    }

    fn year(&mut self, file: &str, row: &RawRow, code: &str) -> Option<i32> {
        let year = match row.cell(Column::Year) {
            None => Err("is empty".to_string()),
            Some(Cell::Number(n)) if n.fract() == 0.0 && (1000.0..10000.0).contains(n) => {
                Ok(*n as i32)
            }
            Some(Cell::Text(text)) => {
                parse_year(text).ok_or_else(|| format!("`{text}` is not a year"))
            }
            Some(Cell::Number(n)) | Some(Cell::Percent(n)) => Err(format!("{n} is not a year")),
            Some(Cell::Other(what)) => Err(format!("is {what}, not a year")),
        };
        let (first, last) = (self.plan.base_year, self.plan.period_end);
        let year = year.and_then(|year| {
            if (first..=last).contains(&year) {
                Ok(year)
            } else {
                Err(format!(
                    "{year} is outside plan {} ({first}–{last}: base year to the end of the period)",
                    self.plan.code
                ))
            }
        });
        self.or_error(year, file, row, code, Column::Year)
    }

    /// The name and unit columns are there for the reader; when they disagree
    /// with the catalog the row may be shifted or converted, so say so.
    fn check_descriptions(&mut self, file: &str, row: &RawRow, d: &KnownIndicator) {
        if let Some(unit) = row.text(Column::Unit) {
            if fold_width(&unit).trim() != fold_width(&d.unit).trim() {
                let message = format!(
                    "the file says `{unit}`, but {} is measured in `{}`; report the value in `{}`",
                    d.code, d.unit, d.unit
                );
                self.problem(
                    Severity::Error,
                    file,
                    row,
                    Some(&d.code),
                    Some(Column::Unit),
                    message,
                );
            }
        }
        if let Some(name) = row.text(Column::Name) {
            if *name != *d.name {
                let message = format!(
                    "`{name}` differs from the catalog's `{}`; check that the row belongs to this code",
                    d.name
                );
                self.problem(
                    Severity::Warning,
                    file,
                    row,
                    Some(&d.code),
                    Some(Column::Name),
                    message,
                );
            }
        }
    }

    fn value_kind(&mut self, file: &str, row: &RawRow, d: &KnownIndicator) -> Option<ValueKind> {
        let kind = match row.cell(Column::ValueKind) {
            None => Ok(ValueKind::Level),
            Some(Cell::Text(text)) => parse_value_kind(text).ok_or_else(|| {
                format!("`{text}` is neither 水平值 (level) nor 同比变化 (yoy_change)")
            }),
            Some(_) => Err("must be 水平值 (level) or 同比变化 (yoy_change)".to_string()),
        };
        let kind = kind.and_then(|kind| {
            if kind == ValueKind::YoyChange && d.kind != TargetKind::RelativeChange {
                Err(format!(
                    "同比变化 (yoy_change) is accepted only for relative-change indicators; \
                     report the level of {} in {}",
                    d.code, d.unit
                ))
            } else {
                Ok(kind)
            }
        });
        self.or_error(kind, file, row, &d.code, Column::ValueKind)
    }

    fn value(&mut self, file: &str, row: &RawRow, d: &KnownIndicator) -> Option<f64> {
        let value = match row.cell(Column::Value) {
            None => return None,
            Some(Cell::Text(text)) => parse_value(text, &d.unit).map_err(|e| e.to_string()),
            Some(Cell::Number(n)) => Ok(*n),
            Some(Cell::Percent(n)) if unit_is_percent(&d.unit) => Ok(*n),
            Some(Cell::Percent(n)) => Err(format!(
                "the cell is formatted as a percentage (it shows {n}%), but {} is measured in {}",
                d.code, d.unit
            )),
            Some(Cell::Other(what)) => Err(format!("is {what}, not a number")),
        };
        self.or_error(value, file, row, &d.code, Column::Value)
    }
}

/// What a row does, given what is recorded. A final value is never replaced
/// without `--revise`; re-sending the same value changes nothing and never
/// lowers a status. The error explains how to revise.
fn decide(
    request: &ImportRequest,
    year: i32,
    value: f64,
    value_kind: ValueKind,
    current: Option<CurrentValue>,
) -> Result<(Action, ObservationStatus), String> {
    let Some(current) = current else {
        return Ok((Action::New, request.status));
    };
    let same = current.value == value && current.value_kind == value_kind;
    let is_final = matches!(
        current.status,
        ObservationStatus::Final | ObservationStatus::Revised
    );
    match (same, is_final) {
        (true, false) if request.status == ObservationStatus::Final => {
            Ok((Action::Finalize, ObservationStatus::Final))
        }
        (true, _) => Ok((Action::Unchanged, current.status)),
        (false, false) => Ok((Action::Change, request.status)),
        (false, true) if request.revise => Ok((Action::Revise, ObservationStatus::Revised)),
        (false, true) => Err(format!(
            "{year} already has the {} value {} ({}); replacing it with {value} ({value_kind}) \
             is a revision: run again with --revise --reason \"...\"",
            current.status, current.value, current.value_kind
        )),
    }
}
