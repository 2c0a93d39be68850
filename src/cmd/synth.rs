//! `planeval synth --plans N --out FILE.db`: a synthetic database for
//! benchmarks, built under a temporary name and renamed when complete.

use super::progress::Progress;
use crate::error::{exit, Result};
use crate::store::db::build_new_database;
use crate::store::synth::synthesize;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `planeval synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of plans.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub plans: u32,

    /// The database file to write (replaced if it exists).
    #[arg(long, value_name = "FILE.db")]
    pub out: PathBuf,

    /// Seed of the generated values.
    #[arg(long, default_value_t = 2021)]
    pub seed: u64,
}

/// Runs `planeval synth`; the value is the exit code.
pub fn run(args: &SynthArgs) -> Result<u8> {
    let started = Instant::now();
    let plans = args.plans as usize;
    let mut progress = Progress::new("synth", plans);
    let built = build_new_database(&args.out, |store| {
        synthesize(store, plans, args.seed, |done| progress.set(done))
    });
    progress.finish();
    let summary = built?;
    tracing::info!(
        "{}: {} synthetic plans, {} indicators, {} observations (all marked synthetic) in {:.1} s",
        args.out.display(),
        summary.plans,
        summary.indicators,
        summary.observations,
        started.elapsed().as_secs_f64()
    );
    Ok(exit::OK)
}
