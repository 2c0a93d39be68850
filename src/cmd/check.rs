//! `planeval check`: report every finding; exit non-zero on any error.

use super::{print, read_store};
use crate::error::{exit, Error, Result};
use crate::store::audit::head;
use crate::store::check::{check, Severity};
use std::path::Path;

/// Runs `planeval check`; the value is the exit code.
pub fn run(db: &Path) -> Result<u8> {
    let store = read_store(db)?;
    let findings = check(&store)?;
    for finding in &findings {
        print(&format!("{finding}\n"))?;
    }
    // The head on stdout, so a cron job's log keeps it outside the file
    // (docs/sharing.md, "What the audit chain proves").
    if let Some(head) =
        head(store.conn()).map_err(|e| Error::db(db, "reading the audit chain", e))?
    {
        print(&format!(
            "audit chain head: link {} ({} links), {}\n",
            head.audit_id, head.links, head.hash
        ))?;
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if errors > 0 {
        return Err(Error::CheckFailed {
            path: db.to_path_buf(),
            errors,
        });
    }
    tracing::info!("{}: ok ({} warning(s))", db.display(), findings.len());
    Ok(exit::OK)
}
