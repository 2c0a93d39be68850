//! Parquet export for engines beyond one machine: the catalog and the
//! observations, partitioned by plan in the Hive layout (`plan=CODE/`) that
//! polars, DuckDB and Spark read directly (see docs/scale.md).

use crate::atomic::remove_if_present;
use crate::error::{Error, Result};
use crate::store::observations::plan_observations;
use crate::store::plans::{all_plans, plan_indicators};
use crate::store::Store;
use polars::prelude::*;
use polars_io::prelude::{ParquetCompression, ParquetWriter};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParquetSummary {
    pub plans: usize,
    pub indicators: usize,
    pub observations: usize,
    pub files: usize,
}

fn polars_error(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::Evaluate(format!("writing {}: {e}", path.display()))
}

/// Writes `dir/plans.parquet`, `dir/indicators/plan=CODE/part-0.parquet` and
/// `dir/observations/plan=CODE/part-0.parquet`. The export is built in a
/// temporary directory beside `dir` and renamed into place when complete.
pub fn export_parquet(store: &Store, dir: &Path) -> Result<ParquetSummary> {
    let read = |e| Error::db(store.path(), "reading data for the Parquet export", e);
    let plans = all_plans(store)?;
    let indicators = plan_indicators(store.conn(), None).map_err(read)?;
    let observations = plan_observations(store.conn(), None).map_err(read)?;
    refuse_foreign_folder(dir)?;
    let staging = staging_dir(dir);
    // A link planted under the staging name is removed, not followed.
    remove_if_present(&staging)?;
    std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
    let written = write_all(&staging, &plans, &indicators, &observations);
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    let files = written?;
    replace_folder(&staging, dir)?;
    Ok(ParquetSummary {
        plans: plans.len(),
        indicators: indicators.len(),
        observations: observations.len(),
        files,
    })
}

fn staging_dir(dir: &Path) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(format!(".{}.tmp", std::process::id()));
    PathBuf::from(name)
}

/// What an earlier export leaves in its folder, and nothing else.
const EXPORT_ENTRIES: [&str; 3] = ["plans.parquet", "indicators", "observations"];

/// The export replaces its whole folder, so that folder must be absent, empty,
/// or an earlier export: `--out ~/Documents` must never delete the documents.
fn refuse_foreign_folder(dir: &Path) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for entry in entries {
        let name = entry.map_err(|e| Error::io(dir, e))?.file_name();
        if !EXPORT_ENTRIES.iter().any(|known| name == *known) {
            return Err(Error::Refused {
                path: dir.to_path_buf(),
                reason: format!(
                    "holds {}, which no Parquet export wrote; the export replaces its whole \
                     folder, so name a new or empty folder",
                    name.to_string_lossy()
                ),
            });
        }
    }
    Ok(())
}

/// Puts the complete `staging` folder in `dir`'s place. The old export is moved
/// aside first and removed last, so a failure leaves one complete export.
fn replace_folder(staging: &Path, dir: &Path) -> Result<()> {
    let old = staging.with_extension("old");
    remove_if_present(&old)?;
    let had_old = match std::fs::rename(dir, &old) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io(dir, e)),
    };
    if let Err(e) = std::fs::rename(staging, dir) {
        if had_old {
            let _ = std::fs::rename(&old, dir);
        }
        let _ = std::fs::remove_dir_all(staging);
        return Err(Error::io(dir, e));
    }
    if had_old {
        remove_if_present(&old)?;
    }
    Ok(())
}

