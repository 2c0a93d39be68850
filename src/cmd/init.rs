//! `planeval init [--plan DIR]`: create the database and load a catalog.

use super::{create_store, Output};
use crate::cli::InitArgs;
use crate::error::{exit, Result};
use crate::store::catalog::{self, CatalogFiles};
use crate::store::plans::load_catalog;
use std::path::Path;

pub fn run(db: &Path, args: &InitArgs, out: Output) -> Result<u8> {
    // Parse and validate the whole catalog before the database is even opened.
    let files = match &args.plan {
        Some(dir) => CatalogFiles::read_dir(dir)?,
        None => catalog::builtin_tiexi(),
    };
    let catalog = catalog::parse(&files)?;
    out.detail(format!(
        "catalog {}: {} chapters, {} indicators",
        files.origin,
        catalog.chapters.len(),
        catalog.indicators.len()
    ));
    let mut store = create_store(db, out)?;
    let outcome = load_catalog(&mut store, &catalog)?;
    out.info(format!("{}: {outcome}", db.display()));
    Ok(exit::OK)
}
