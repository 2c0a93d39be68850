//! `planeval check`: report every finding; exit non-zero on any error.

use super::{print, read_store, Output};
use crate::error::{exit, Error, Result};
use crate::store::audit::head;
use crate::store::check::{check, Severity};
use std::path::Path;

pub fn run(db: &Path, out: Output) -> Result<u8> {
    let store = read_store(db, out)?;
    let findings = check(&store)?;
    for finding in &findings {
        print(&format!("{finding}\n"))?;
    }
    // The head on stdout, so a cron job's log keeps it outside the file
    // (docs/sharing.md, "What the audit chain proves").
    if let Some(head) =
        head(store.conn()).map_err(|e| Error::db(db, "reading the audit chain", e))?
    {
        println!(
            "audit chain head: link {} ({} links), {}",
            head.audit_id, head.links, head.hash
        );
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
    out.info(format!(
        "{}: ok ({} warning(s))",
        db.display(),
        findings.len()
    ));
    Ok(exit::OK)
}
