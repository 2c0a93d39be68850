//! `planeval bench`: the figures of docs/performance.md. Each plan count runs in
//! a fresh child process (`bench-stage`) so its peak memory is its own; the
//! parent reads it from the kernel (wait4) and prints one table.

use super::print;
use crate::error::{exit, Error, Result};
use crate::evaluate::{self, Thresholds};
use crate::pipeline::batch::publish_all;
use crate::report::templates::Templates;
use crate::report::{FontChoice, Format, Renderers, ReportRequest};
use crate::store::db::{build_new_database, with_suffix};
use crate::store::reports::ReportKind;
use crate::store::synth::{synthesize, synthesize_wide};
use crate::store::Store;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Arguments of `planeval bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Plan counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,100,3000")]
    pub plans: Vec<u32>,

    /// Rows of the import benchmark (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    pub import_rows: usize,

    /// Working directory for the synthetic databases and outputs (kept for reuse).
    #[arg(long, value_name = "DIR", default_value = "target/bench")]
    pub dir: PathBuf,

    /// Render PDF only up to this many plans (PDF for thousands of plans takes minutes).
    #[arg(long, default_value_t = 100_000)]
    pub pdf_max_plans: u32,
}

/// Arguments of the hidden `planeval bench-stage`.
#[derive(Debug, Args)]
pub struct BenchStageArgs {
    /// The year evaluated.
    #[arg(long, default_value_t = 2025)]
    pub year: i32,

    /// Where the reports go.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Also render PDF.
    #[arg(long)]
    pub pdf: bool,
}

/// The figures of one stage, printed by the child as one line of JSON.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct StageFigures {
    pub plans: usize,
    pub indicators: usize,
    pub observations: usize,
    pub load_evaluate_s: f64,
    /// Hashing what was evaluated, so report workers can tell if data changed since.
    pub hash_s: f64,
    pub html_s: f64,
    pub pdf_s: Option<f64>,
    pub files: usize,
}

/// Runs `planeval bench`; the value is the exit code.
pub fn run(args: &BenchArgs) -> Result<u8> {
    std::fs::create_dir_all(&args.dir).map_err(|e| Error::io(&args.dir, e))?;
    let exe = std::env::current_exe().map_err(|e| Error::io("<current executable>", e))?;
    let mut rows = Vec::new();
    for &plans in &args.plans {
        let db = args.dir.join(format!("bench-{plans}.db"));
        let synth_s = ensure_synthetic(&db, plans as usize)?;
        warm_page_cache(&db)?;
        let out_dir = args.dir.join(format!("out-{plans}"));
        let _ = std::fs::remove_dir_all(&out_dir);
        let mut command = Command::new(&exe);
        command
            .arg("--db")
            .arg(&db)
            .arg("-q")
            .arg("bench-stage")
            .arg("--out")
            .arg(&out_dir);
        if plans <= args.pdf_max_plans {
            command.arg("--pdf");
        }
        tracing::info!("bench: {plans} plan(s)…");
        let (stdout, peak_mb, wall_s) = run_measured(command)?;
        let figures: StageFigures = serde_json::from_str(stdout.trim()).map_err(|e| {
            Error::Evaluate(format!("bench-stage printed no figures: {e}: {stdout}"))
        })?;
        rows.push((figures, peak_mb, wall_s, synth_s));
    }
    let import = if args.import_rows > 0 {
        Some(import_benchmark(&exe, &args.dir, args.import_rows)?)
    } else {
        None
    };
    print(&table(&rows, import))?;
    Ok(exit::OK)
}

/// Builds `db` with `plans` synthetic plans unless it already exists; returns the time taken.
fn ensure_synthetic(db: &Path, plans: usize) -> Result<Option<f64>> {
    if db.exists() {
        return Ok(None);
    }
    tracing::info!(
        "bench: building {} ({plans} synthetic plans)…",
        db.display()
    );
    let started = Instant::now();
    build_new_database(db, |store| synthesize(store, plans, 2021, |_| {}))?;
    Ok(Some(started.elapsed().as_secs_f64()))
}

/// Runs a child to completion; returns its stdout, peak resident memory in MB
/// and wall time. wait4 gives the child's own peak, not the parent's.
#[cfg(unix)]
fn run_measured(mut command: Command) -> Result<(String, f64, f64)> {
    use std::io::Read;
    // Earlier stages leave hundreds of MB for the kernel to write back (a fresh
    // synthetic database, 6,000 reports); flushed here, that work does not land
    // in the stage timed next (it made the import take 3.3 s instead of 2.2-2.5 s).
    // SAFETY: sync takes no arguments and only flushes the kernel's buffers.
    unsafe { libc::sync() };
    let started = Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Error::io("<bench child>", e))?;
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout)
            .map_err(|e| Error::io("<bench child>", e))?;
    }
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: the pid is our own child, not yet reaped; status and usage point
    // to writable memory of the right types.
    let reaped = unsafe {
        libc::wait4(
            child.id() as libc::pid_t,
            &mut status,
            0,
            usage.as_mut_ptr(),
        )
    };
    let wall = started.elapsed().as_secs_f64();
    if reaped < 0 || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(Error::Evaluate(format!(
            "benchmark child failed (status {status})"
        )));
    }
    // SAFETY: wait4 succeeded, so it filled the structure.
    let usage = unsafe { usage.assume_init() };
    Ok((stdout, usage.ru_maxrss as f64 / 1024.0, wall))
}

/// The child's own peak memory comes from wait4, which only Unix has.
#[cfg(not(unix))]
fn run_measured(_command: Command) -> Result<(String, f64, f64)> {
    Err(Error::Evaluate(
        "planeval bench reads each stage's peak memory with wait4, which only Unix has".to_string(),
    ))
}

/// One benchmark stage: load + evaluate every plan, then HTML (and PDF) for all.
pub fn stage(db: &Path, args: &BenchStageArgs) -> Result<u8> {
    let store = Store::open_read_only(db)?;
    let started = Instant::now();
    let input = crate::store::snapshot::evaluation_input(&store, None)?;
    let thresholds = Thresholds::default();
    let evaluations = evaluate::evaluate(&input, args.year, &thresholds)?;
    let load_evaluate_s = started.elapsed().as_secs_f64();
    let mut figures = StageFigures {
        plans: input.plans.len(),
        indicators: input.indicators.len(),
        observations: input.observations.len(),
        load_evaluate_s,
        ..StageFigures::default()
    };
    let hashing = Instant::now();
    let evaluated = crate::store::editions::data_hashes(&input);
    figures.hash_s = hashing.elapsed().as_secs_f64();
    drop(input);
    let request = ReportRequest {
        kind: ReportKind::Annual,
        year: Some(args.year),
        plan: None,
        commentary_dir: None,
        source_date_epoch: Some("1767225600"),
    };
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let timed = |format: Format| -> Result<(f64, usize)> {
        let renderers = Renderers::new(
            Templates::new(None)?,
            &[format],
            &FontChoice::Bundled,
            false,
        )?;
        let started = Instant::now();
        let published = publish_all(
            db,
            &thresholds,
            &evaluations,
            &evaluated,
            &request,
            &[format],
            &renderers,
            &args.out,
            jobs,
            &|_| {},
        )?;
        Ok((
            started.elapsed().as_secs_f64(),
            published.iter().map(|p| p.paths.len()).sum(),
        ))
    };
    let (html_s, html_files) = timed(Format::Html)?;
    figures.html_s = html_s;
    figures.files = html_files;
    if args.pdf {
        let (pdf_s, pdf_files) = timed(Format::Pdf)?;
        figures.pdf_s = Some(pdf_s);
        figures.files += pdf_files;
    }
    let line = serde_json::to_string(&figures).map_err(|e| Error::Evaluate(e.to_string()))?;
    print(&format!("{line}\n"))?;
    Ok(exit::OK)
}

/// Reads the database once so every stage starts from a warm page cache: the
/// cached files may have sat idle long enough for the kernel to drop them, and
/// a cold first read of the 3,000-plan file (1.2 GB) added 2 s to the load.
fn warm_page_cache(db: &Path) -> Result<()> {
    for path in [db.to_path_buf(), with_suffix(db, "-wal")] {
        match std::fs::File::open(&path) {
            Ok(mut file) => {
                std::io::copy(&mut file, &mut std::io::sink()).map_err(|e| Error::io(&path, e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok(())
}

/// Imports `rows` values (a wide synthetic plan, five years per indicator) in
/// one run of `planeval import`; returns (seconds, peak MB).
fn import_benchmark(exe: &Path, dir: &Path, rows: usize) -> Result<(usize, f64, f64)> {
    let db = dir.join(format!("bench-import-{rows}.db"));
    let _ = std::fs::remove_file(&db);
    let mut store = Store::create_or_open(&db)?;
    let indicators = rows.div_ceil(5);
    let catalog = synthesize_wide(&mut store, indicators)?;
    drop(store);
    let csv_path: PathBuf = dir.join(format!("import-{rows}.csv"));
    tracing::info!("bench: writing {} ({rows} rows)…", csv_path.display());
    let mut csv = String::with_capacity(rows * 40);
    csv.push_str("code,year,value\n");
    let mut written = 0;
    'rows: for indicator in &catalog.indicators {
        for year in 2021..=2025 {
            if written == rows {
                break 'rows;
            }
            let base = indicator.target_value.unwrap_or(100.0).abs().max(1.0);
            let value = match indicator.unit.trim() {
                "%" => (base * 0.9).min(99.0),
                _ => base * (0.8 + f64::from(year - 2021) * 0.04),
            };
            csv.push_str(&format!("{},{year},{value:.2}\n", indicator.code));
            written += 1;
        }
    }
    std::fs::write(&csv_path, csv).map_err(|e| Error::io(&csv_path, e))?;
    let mut command = Command::new(exe);
    command
        .arg("--db")
        .arg(&db)
        .arg("-q")
        .arg("import")
        .arg(&csv_path)
        .arg("--department")
        .arg("stats")
        .arg("--as-office");
    tracing::info!("bench: importing…");
    let (_, peak_mb, wall_s) = run_measured(command)?;
    Ok((written, wall_s, peak_mb))
}

fn table(
    rows: &[(StageFigures, f64, f64, Option<f64>)],
    import: Option<(usize, f64, f64)>,
) -> String {
    let mut text = String::from(
        "| plans | indicators | observations | load + evaluate (s) | data hashes (s) | HTML (s) | PDF (s) | files | peak memory (MB) | stage wall (s) | synth (s) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (f, peak, wall, synth) in rows {
        text.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.2} | {:.2} | {} | {} | {:.0} | {:.2} | {} |\n",
            f.plans,
            f.indicators,
            f.observations,
            f.load_evaluate_s,
            f.hash_s,
            f.html_s,
            f.pdf_s.map_or("—".to_string(), |s| format!("{s:.2}")),
            f.files,
            peak,
            wall,
            synth.map_or("cached".to_string(), |s| format!("{s:.1}")),
        ));
    }
    if let Some((rows, seconds, peak)) = import {
        text.push_str(&format!(
            "\nimport of a {rows}-row CSV (one transaction, validated first): {seconds:.2} s wall, peak memory {peak:.0} MB\n"
        ));
    }
    text
}
