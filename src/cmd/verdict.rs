//! `planeval verdict CODE --year Y --status S --reason R`: the office's own
//! verdict, kept beside the computed status (never replacing it) and audited.

use super::{open_store, Output};
use crate::cli::VerdictArgs;
use crate::error::{exit, Error, Result};
use crate::store::audit::{self, Key, Link, Table};
use crate::store::db::{current_user, now_utc};
use crate::store::plans::find_plan;
use rusqlite::{params, OptionalExtension};
use std::path::Path;

pub fn run(db: &Path, args: &VerdictArgs, out: Output) -> Result<u8> {
    if args.reason.trim().is_empty() {
        return Err(Error::Usage("--reason must say why".into()));
    }
    let mut store = open_store(db, out)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    plan.check_year(args.year, crate::model::YearSpan::Period)?;
    let indicator: Option<i64> = store
        .conn()
        .query_row(
            "SELECT id FROM indicator WHERE plan_id = ?1 AND code = ?2",
            params![plan.id, args.code],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| Error::db(db, "looking up indicator", e))?;
    let indicator = indicator.ok_or_else(|| {
        Error::Usage(format!(
            "plan {} has no indicator `{}`",
            plan.code, args.code
        ))
    })?;
    store.write("recording verdict", |tx| {
        let db_error = |e| Error::db(db, "recording verdict", e);
        tx.execute(
            "INSERT INTO office_verdict (indicator_id, year, status, reason, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (indicator_id, year) DO UPDATE SET status = excluded.status,
                 reason = excluded.reason, recorded_by = excluded.recorded_by,
                 recorded_at = excluded.recorded_at",
            params![indicator, args.year, args.status, args.reason, current_user(), now_utc()],
        )
        .map_err(db_error)?;
        let mut link = Link::new();
        let key = Key::Pair(indicator, i64::from(args.year));
        link.record_row(tx, Table::OfficeVerdict, key)
            .map_err(db_error)?;
        audit::append(
            tx,
            link,
            "verdict",
            &format!("{}/{} {}", plan.code, args.code, args.year),
            &format!("{}: {}", args.status, args.reason),
        )
        .map_err(db_error)
    })?;
    out.info(format!(
        "recorded office verdict {} for {} {} (the computed status is kept beside it)",
        args.status, args.code, args.year
    ));
    Ok(exit::OK)
}
