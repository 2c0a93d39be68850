//! `planeval init [--plan DIR]`: create the database and load a catalog.

use super::create_store;
use crate::error::{exit, Result};
use crate::store::catalog::{self, CatalogFiles};
use crate::store::plans::load_catalog;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `planeval init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// A catalog directory (see docs/catalog.md); default: the built-in Tiexi plan.
    #[arg(long, value_name = "DIR")]
    pub plan: Option<PathBuf>,
}

/// Runs `planeval init`; the value is the exit code.
pub fn run(db: &Path, args: &InitArgs) -> Result<u8> {
    // Parse and validate the whole catalog before the database is even opened.
    let files = match &args.plan {
        Some(dir) => CatalogFiles::read_dir(dir)?,
        None => catalog::builtin_tiexi(),
    };
    let catalog = catalog::parse(&files)?;
    tracing::debug!(
        "catalog {}: {} chapters, {} indicators",
        files.origin,
        catalog.chapters.len(),
        catalog.indicators.len()
    );
    let mut store = create_store(db)?;
    let outcome = load_catalog(&mut store, &catalog)?;
    tracing::info!("{}: {outcome}", db.display());
    Ok(exit::OK)
}
