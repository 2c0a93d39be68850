//! `planeval report annual|midterm`: build the report context from the store,
//! render each requested format, write the files atomically, then record the
//! report's edition (unless this data was published as an edition before). With
//! `--all-plans`, one evaluation covers every plan and the reports are rendered
//! in parallel. A run lock keeps overlapping cron runs apart.

use super::open_store;
use super::progress::Progress;
use crate::error::{exit, Error, Result};
use crate::evaluate::{self, Config};
use crate::lock::RunLock;
use crate::model::{ReportKind, YearSpan};
use crate::pipeline::{self, batch::publish_all};
use crate::report::templates::Templates;
use crate::report::{FontChoice, Format, Published, Renderers, ReportRequest};
use crate::store::editions::data_hashes;
use crate::store::plans::all_plans;
use crate::store::snapshot::evaluation_input;
use crate::store::Store;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Arguments of `planeval report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Which report: `annual` (needs --year) or `midterm`.
    #[arg(value_enum)]
    pub kind: ReportKind,

    /// The year evaluated; required for `annual`, default for `midterm`: the plan's mid-term year.
    #[arg(long)]
    pub year: Option<i32>,

    /// Directory for the report files (`annual-YEAR.html`, `midterm-YEAR.pdf`, ...).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Output formats, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "html")]
    pub format: Vec<Format>,

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

/// The environment variable that fixes the printed date (reproducible builds).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// Runs `planeval report`; the value is the exit code.
pub fn run(db: &Path, config: Option<&Path>, args: &ReportArgs) -> Result<u8> {
    let formats = each_once(&args.format);
    let font = match &args.font {
        Some(path) => FontChoice::File {
            path: path.clone(),
            face: args.font_index,
        },
        None => FontChoice::Bundled,
    };
    let renderers = Renderers::new(
        Templates::new(args.templates.as_deref())?,
        &formats,
        &font,
        args.strict,
    )?;
    let config = Config::load(config)?;
    let lock_path = args.lock.clone().unwrap_or_else(|| default_lock(db));
    let lock = RunLock::acquire(&lock_path, Duration::from_secs(args.wait))?;
    if !lock.waited.is_zero() {
        tracing::debug!(
            "waited {:.1} s for {}",
            lock.waited.as_secs_f64(),
            lock.path().display()
        );
    }
    let mut store = open_store(db)?;
    let source_date_epoch = std::env::var(SOURCE_DATE_EPOCH).ok();
    let request = ReportRequest {
        kind: args.kind,
        year: args.year,
        plan: args.plan.as_deref(),
        commentary_dir: args.commentary.as_deref(),
        source_date_epoch: source_date_epoch.as_deref(),
    };
    if args.all_plans {
        return all_plan_reports(&store, &config, &request, &formats, &renderers, args);
    }
    let run = pipeline::run_report(
        &mut store,
        &config.thresholds,
        &request,
        &formats,
        &renderers,
        &args.out,
    )?;
    let (prepared, unrecorded) = (&run.prepared, run.unrecorded);
    let context = &prepared.context;
    announce(&run.published, &context.report.title);
    tracing::debug!(
        "{}, data {}{}",
        context.edition.label,
        context.edition.data_hash_short,
        if unrecorded.is_some() {
            " (not recorded)"
        } else if prepared.edition.is_new {
            " (recorded)"
        } else {
            " (published before from the same data)"
        }
    );
    if let Some(warning) = unrecorded {
        tracing::warn!("{}", warning);
    }
    if context.data_notice.is_some() {
        tracing::warn!(
            "the report shows demo data (labelled 演示数据，非官方统计数据 in the file)"
        );
    }
    Ok(exit::OK)
}

fn announce(published: &Published, title: &str) {
    for warning in &published.warnings {
        tracing::warn!("{}", warning);
    }
    for path in &published.paths {
        tracing::info!("{}: {title}", path.display());
    }
}

/// `DB.report.lock`, next to the database.
fn default_lock(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".report.lock");
    PathBuf::from(name)
}

/// Evaluates every plan in one batch, then renders each plan's report into
/// `OUT/<plan code>/` on a bounded pool; every worker reads through its own
/// connection, so rendering order never changes a byte of any file.
fn all_plan_reports(
    store: &Store,
    config: &Config,
    request: &ReportRequest<'_>,
    formats: &[Format],
    renderers: &Renderers,
    args: &ReportArgs,
) -> Result<u8> {
    let year = args.year.ok_or_else(|| {
        Error::Usage(
            "--all-plans needs --year (plans may have different mid-term years)".to_string(),
        )
    })?;
    for plan in all_plans(store)? {
        plan.check_year(year, YearSpan::Period)?;
    }
    let input = evaluation_input(store, None)?;
    let evaluations = evaluate::evaluate(&input, year, &config.thresholds)?;
    let evaluated = data_hashes(&input);
    drop(input);
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let progress = Mutex::new(Progress::new("reports", evaluations.len()));
    let results = publish_all(
        store.path(),
        &config.thresholds,
        &evaluations,
        &evaluated,
        request,
        formats,
        renderers,
        &args.out,
        jobs,
        &|done| {
            if let Ok(mut progress) = progress.lock() {
                progress.set(done);
            }
        },
    );
    if let Ok(progress) = progress.into_inner() {
        progress.finish();
    }
    let mut files = 0;
    for published in results? {
        for warning in &published.warnings {
            tracing::warn!("{}", warning);
        }
        files += published.paths.len();
    }
    tracing::info!(
        "{} reports of {} plans written under {} ({} files)",
        evaluations.len(),
        evaluations.len(),
        args.out.display(),
        files
    );
    Ok(exit::OK)
}

/// The requested formats in the order given, each once.
fn each_once(requested: &[Format]) -> Vec<Format> {
    let mut formats = Vec::with_capacity(requested.len());
    for format in requested {
        if !formats.contains(format) {
            formats.push(*format);
        }
    }
    formats
}
