//! `planeval check`: report every finding; exit non-zero on any error.

use super::{print, read_store, Output};
use crate::error::{exit, Error, Result};
use crate::store::check::{check, Severity};
use std::path::Path;

pub fn run(db: &Path, out: Output) -> Result<u8> {
    let store = read_store(db, out)?;
    let findings = check(&store)?;
    for finding in &findings {
        print(&format!("{finding}\n"))?;
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