fn write_all(
    dir: &Path,
    plans: &[crate::store::plans::PlanRecord],
    indicators: &[crate::store::plans::StoredIndicator],
    observations: &[crate::store::observations::StoredObservation],
) -> Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let plan_file = dir.join("plans.parquet");
    let mut plan_frame = df!(
        "plan" => plans.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
        "title" => plans.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
        "region" => plans.iter().map(|p| p.region.as_str()).collect::<Vec<_>>(),
        "period_start" => plans.iter().map(|p| p.period_start).collect::<Vec<_>>(),
        "period_end" => plans.iter().map(|p| p.period_end).collect::<Vec<_>>(),
        "base_year" => plans.iter().map(|p| p.base_year).collect::<Vec<_>>(),
        "midterm_year" => plans.iter().map(|p| p.midterm_year).collect::<Vec<_>>(),
    )
    .map_err(polars_error(&plan_file))?;
    write_frame(&plan_file, &mut plan_frame)?;
    let mut files = 1;
    let codes: HashMap<i64, &str> = plans.iter().map(|p| (p.id, p.code.as_str())).collect();
    let mut by_plan: HashMap<i64, Vec<&crate::store::plans::StoredIndicator>> = HashMap::new();
    for indicator in indicators {
        by_plan
            .entry(indicator.plan_id)
            .or_default()
            .push(indicator);
    }
    let indicator_plan: HashMap<i64, (i64, &str)> = indicators
        .iter()
        .map(|i| (i.id, (i.plan_id, i.definition.code.as_str())))
        .collect();
    let mut observations_by_plan: HashMap<
        i64,
        Vec<(&str, &crate::store::observations::StoredObservation)>,
    > = HashMap::new();
    for observation in observations {
        if let Some((plan_id, code)) = indicator_plan.get(&observation.indicator_id) {
            observations_by_plan
                .entry(*plan_id)
                .or_default()
                .push((code, observation));
        }
    }
    for plan in plans {
        let code = codes.get(&plan.id).copied().unwrap_or_default();
        let list = by_plan.get(&plan.id).map(Vec::as_slice).unwrap_or_default();
        let file = partition(dir, "indicators", code)?;
        let mut frame = df!(
            "code" => list.iter().map(|i| i.definition.code.as_str()).collect::<Vec<_>>(),
            "name" => list.iter().map(|i| i.definition.name.as_str()).collect::<Vec<_>>(),
            "unit" => list.iter().map(|i| i.definition.unit.as_str()).collect::<Vec<_>>(),
            "chapter" => list.iter().map(|i| i.definition.chapter).collect::<Vec<_>>(),
            "section" => list.iter().map(|i| i.definition.section).collect::<Vec<_>>(),
            "nature" => list.iter().map(|i| i.definition.nature.as_str()).collect::<Vec<_>>(),
            "kind" => list.iter().map(|i| i.definition.kind.as_str()).collect::<Vec<_>>(),
            "better" => list.iter().map(|i| i.definition.better.as_str()).collect::<Vec<_>>(),
            "path" => list.iter().map(|i| i.definition.path.as_str()).collect::<Vec<_>>(),
            "baseline_year" => list.iter().map(|i| i.definition.baseline.as_ref().map(|b| b.year)).collect::<Vec<_>>(),
            "baseline_value" => list.iter().map(|i| i.definition.baseline.as_ref().map(|b| b.value)).collect::<Vec<_>>(),
            "target_year" => list.iter().map(|i| i.definition.target_year).collect::<Vec<_>>(),
            "target_value" => list.iter().map(|i| i.definition.target_value).collect::<Vec<_>>(),
            "department" => list.iter().map(|i| i.definition.department.as_str()).collect::<Vec<_>>(),
        )
        .map_err(polars_error(&file))?;
        write_frame(&file, &mut frame)?;
        let rows = observations_by_plan
            .get(&plan.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let file = partition(dir, "observations", code)?;
        let mut frame = df!(
            "code" => rows.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
            "year" => rows.iter().map(|(_, o)| o.year).collect::<Vec<_>>(),
            "value" => rows.iter().map(|(_, o)| o.value).collect::<Vec<_>>(),
            "value_kind" => rows.iter().map(|(_, o)| o.value_kind.as_str()).collect::<Vec<_>>(),
            "status" => rows.iter().map(|(_, o)| o.status.as_str()).collect::<Vec<_>>(),
            "illustrative" => rows.iter().map(|(_, o)| o.illustrative).collect::<Vec<_>>(),
        )
        .map_err(polars_error(&file))?;
        write_frame(&file, &mut frame)?;
        files += 2;
    }
    Ok(files)
}

fn partition(dir: &Path, table: &str, plan: &str) -> Result<PathBuf> {
    let folder = dir.join(table).join(format!("plan={plan}"));
    std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    Ok(folder.join("part-0.parquet"))
}

fn write_frame(path: &Path, frame: &mut DataFrame) -> Result<()> {
    // The staging folder is new, so an existing file here was planted: refuse it.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(frame)
        .map_err(polars_error(path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{catalog, demo, plans};
    use polars_io::prelude::{ParquetReader, SerReader};

    #[test]
    fn the_export_reads_back_with_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create_or_open(&dir.path().join("t.db")).unwrap();
        let catalog = catalog::parse(&catalog::builtin_tiexi()).unwrap();
        plans::load_catalog(&mut store, &catalog).unwrap();
        let plan = plans::find_plan(&store, None).unwrap();
        let written =
            demo::write_demo(&mut store, &plan, &demo::builtin_recipe().unwrap(), "test").unwrap();
        let out = dir.path().join("parquet");
        let summary = export_parquet(&store, &out).unwrap();
        assert_eq!(summary.observations, written);
        assert_eq!(summary.files, 3);
        let file =
            std::fs::File::open(out.join("observations/plan=tiexi-14th/part-0.parquet")).unwrap();
        let frame = ParquetReader::new(file).finish().unwrap();
        assert_eq!(frame.height(), written);
        assert!(out
            .join("indicators/plan=tiexi-14th/part-0.parquet")
            .exists());
    }
}
