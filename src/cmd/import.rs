//! `planeval import FILE... --department D`: check every row of every file,
//! list every problem, and write all values in one transaction or none.

use super::text_table::{render, Align};
use super::{print, stderr_line, Output};
use crate::cli::{ImportArgs, ImportStatus};
use crate::error::{exit, Error, Result};
use crate::model::ObservationStatus;
use crate::store::db::{current_user, write_contention};
use crate::store::departments::{find_department, office_department};
use crate::store::import::plan::{Action, ImportPlan, ImportRequest, PlannedValue};
use crate::store::import::read::{read_file, SourceFile};
use crate::store::import::{import_files, read_catalog, LISTED_PROBLEMS};
use crate::store::plans::find_plan;
use crate::store::Store;
use std::path::Path;

/// How many changes a real import lists without --verbose.
const LISTED_CHANGES: usize = 200;

pub fn run(db: &Path, args: &ImportArgs, out: Output) -> Result<u8> {
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
        out.detail(format!(
            "{}: {}, {} row(s)",
            file.name,
            file.format,
            file.rows.len()
        ));
    }
    let request = ImportRequest {
        department: department.code.clone(),
        as_office: args.as_office,
        status: match args.status {
            ImportStatus::Preliminary => ObservationStatus::Preliminary,
            ImportStatus::Final => ObservationStatus::Final,
        },
        revise: args.revise,
        reason,
        user: current_user(),
    };
    let outcome = import_files(&mut store, &plan, &files, catalog, &request, args.dry_run)?;
    let contention = write_contention();
    out.detail(format!(
        "write retries: {}, longest wait: {:.1} ms",
        contention.retries,
        contention.longest_wait.as_secs_f64() * 1000.0
    ));
    let checked = &outcome.plan;
    for problem in &checked.problems {
        stderr_line(&problem.to_string());
    }
    if checked.unlisted_problems > 0 {
        stderr_line(&format!(
            "… {} more problem(s) not listed: only the first {LISTED_PROBLEMS} are; fix these and run again",
            checked.unlisted_problems
        ));
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
    } else if out.is_quiet() {
        Vec::new()
    } else {
        checked.changes().collect()
    };
    // A dry run lists everything (that is what it is for); a real import lists
    // the first changes only unless --verbose: a million-row table helps nobody.
    let listed = if args.dry_run || out.is_verbose() {
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
        (_, true) => out.info(format!("dry run: {counts}; nothing written")),
        (Some(batch), false) => out.info(format!(
            "{}: imported batch {batch}{}: {counts}",
            db.display(),
            if args.as_office { " as the office" } else { "" }
        )),
        (None, false) if checked.values.is_empty() => out.info(format!(
            "no values to import: {} row(s) with an empty value; nothing written",
            checked.left_empty
        )),
        (None, false) => out.info(format!(
            "nothing changed: every value is already recorded as sent ({counts}); nothing written"
        )),
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
