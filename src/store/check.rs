//! `planeval check`: SQLite's own integrity and foreign-key checks, the
//! catalog rules a statistics office would apply when reading the file by hand,
//! and the audit chain that tells which rows were changed outside planeval.

use super::audit::verify::verify;
use super::catalog::{kind_value_problem, squash};
use super::db::{sqlite_check, Store};
pub use super::finding::{Finding, Severity};
use super::plans::{all_plans, plan_indicators};
use crate::error::{Error, Result};

fn error(subject: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Error,
        subject: subject.into(),
        message: message.into(),
    }
}

/// Runs every check; an empty list means the file is clean.
pub fn check(store: &Store) -> Result<Vec<Finding>> {
    let mut findings =
        sqlite_checks(store).map_err(|e| Error::db(store.path(), "running integrity checks", e))?;
    if findings.iter().any(|f| f.subject == "integrity_check") {
        // The catalog cannot be trusted on a damaged file; stop at SQLite's verdict.
        return Ok(findings);
    }
    findings.extend(catalog_checks(store)?);
    findings.extend(
        observation_checks(store)
            .map_err(|e| Error::db(store.path(), "checking observations", e))?,
    );
    // One snapshot for the whole chain: a write committed half-way through
    // would otherwise look like rows no link recorded.
    let chain = store.read_snapshot(|| {
        verify(store.conn()).map_err(|e| Error::db(store.path(), "verifying the audit chain", e))
    })?;
    findings.extend(chain);
    Ok(findings)
}

fn sqlite_checks(store: &Store) -> rusqlite::Result<Vec<Finding>> {
    let conn = store.conn();
    let mut findings = Vec::new();
    for message in sqlite_check(conn, "integrity_check")? {
        findings.push(error("integrity_check", message));
    }
    if !findings.is_empty() {
        // Foreign keys of a damaged file may not even be readable.
        return Ok(findings);
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (table, rowid, parent) = row?;
        let row = rowid.map(|id| format!(" row {id}")).unwrap_or_default();
        findings.push(error(
            format!("{table}{row}"),
            format!("refers to a {parent} that does not exist (broken foreign key)"),
        ));
    }
    Ok(findings)
}

fn catalog_checks(store: &Store) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for plan in all_plans(store)? {
        let text: String = store
            .conn()
            .query_row(
                "SELECT source_text FROM plan WHERE id = ?1",
                [plan.id],
                |r| r.get(0),
            )
            .map_err(|e| Error::db(store.path(), "reading plan text", e))?;
        let text = squash(&text);
        let indicators = plan_indicators(store.conn(), Some(plan.id))
            .map_err(|e| Error::db(store.path(), "reading indicators", e))?;
        if indicators.is_empty() {
            findings.push(Finding {
                severity: Severity::Warning,
                subject: format!("plan {}", plan.code),
                message: "has no indicators".into(),
            });
        }
        for stored in indicators {
            let i = &stored.definition;
            let subject = format!("{}/{}", plan.code, i.code);
            if let Some((field, message)) = kind_value_problem(
                i.kind,
                i.better,
                i.target_value,
                i.baseline.as_ref(),
                i.target_year,
            ) {
                findings.push(error(&subject, format!("{field}: {message}")));
            }
            if !(plan.period_start..=plan.period_end).contains(&i.target_year) {
                findings.push(error(
                    &subject,
                    format!(
                        "target year {} is outside the plan period {}-{}",
                        i.target_year, plan.period_start, plan.period_end
                    ),
                ));
            }
            let quotes = std::iter::once(("source_quote", i.source_quote.as_str())).chain(
                i.baseline
                    .as_ref()
                    .map(|b| ("baseline_quote", b.quote.as_str())),
            );
            for (field, quote) in quotes {
                if squash(quote).is_empty() {
                    findings.push(error(&subject, format!("{field} is empty")));
                } else if !text.contains(&squash(quote)) {
                    findings.push(error(
                        &subject,
                        format!("{field} does not occur in the plan text"),
                    ));
                }
            }
        }
    }
    Ok(findings)
}

fn observation_checks(store: &Store) -> rusqlite::Result<Vec<Finding>> {
    let mut findings = years_outside_plan(store)?;
    findings.extend(impossible_values(store)?);
    Ok(findings)
}

/// Runs a query whose first three columns are plan code, indicator code and year,
/// and turns each row into an error about that observation.
fn observation_errors(
    store: &Store,
    sql: &str,
    message: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<String>,
) -> rusqlite::Result<Vec<Finding>> {
    let mut stmt = store.conn().prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        let subject = format!(
            "{}/{} {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i32>(2)?
        );
        Ok(error(subject, message(r)?))
    })?;
    rows.collect()
}

/// Levels no unit allows: a share outside 0-100%, a negative amount. The import
/// refuses them, so one found here was written some other way.
fn impossible_values(store: &Store) -> rusqlite::Result<Vec<Finding>> {
    observation_errors(
        store,
        "SELECT p.code, i.code, o.year, o.value, i.unit
         FROM observation o JOIN indicator i ON i.id = o.indicator_id JOIN plan p ON p.id = i.plan_id
         WHERE o.value_kind = 'level'
           AND ((trim(i.unit) = '%' AND (o.value < 0 OR o.value > 100))
                OR (i.kind <> 'qualitative' AND o.value < 0))
         ORDER BY p.code, i.code, o.year",
        |r| {
            Ok(format!(
                "value {} is impossible for unit `{}`",
                r.get::<_, f64>(3)?,
                r.get::<_, String>(4)?
            ))
        },
    )
}

fn years_outside_plan(store: &Store) -> rusqlite::Result<Vec<Finding>> {
    observation_errors(
        store,
        "SELECT p.code, i.code, o.year, p.base_year, p.period_end
         FROM observation o JOIN indicator i ON i.id = o.indicator_id JOIN plan p ON p.id = i.plan_id
         WHERE o.year < p.base_year OR o.year > p.period_end
         ORDER BY p.code, i.code, o.year",
        |r| {
            Ok(format!(
                "observation year is outside {}-{} (base year to plan end)",
                r.get::<_, i32>(3)?,
                r.get::<_, i32>(4)?
            ))
        },
    )
}
