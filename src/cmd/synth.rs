//! `planeval synth --plans N --out FILE.db`: a synthetic database for
//! benchmarks, built under a temporary name and renamed when complete.

use super::progress::Progress;
use super::Output;
use crate::cli::SynthArgs;
use crate::error::{exit, Result};
use crate::store::db::build_new_database;
use crate::store::synth::synthesize;
use std::time::Instant;

pub fn run(args: &SynthArgs, out: Output) -> Result<u8> {
    let started = Instant::now();
    let plans = args.plans as usize;
    let mut progress = Progress::new("synth", plans, out);
    let built = build_new_database(&args.out, |store| {
        synthesize(store, plans, args.seed, |done| progress.set(done))
    });
    progress.finish();
    let summary = built?;
    out.info(format!(
        "{}: {} synthetic plans, {} indicators, {} observations (all marked synthetic) in {:.1} s",
        args.out.display(),
        summary.plans,
        summary.indicators,
        summary.observations,
        started.elapsed().as_secs_f64()
    ));
    Ok(exit::OK)
}
