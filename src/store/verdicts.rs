//! The office's own verdicts (统计局意见): one per indicator and year, kept
//! beside the computed status, never replacing it, and audited.

use super::audit::{self, Key, Link, Table};
use super::db::{current_user, now_utc};
use super::plans::PlanRecord;
use super::Store;
use crate::error::{Error, Result};
use crate::model::Status;
use rusqlite::{params, OptionalExtension};

/// The office's verdict on one indicator of a plan for a year.
#[derive(Debug, Clone, Copy)]
pub struct NewVerdict<'a> {
    /// The indicator's code in the plan.
    pub code: &'a str,
    pub year: i32,
    pub status: Status,
    /// Why the office judges so; the command refuses an empty one.
    pub reason: &'a str,
}

/// Records `verdict` for an indicator of `plan` in one audited transaction,
/// replacing an earlier verdict for the same indicator and year. A code the
/// plan does not have is a usage error.
pub fn record_verdict(store: &mut Store, plan: &PlanRecord, verdict: NewVerdict<'_>) -> Result<()> {
    let path = store.path().to_path_buf();
    let indicator: i64 = store
        .conn()
        .query_row(
            "SELECT id FROM indicator WHERE plan_id = ?1 AND code = ?2",
            params![plan.id, verdict.code],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| Error::db(&path, "looking up indicator", e))?
        .ok_or_else(|| {
            Error::Usage(format!(
                "plan {} has no indicator `{}`",
                plan.code, verdict.code
            ))
        })?;
    store.write("recording verdict", |tx| {
        let db_error = |e| Error::db(&path, "recording verdict", e);
        tx.execute(
            include_str!("../../sql/upsert_office_verdict.sql"),
            params![
                indicator,
                verdict.year,
                verdict.status.as_str(),
                verdict.reason,
                current_user(),
                now_utc()
            ],
        )
        .map_err(db_error)?;
        let mut link = Link::new();
        let key = Key::Pair(indicator, i64::from(verdict.year));
        link.record_row(tx, Table::OfficeVerdict, key)
            .map_err(db_error)?;
        audit::append(
            tx,
            link,
            "verdict",
            &format!("{}/{} {}", plan.code, verdict.code, verdict.year),
            &format!("{}: {}", verdict.status.as_str(), verdict.reason),
        )
        .map_err(db_error)
    })
}
