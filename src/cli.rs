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
    #[arg(long)]
    pub year: i32,

    /// Output format; by default taken from the extension of --out.
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,

    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Plan code; may be left out when the database holds one plan.
    #[arg(long)]
    pub plan: Option<String>,
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
