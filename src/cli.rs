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
    /// Measure load + evaluation, HTML, PDF and a large import; print a table.
    Bench(BenchArgs),
    /// One benchmark stage in a fresh process (used by `bench` to measure peak memory).
    #[command(hide = true)]
    BenchStage(BenchStageArgs),
    /// Copy the database with SQLite's online backup (safe while others write).
    Backup(BackupArgs),
    /// Replace the database with a checked backup.
    Restore(RestoreArgs),
    /// Publish the annual monitoring report or the mid-term evaluation (HTML, PDF).
    Report(ReportArgs),
    /// Write or show the office's commentary (Markdown) for a report.
    Commentary(CommentaryArgs),
    /// Write a department's fill-in form for a year (.xlsx or .csv).
    Form(FormArgs),
    /// Import departments' figures from CSV or XLSX files: all rows or none.
    Import(ImportArgs),
    /// Show every change of an indicator's values: who, when, why.
    History(HistoryArgs),
    /// List the values still owed for a year; exit code 4 when any are missing.
    Missing(MissingArgs),
    /// Export the evaluation table of a year as CSV or XLSX.
    Export(ExportArgs),
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
    /// A4 PDF with the Chinese font embedded (see --font).
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

    /// Directory for the report files (`annual-YEAR.html`, `midterm-YEAR.pdf`, ...).
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

    /// Publish the report of every plan in the database, each in DIR/<plan code>/.
    #[arg(long, conflicts_with = "plan")]
    pub all_plans: bool,

    /// Reports rendered at once with --all-plans (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Font for PDF output: a TTF, OTF or TTC file (default: the bundled Noto Sans SC).
    #[arg(long, value_name = "FILE")]
    pub font: Option<PathBuf>,

    /// Face index within a font collection (.ttc).
    #[arg(long, default_value_t = 0, requires = "font")]
    pub font_index: u32,

    /// Refuse to write a PDF when the font lacks a glyph for any character.
    #[arg(long)]
    pub strict: bool,

    /// Lock file that keeps two report runs apart (default: DB.report.lock); opened
    /// read-only and never written, and refused if it is a link.
    #[arg(long, value_name = "FILE")]
    pub lock: Option<PathBuf>,

    /// Seconds to wait for another run's lock before giving up with exit code 3.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub wait: u64,
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

/// Arguments of `planeval form`.
#[derive(Debug, Args)]
pub struct FormArgs {
    /// Department code (see `planeval plan`), e.g. `sci`.
    #[arg(long)]
    pub department: String,

    /// The year the form asks values for.
    #[arg(long)]
    pub year: i32,

    /// The form to write; .xlsx or .csv decides the format.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Arguments of `planeval import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The files to import (.csv in UTF-8 or GB18030, .xlsx); all are checked
    /// before anything is written.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The department whose figures these are.
    #[arg(long)]
    pub department: String,

    /// Check and show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Allow changing values already recorded as final (they become `revised`).
    #[arg(long, requires = "reason")]
    pub revise: bool,

    /// Why the values change; recorded in the history with every row written.
    #[arg(long)]
    pub reason: Option<String>,

    /// Import as the statistics office, for indicators of any department.
    #[arg(long)]
    pub as_office: bool,

    /// The status of the imported values.
    #[arg(long, value_enum, default_value_t = ImportStatus::Preliminary)]
    pub status: ImportStatus,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// The status imported values get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportStatus {
    /// 初步数: may still change without --revise.
    Preliminary,
    /// 最终数: later changes need --revise --reason.
    Final,
}

/// Arguments of `planeval history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The indicator code.
    pub code: String,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
}

/// Arguments of `planeval missing`.
#[derive(Debug, Args)]
pub struct MissingArgs {
    /// The year whose values are checked.
    #[arg(long)]
    pub year: i32,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,

    /// Only this department's indicators.
    #[arg(long)]
    pub department: Option<String>,
}

/// Arguments of `planeval export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The report year of the evaluation.
    #[arg(long, required_unless_present = "parquet", conflicts_with = "parquet")]
    pub year: Option<i32>,

    /// Output format; by default taken from the extension of --out.
    #[arg(long, value_enum, conflicts_with = "parquet")]
    pub format: Option<TableFormat>,

    /// The file to write.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "parquet",
        conflicts_with = "parquet"
    )]
    pub out: Option<PathBuf>,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long, conflicts_with = "parquet")]
    pub plan: Option<String>,

    /// Instead: write the catalog and observations of every plan as Parquet,
    /// partitioned by plan (DIR/observations/plan=CODE/…), for distributed engines.
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
}

/// Spreadsheet formats planeval writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Comma-separated, UTF-8 with a byte-order mark (Excel reads it correctly).
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl TableFormat {
    /// The format a file name's extension implies, if any.
    pub fn from_path(path: &std::path::Path) -> Option<TableFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(TableFormat::Csv),
            "xlsx" => Some(TableFormat::Xlsx),
            _ => None,
        }
    }
}
