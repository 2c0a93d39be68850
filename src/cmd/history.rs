//! `planeval history CODE`: every recorded change of an indicator's values.

use super::print;
use super::text_table::{render, Align};
use crate::error::{exit, Error, Result};
use crate::store::history::indicator_history;
use crate::store::plans::{find_plan, plan_indicators};
use crate::store::Store;
use clap::Args;
use std::path::Path;

/// Arguments of `planeval history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The indicator code.
    pub code: String,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Runs `planeval history`; the value is the exit code.
pub fn run(db: &Path, args: &HistoryArgs) -> Result<u8> {
    let store = Store::open_read_only(db)?;
    let plan = find_plan(&store, args.plan.as_deref())?;
    let read = |e| Error::db(db, "reading the history", e);
    let indicators = plan_indicators(store.conn(), Some(plan.id)).map_err(read)?;
    let stored = indicators
        .iter()
        .find(|i| i.definition.code == args.code)
        .ok_or_else(|| {
            Error::Usage(format!(
                "no indicator `{}` in plan {} (see `planeval plan`)",
                args.code, plan.code
            ))
        })?;
    let entries = indicator_history(store.conn(), stored.id).map_err(read)?;
    let indicator = &stored.definition;
    let heading = format!(
        "{} {} ({}), {}\n",
        indicator.code, indicator.name, indicator.unit, plan.code
    );
    if entries.is_empty() {
        print(&format!("{heading}no value recorded yet\n"))?;
        return Ok(exit::OK);
    }
    let optional = |value: Option<f64>| value.map_or_else(|| "—".to_string(), |v| v.to_string());
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let status = match (&e.old_status, &e.new_status) {
                (Some(old), Some(new)) if old != new => format!("{old} → {new}"),
                (_, Some(new)) => new.clone(),
                (Some(old), None) => old.clone(),
                (None, None) => String::new(),
            };
            vec![
                e.changed_at.clone(),
                e.action.clone(),
                e.year.to_string(),
                format!("{} → {}", optional(e.old_value), optional(e.new_value)),
                status,
                match (&e.changed_by, &e.claimed_by) {
                    (Some(account), Some(claimed)) => format!("{account} (claims {claimed})"),
                    (account, _) => text(account),
                },
                text(&e.department),
                text(&e.reason),
                text(&e.import_batch),
            ]
        })
        .collect();
    print(&format!(
        "{heading}\n{}",
        render(
            &[
                ("时间", Align::Left),
                ("action", Align::Left),
                ("年份", Align::Right),
                ("原值 → 新值", Align::Left),
                ("状态", Align::Left),
                ("用户", Align::Left),
                ("部门", Align::Left),
                ("理由", Align::Left),
                ("批次", Align::Left),
            ],
            &rows
        )
    ))?;
    Ok(exit::OK)
}
