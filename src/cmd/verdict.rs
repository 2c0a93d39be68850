//! `planeval verdict CODE --year Y --status S --reason R`: the office's own
//! verdict, kept beside the computed status (never replacing it) and audited.

use super::open_store;
use crate::error::{exit, Error, Result};
use crate::evaluate::Status;
use crate::store::plans::find_plan;
use crate::store::verdicts::{record_verdict, NewVerdict};
use clap::Args;
use std::path::Path;

/// Arguments of `planeval verdict`.
#[derive(Debug, Args)]
pub struct VerdictArgs {
    /// Indicator code.
    pub code: String,

    /// The year the verdict is about.
    #[arg(long)]
    pub year: i32,

    /// The office's status for the indicator.
    #[arg(long, value_enum)]
    pub status: Status,

    /// Why the office judges differently (or confirms); required.
    #[arg(long)]
    pub reason: String,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Runs `planeval verdict`; the value is the exit code.
pub fn run(db: &Path, args: &VerdictArgs) -> Result<u8> {
    if args.reason.trim().is_empty() {
        return Err(Error::Usage("--reason must say why".into()));
    }
    let mut store = open_store(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    plan.check_year(args.year, crate::model::YearSpan::Period)?;
    let verdict = NewVerdict {
        code: &args.code,
        year: args.year,
        status: args.status,
        reason: &args.reason,
    };
    record_verdict(&mut store, &plan, verdict)?;
    tracing::info!(
        "recorded office verdict {} for {} {} (the computed status is kept beside it)",
        args.status.as_str(),
        args.code,
        args.year
    );
    Ok(exit::OK)
}
