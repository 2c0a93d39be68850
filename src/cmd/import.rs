//! `planeval import FILE... --department D`: check every row of every file,
//! list every problem, and write all values in one transaction or none.

use super::logging::LISTING;
use super::print;
use super::text_table::{render, Align};
use crate::error::{exit, Error, Result};
use crate::model::ObservationStatus;
use crate::store::db::current_user;
use crate::store::departments::{find_department, office_department};
use crate::store::import::plan::{Action, ImportPlan, ImportRequest, PlannedValue};
use crate::store::import::read::{read_file, SourceFile};
use crate::store::import::{import_files, read_catalog, Severity, LISTED_PROBLEMS};
use crate::store::plans::find_plan;
use crate::store::Store;
use clap::Args;
use std::path::{Path, PathBuf};
use tracing::Level;

/// Arguments of `planeval import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The files to import (.csv in UTF-8 or GB18030, .xlsx); all are checked
    /// before anything is written.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The department whose figures these are.
    #[arg(long)]
    pub department: String,

    /// Check and show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Allow changing values already recorded as final (they become `revised`).
    #[arg(long, requires = "reason")]
    pub revise: bool,

    /// Why the values change; recorded in the history with every row written.
    #[arg(long)]
    pub reason: Option<String>,

    /// Import as the statistics office, for indicators of any department.
    #[arg(long)]
    pub as_office: bool,

    /// The status of the imported values.
    #[arg(long, value_enum, default_value_t = ObservationStatus::Preliminary)]
    pub status: ObservationStatus,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// How many changes a real import lists without --verbose.
const LISTED_CHANGES: usize = 200;

/// Runs `planeval import`; the value is the exit code.
pub fn run(db: &Path, args: &ImportArgs) -> Result<u8> {
    let reason = args
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if args.reason.is_some() && reason.is_none() {
        return Err(Error::Usage(
            "--reason is empty; say why the values change (it is kept in the history)".into(),
        ));
    }
    let mut store = Store::open(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    let department = find_department(&store, &args.department)?;
    if args.as_office {
        if let Some(office) = office_department(&store, &plan)? {
            if office.code != department.code {
                return Err(Error::Usage(format!(
                    "--as-office is for the statistics office: use --department {} ({})",
                    office.code, office.short_name
                )));
            }
        }
    }
    // The files are read while the database side is read on this thread.
    let (files, catalog) = std::thread::scope(|scope| {
        let reading = scope.spawn(|| args.files.iter().map(|path| read_file(path)).collect());
        let catalog = read_catalog(&store, &plan);
        let files: Vec<SourceFile> = reading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        catalog.map(|catalog| (files, catalog))
    })?;
    for file in &files {
        tracing::debug!("{}: {}, {} row(s)", file.name, file.format, file.rows.len());
    }
    let request = ImportRequest {
        department: department.code.clone(),
        as_office: args.as_office,
        status: args.status,
        revise: args.revise,
        reason,
        user: current_user(),
    };
    let outcome = import_files(&mut store, &plan, &files, catalog, &request, args.dry_run)?;
    let checked = &outcome.plan;
    for problem in &checked.problems {
        match problem.severity {
            Severity::Error => tracing::error!(target: LISTING, "{problem}"),
            Severity::Warning => tracing::warn!(target: LISTING, "{problem}"),
        }
    }
    if checked.unlisted_problems > 0 {
        tracing::error!(
            target: LISTING,
            "… {} more problem(s) not listed: only the first {LISTED_PROBLEMS} are; fix these and run again",
            checked.unlisted_problems
        );
    }
    let errors = checked.errors();
    if errors > 0 {
        return Err(Error::ImportRejected {
            errors,
            files: checked.files_with_errors(),
        });
    }
    let shown: Vec<&PlannedValue> = if args.dry_run {
        checked.values.iter().collect()
    } else if !tracing::enabled!(Level::INFO) {
        // -q (or RUST_LOG quieter than info): the outcome only, no list.
        Vec::new()
    } else {
        checked.changes().collect()
    };
    // A dry run lists everything (that is what it is for); a real import lists
    // the first changes only unless --verbose: a million-row table helps nobody.
    let listed = if args.dry_run || tracing::enabled!(Level::DEBUG) {
        shown.len()
    } else {
        shown.len().min(LISTED_CHANGES)
    };
    if listed > 0 {
        print(&change_table(&shown[..listed]))?;
    }
    if listed < shown.len() {
        print(&format!(
            "… {} more change(s) not listed (--verbose lists all)\n",
            shown.len() - listed
        ))?;
    }
    let counts = counts(checked);
    match (&outcome.batch, args.dry_run) {
        (_, true) => tracing::info!("dry run: {counts}; nothing written"),
        (Some(batch), false) => tracing::info!(
            "{}: imported batch {batch}{}: {counts}",
            db.display(),
            if args.as_office { " as the office" } else { "" }
        ),
        (None, false) if checked.values.is_empty() => tracing::info!(
            "no values to import: {} row(s) with an empty value; nothing written",
            checked.left_empty
        ),
        (None, false) => tracing::info!(
            "nothing changed: every value is already recorded as sent ({counts}); nothing written"
        ),
    }
    Ok(exit::OK)
}

fn counts(plan: &ImportPlan) -> String {
    let mut parts: Vec<String> = [
        Action::New,
        Action::Change,
        Action::Revise,
        Action::Finalize,
        Action::Unchanged,
    ]
    .into_iter()
    .map(|action| format!("{} {}", plan.count(action), action.label()))
    .collect();
    parts.push(format!("{} left empty", plan.left_empty));
    parts.join(", ")
}

fn change_table(values: &[&PlannedValue]) -> String {
    let rows: Vec<Vec<String>> = values
        .iter()
        .map(|v| {
            let old_status = v.current.map(|c| c.status);
            let status = match old_status {
                Some(old) if old != v.status => format!("{old} → {}", v.status),
                _ => v.status.to_string(),
            };
            vec![
                format!("{}:{}", v.file, v.row),
                v.code.to_string(),
                v.name.to_string(),
                v.year.to_string(),
                v.current
                    .map_or_else(|| "—".to_string(), |c| c.value.to_string()),
                format!("{}{}", v.value, v.unit),
                status,
                v.action.label().to_string(),
            ]
        })
        .collect();
    render(
        &[
            ("file:row", Align::Left),
            ("code", Align::Left),
            ("指标", Align::Left),
            ("年份", Align::Right),
            ("原值", Align::Right),
            ("新值", Align::Right),
            ("状态", Align::Left),
            ("变化", Align::Left),
        ],
        &rows,
    )
}
