//! Command-line definitions (clap derive). Only parsing lives here; each
//! command's work is in `cmd/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    Init(InitArgs),
    /// Build a demo database from the built-in Tiexi catalog with illustrative data.
    Demo(DemoArgs),
    /// Show a plan's chapters, sections and indicators.
    Plan(PlanArgs),
    /// Check the database: SQLite integrity, foreign keys and catalog rules.
    Check,
    /// Evaluate progress, status lights and projections for a year.
    Evaluate(EvaluateArgs),
    /// Record the statistics office's own verdict for an indicator and year.
    Verdict(VerdictArgs),
    /// Write a reproducible synthetic database with N plans, for benchmarks and tests.
    Synth(SynthArgs),
    /// Copy the database with SQLite's online backup (safe while others write).
    Backup(BackupArgs),
    /// Replace the database with a checked backup.
    Restore(RestoreArgs),
    /// Publish the annual monitoring report or the mid-term evaluation (HTML).
    Report(ReportArgs),
    /// Write or show the office's commentary (Markdown) for a report.
    Commentary(CommentaryArgs),
}

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

/// Arguments of `planeval backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy.
    pub dest: PathBuf,

    /// Overwrite DEST if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `planeval restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore from.
    pub src: PathBuf,

    /// Replace an existing database (required when --db exists).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `planeval evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The year to evaluate (data up to this year is used).
    #[arg(long, required_unless_present = "as_of_midterm")]
    pub year: Option<i32>,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long, conflicts_with = "all_plans")]
    pub plan: Option<String>,

    /// Evaluate every plan in the database in one run.
    #[arg(long)]
    pub all_plans: bool,

    /// Evaluate as of the plan's mid-term year (2023) and list lagging indicators.
    #[arg(long)]
    pub as_of_midterm: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = EvaluateFormat::Table)]
    pub format: EvaluateFormat,

    /// Which method decides the status shown in table and CSV output (JSON shows both).
    #[arg(long, value_enum, default_value_t = Method::PlanPath)]
    pub method: Method,
}

/// Output formats of `planeval evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvaluateFormat {
    /// Aligned text for a terminal.
    Table,
    /// CSV in UTF-8 with a byte-order mark, for Excel.
    Csv,
    /// One JSON document with a record per indicator.
    Json,
}

/// Assessment methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Progress against the planned path at the time elapsed (序时进度).
    PlanPath,
    /// Observed growth rate divided by the growth rate required (Open SDG, Statistics Canada).
    CagrRatio,
}

/// Arguments of `planeval verdict`.
#[derive(Debug, Args)]
pub struct VerdictArgs {
    /// Indicator code.
    pub code: String,

    /// The year the verdict is about.
    #[arg(long)]
    pub year: i32,

    /// The office's status for the indicator.
    #[arg(long, value_parser = ["green", "yellow", "red", "grey"])]
    pub status: String,

    /// Why the office judges differently (or confirms); required.
    #[arg(long)]
    pub reason: String,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Arguments of `planeval init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// A catalog directory (see docs/catalog.md); default: the built-in Tiexi plan.
    #[arg(long, value_name = "DIR")]
    pub plan: Option<PathBuf>,
}

/// Arguments of `planeval demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for demo.db and the reports.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
}

/// Arguments of `planeval plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
}

/// Output formats of `planeval plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Aligned text for a terminal.
    Table,
    /// One JSON document.
    Json,
}

/// The two reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportName {
    /// The annual monitoring report (年度监测报告).
    Annual,
    /// The mid-term evaluation (中期评估报告).
    Midterm,
}

/// Output formats of `planeval report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file.
    Html,
    /// PDF (not yet available).
    Pdf,
}

/// Arguments of `planeval report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Which report: `annual` (needs --year) or `midterm`.
    #[arg(value_enum)]
    pub kind: ReportName,

    /// The year evaluated; required for `annual`, default for `midterm`: the plan's mid-term year.
    #[arg(long)]
    pub year: Option<i32>,

    /// Directory for the report files (`annual-YEAR.html`, `midterm-YEAR.html`).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Output formats, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "html")]
    pub format: Vec<ReportFormat>,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,

    /// Directory of templates overriding the built-in ones file by file (see docs/reports.md).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Directory of commentary files (`foreword.md`, `chapter-03.md`, ...).
    #[arg(long, value_name = "DIR")]
    pub commentary: Option<PathBuf>,
}

/// Arguments of `planeval commentary`.
#[derive(Debug, Args)]
pub struct CommentaryArgs {
    #[command(subcommand)]
    pub action: CommentaryAction,
}

/// What to do with commentary.
#[derive(Debug, Subcommand)]
pub enum CommentaryAction {
    /// Store the commentary of a chapter (or, without --chapter, the foreword).
    Set(CommentarySetArgs),
    /// Print stored commentary.
    Show(CommentaryShowArgs),
}

/// Which report, year and place a commentary belongs to.
#[derive(Debug, Args)]
pub struct CommentaryPlace {
    /// The report the commentary appears in.
    #[arg(long, value_enum)]
    pub report: ReportName,

    /// The report's year.
    #[arg(long)]
    pub year: i32,

    /// Plan chapter number; leave out for the foreword.
    #[arg(long)]
    pub chapter: Option<u32>,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Arguments of `planeval commentary set`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("body").required(true).args(["file", "text"])))]
pub struct CommentarySetArgs {
    #[command(flatten)]
    pub place: CommentaryPlace,

    /// A Markdown file with the commentary.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The commentary itself (Markdown).
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
}

/// Arguments of `planeval commentary show`.
#[derive(Debug, Args)]
pub struct CommentaryShowArgs {
    #[command(flatten)]
    pub place: CommentaryPlace,

    /// Show the foreword and every chapter's commentary (ignores --chapter).
    #[arg(long)]
    pub all: bool,
}
