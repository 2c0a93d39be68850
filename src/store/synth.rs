//! Synthetic databases for benchmarks and tests: N plans shaped like the Tiexi
//! catalog (same chapters and indicators, targets scaled per plan) with five
//! years of generated observations each. Everything is marked synthetic: plan
//! titles say 合成数据 and every observation is flagged illustrative.

use super::catalog::{self, Catalog};
use super::db::Store;
use super::demo::{builtin_recipe, write_demo};
use super::plans::{find_plan, load_catalog};
use crate::error::Result;

/// The source recorded on synthetic observations.
pub const SYNTH_SOURCE: &str = "合成数据（仅供性能测试，非真实统计数据）";

/// What `synthesize` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthSummary {
    pub plans: usize,
    pub indicators: usize,
    pub observations: usize,
}

/// The catalog of synthetic plan number `index`: the Tiexi catalog under a new
/// code and name, with targets and baselines scaled so plans differ.
pub fn synthetic_catalog(base: &Catalog, index: usize) -> Catalog {
    let mut catalog = base.clone();
    let scale = 0.6 + (index % 17) as f64 * 0.05;
    catalog.plan.code = format!("synth-{index:04}");
    catalog.plan.title =
        format!("合成第{index}县国民经济和社会发展第十四个五年规划纲要（合成数据）");
    catalog.plan.short_title = format!("合成第{index}县“十四五”规划（合成数据）");
    catalog.plan.region = format!("合成省合成市合成第{index}县");
    catalog.plan.office = format!("合成第{index}县统计局");
    for indicator in &mut catalog.indicators {
        // Shares and rates keep their level; volumes scale with the county's size.
        if indicator.unit.trim() != "%" {
            indicator.target_value = indicator.target_value.map(|v| round(v * scale));
            if let Some(baseline) = &mut indicator.baseline {
                baseline.value = round(baseline.value * scale);
            }
        }
    }
    catalog.hash = format!("{}-synth-{index}", base.hash);
    catalog
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Writes `plans` synthetic plans into `store` (one transaction per plan, so a
/// large run shows progress and never holds the write lock for long).
pub fn synthesize(
    store: &mut Store,
    plans: usize,
    seed: u64,
    mut progress: impl FnMut(usize),
) -> Result<SynthSummary> {
    let base = catalog::parse(&catalog::builtin_tiexi())?;
    let mut recipe = builtin_recipe()?;
    recipe.last_year_reported = 1.0;
    recipe.missing = 0.0;
    recipe.revisions.clear();
    let mut summary = SynthSummary {
        plans: 0,
        indicators: 0,
        observations: 0,
    };
    for index in 1..=plans {
        let catalog = synthetic_catalog(&base, index);
        load_catalog(store, &catalog)?;
        let plan = find_plan(store, Some(&catalog.plan.code))?;
        recipe.seed = seed.wrapping_add(index as u64);
        summary.observations += write_demo(store, &plan, &recipe, SYNTH_SOURCE)?;
        summary.indicators += catalog.indicators.len();
        summary.plans += 1;
        progress(index);
    }
    Ok(summary)
}

/// One synthetic plan with `indicators` indicators (the Tiexi indicators repeated
/// under numbered codes), for benchmarking imports far larger than a real plan.
pub fn synthesize_wide(store: &mut Store, indicators: usize) -> Result<Catalog> {
    let base = catalog::parse(&catalog::builtin_tiexi())?;
    let mut catalog = synthetic_catalog(&base, 0);
    catalog.plan.code = "synth-wide".to_string();
    catalog.indicators = (0..indicators)
        .map(|n| {
            let mut indicator = base.indicators[n % base.indicators.len()].clone();
            indicator.code = format!("{}_{n:07}", indicator.code);
            indicator
        })
        .collect();
    catalog.hash = format!("{}-wide-{indicators}", base.hash);
    load_catalog(store, &catalog)?;
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_plans_differ_but_keep_the_shape() {
        let base = catalog::parse(&catalog::builtin_tiexi()).unwrap();
        let first = synthetic_catalog(&base, 1);
        let second = synthetic_catalog(&base, 2);
        assert_ne!(first.plan.code, second.plan.code);
        assert_eq!(first.indicators.len(), base.indicators.len());
        assert_eq!(first.chapters, base.chapters);
        assert!(first.plan.title.contains("合成数据"));
        let gdp = |c: &Catalog| {
            c.indicators
                .iter()
                .find(|i| i.code == "gdp")
                .unwrap()
                .target_value
        };
        assert_ne!(gdp(&first), gdp(&second));
    }
}
