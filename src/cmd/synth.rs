//! `planeval synth --plans N --out FILE.db`: a synthetic database for
//! benchmarks, built under a temporary name and renamed when complete.

use super::demo::{remove_database_files, temporary_db_path};
use super::progress::Progress;
use super::Output;
use crate::cli::SynthArgs;
use crate::error::{exit, Error, Result};
use crate::store::synth::synthesize;
use crate::store::Store;
use std::time::Instant;

pub fn run(args: &SynthArgs, out: Output) -> Result<u8> {
    let started = Instant::now();
    let temporary = temporary_db_path(&args.out);
    let plans = args.plans as usize;
    let mut progress = Progress::new("synth", plans, out);
    let built = Store::create_or_open(&temporary)
        .and_then(|mut store| synthesize(&mut store, plans, args.seed, |done| progress.set(done)));
    progress.finish();
    let summary = match built {
        Ok(summary) => summary,
        Err(error) => {
            remove_database_files(&temporary);
            return Err(error);
        }
    };
    std::fs::rename(&temporary, &args.out).map_err(|e| Error::io(&args.out, e))?;
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
