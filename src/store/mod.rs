//! The SQLite store: opening the file, the plan catalog, observations, demo
//! data, the integrity checks, the audit chain over every write, importing
//! departments' figures, the history of values, values still owed, published
//! report editions, and what the reports read (commentary, sources).

pub mod audit;
pub mod catalog;
pub mod check;
pub mod db;
pub mod demo;
pub mod departments;
pub mod editions;
pub mod finding;
pub mod history;
pub mod import;
pub mod missing;
pub mod observations;
pub mod plans;
pub mod reports;
pub mod snapshot;
pub mod synth;
pub mod verdicts;

pub use db::Store;

/// Reads a text column into one of the model's enums without allocating. The
/// CHECK constraints make a bad value unlikely, but a hand-edited file still gets
/// a clear error rather than a guess.
pub(crate) fn decode<T>(
    row: &rusqlite::Row<'_>,
    index: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text = row.get_ref(index)?.as_str()?;
    parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("unexpected value `{text}`").into(),
        )
    })
}

/// `select` as it is for every plan, or restricted to one plan by `filter`
/// (a condition on `?1`, the plan id). A separate query for one plan rather
/// than `?1 IS NULL OR filter`, which SQLite answers by scanning the whole
/// table: a batch reads one plan per report, and a hundred full scans cost
/// more than rendering the reports.
pub(crate) fn one_plan_or_all(select: &str, filter: &str, plan_id: Option<i64>) -> String {
    match plan_id {
        Some(_) => format!("{} WHERE {filter}", select.trim_end()),
        None => select.to_string(),
    }
}
