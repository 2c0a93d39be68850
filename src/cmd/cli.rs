//! The top-level command line (clap derive): the global options and the list of
//! subcommands. Each subcommand's own arguments sit beside its `run` in the
//! sibling files.

use super::{
    backup, bench, commentary, demo, evaluate, export, form, history, import, init, missing, plan,
    report, synth, verdict,
};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// planeval: monitor a five-year plan (规划纲要) — store targets and yearly values,
/// evaluate progress, publish the annual and mid-term reports.
#[derive(Debug, Parser)]
#[command(name = "planeval", version, about, long_about = None)]
pub struct Cli {
    /// The SQLite database file.
    #[arg(
        long,
        global = true,
        env = "PLANEVAL_DB",
        default_value = "planeval.db"
    )]
    pub db: PathBuf,

    /// Configuration file with the evaluation thresholds (default: ./planeval.toml if present).
    #[arg(long, global = true, env = "PLANEVAL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more about what is being done.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (if needed) and load a plan catalog into it.
    Init(init::InitArgs),
    /// Build a demo database from the built-in Tiexi catalog with illustrative data.
    Demo(demo::DemoArgs),
    /// Show a plan's chapters, sections and indicators.
    Plan(plan::PlanArgs),
    /// Check the database: SQLite integrity, foreign keys and catalog rules.
    Check,
    /// Evaluate progress, status lights and projections for a year.
    Evaluate(evaluate::EvaluateArgs),
    /// Record the statistics office's own verdict for an indicator and year.
    Verdict(verdict::VerdictArgs),
    /// Write a reproducible synthetic database with N plans, for benchmarks and tests.
    Synth(synth::SynthArgs),
    /// Measure load + evaluation, HTML, PDF and a large import; print a table.
    Bench(bench::BenchArgs),
    /// One benchmark stage in a fresh process (used by `bench` to measure peak memory).
    #[command(hide = true)]
    BenchStage(bench::BenchStageArgs),
    /// Copy the database with SQLite's online backup (safe while others write).
    Backup(backup::BackupArgs),
    /// Replace the database with a checked backup.
    Restore(backup::RestoreArgs),
    /// Publish the annual monitoring report or the mid-term evaluation (HTML, PDF).
    Report(report::ReportArgs),
    /// Write or show the office's commentary (Markdown) for a report.
    Commentary(commentary::CommentaryArgs),
    /// Write a department's fill-in form for a year (.xlsx or .csv).
    Form(form::FormArgs),
    /// Import departments' figures from CSV or XLSX files: all rows or none.
    Import(import::ImportArgs),
    /// Show every change of an indicator's values: who, when, why.
    History(history::HistoryArgs),
    /// List the values still owed for a year; exit code 4 when any are missing.
    Missing(missing::MissingArgs),
    /// Export the evaluation table of a year as CSV or XLSX.
    Export(export::ExportArgs),
}
