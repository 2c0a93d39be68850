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
