//! Stress and fault tests of the shared database file (docs/sharing.md, "Stress
//! and fault tests"), driving the real binary on a demo database:
//!
//! - eight processes importing into one file while two generate reports;
//! - imports killed with SIGKILL at pseudo-random moments;
//! - overlapping report runs on one lock, and readers of the files they replace;
//! - backups taken while importers write, restored and checked.
//!
//! The tests run one at a time (each loads the machine on purpose). The
//! concurrency run lasts `CONCURRENCY_SECONDS`; `PLANEVAL_STRESS_SECONDS`
//! shortens it locally. `cargo test --release --test stress -- --nocapture`
//! shows the figures.

// SIGSTOP/SIGKILL and /proc/locks, which tells whether a stopped import held
// SQLite's write lock, are Linux's.
#![cfg(target_os = "linux")]

mod common;

use common::{demo_into, s};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long the concurrency run lasts.
const CONCURRENCY_SECONDS: u64 = 30;

/// Overrides `CONCURRENCY_SECONDS`, to run the tests quickly while working on them.
const SECONDS_VARIABLE: &str = "PLANEVAL_STRESS_SECONDS";

/// How many imports are killed in the middle of their run.
const KILLS: usize = 60;

/// How long importers run while backups are taken, and while reports are replaced
/// under a reader's eyes.
const SHORT_RUN: Duration = Duration::from_secs(5);

/// The monitoring years importers write; values of 2021–2024 are final in the demo
/// database, so every import passes `--revise --reason`.
const YEARS: [i32; 5] = [2021, 2022, 2023, 2024, 2025];

const REASON: &str = "压力测试 (stress test)";

/// The eight importers of the concurrency run: seven departments importing
/// their own indicators, and the statistics office importing culture's.
const IMPORTERS: [Importer; 8] = [
    Importer::own("agri"),
    Importer::own("sci"),
    Importer::own("civil"),
    Importer::own("edu"),
    Importer::own("housing"),
    Importer::own("hrss"),
    Importer::own("health"),
    Importer::office_for("culture"),
];

/// The statistics office of the demo plan.
const OFFICE: &str = "stats";

/// Each test loads the machine on purpose; its figures mean something only when
/// the others are not running.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------- running planeval

/// What one run of the binary did, and how long it took.
struct Run {
    args: String,
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    /// Why this run counts as a failure of the shared file: a non-zero exit,
    /// or a lock error that reached the user even though the run went on.
    fn failure(&self) -> Option<String> {
        let lower = self.stderr.to_lowercase();
        if self.code != Some(0) || lower.contains("database is locked") || lower.contains("busy") {
            Some(format!(
                "`planeval {}` exited {:?} after {:.0} ms:\n{}",
                self.args,
                self.code,
                self.elapsed.as_secs_f64() * 1000.0,
                self.stderr.trim()
            ))
        } else {
            None
        }
    }

    fn ok(self) -> Run {
        if let Some(failure) = self.failure() {
            panic!("{failure}");
        }
        self
    }
}

fn command(db: &Path, args: &[&str]) -> Command {
    let mut command = common::command();
    command.arg("--db").arg(db).args(args).env("USER", "stress");
    command
}

fn planeval(db: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let output = command(db, args).output().expect("planeval runs");
    Run {
        args: args.join(" "),
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

// ---------------------------------------------------------------- the database

/// A demo database in a temporary directory, and what the imports need to know
/// about its indicators.
struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    /// code → (unit, department), in catalog order.
    indicators: Vec<(String, String, String)>,
    /// (code, year) → (value, value kind) in the demo data.
    demo: HashMap<(String, i32), (f64, String)>,
}

impl Fixture {
    fn demo() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().to_path_buf();
        let db = demo_into(&path);
        let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let indicators = conn
            .prepare("SELECT code, unit, department_code FROM indicator ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        let demo = conn
            .prepare(
                "SELECT i.code, o.year, o.value, o.value_kind FROM observation o
                 JOIN indicator i ON i.id = o.indicator_id",
            )
            .unwrap()
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))
            .unwrap()
            .collect::<rusqlite::Result<HashMap<_, _>>>()
            .unwrap();
        Fixture {
            _dir: dir,
            dir: path,
            db,
            indicators,
            demo,
        }
    }

    fn codes_of(&self, department: &str) -> Vec<String> {
        self.indicators
            .iter()
            .filter(|(_, _, d)| d == department)
            .map(|(code, _, _)| code.clone())
            .collect()
    }

    fn unit(&self, code: &str) -> &str {
        self.indicators
            .iter()
            .find(|(c, _, _)| c == code)
            .map(|(_, unit, _)| unit.as_str())
            .expect("known code")
    }

    /// The value an import writes at `step`: close to the demo value, so every
    /// check accepts it, and different at every step, so every import changes
    /// every row it carries. Returns the text written and the number it means.
    fn value(&self, code: &str, year: i32, step: u64) -> (String, f64, String) {
        let (base, kind) = self
            .demo
            .get(&(code.to_string(), year))
            .cloned()
            .unwrap_or((0.0, "level".to_string()));
        let step = (step % 2000 + 1) as f64;
        let value = if base == 0.0 {
            0.001 * step
        } else if self.unit(code) == "%" {
            base.min(99.0) * (1.0 - 0.0001 * step)
        } else {
            base * (1.0 - 0.0001 * step)
        };
        let text = format!("{value:.8}");
        let parsed = text.parse().unwrap();
        (text, parsed, kind)
    }

    /// Writes an import file for `codes` × `years` at `step`; returns what it holds.
    fn write_import(&self, path: &Path, codes: &[String], years: &[i32], step: u64) -> Values {
        let mut csv = String::from("code,year,value,value_kind\n");
        let mut values = Vec::new();
        for code in codes {
            for &year in years {
                let (text, value, kind) = self.value(code, year, step);
                csv.push_str(&format!("{code},{year},{text},{kind}\n"));
                values.push(((code.clone(), year), value));
            }
        }
        std::fs::write(path, csv).unwrap();
        values
    }
}

/// Every value of the database at `db`, by (code, year).
fn values_in(db: &Path) -> HashMap<(String, i32), f64> {
    let conn = Connection::open(db).unwrap();
    let values = conn
        .prepare(
            "SELECT i.code, o.year, o.value FROM observation o
             JOIN indicator i ON i.id = o.indicator_id",
        )
        .unwrap()
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<HashMap<_, _>>>()
        .unwrap();
    values
}

fn integrity(db: &Path) -> String {
    Connection::open(db)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(1.0)
}

// ---------------------------------------------------------------- importers

/// A process importing one department's indicators, one year per import.
#[derive(Clone, Copy)]
struct Importer {
    /// The department whose indicators are imported.
    owner: &'static str,
    /// Imported by the statistics office (`--department stats --as-office`).
    as_office: bool,
}

impl Importer {
    const fn own(department: &'static str) -> Importer {
        Importer {
            owner: department,
            as_office: false,
        }
    }

    const fn office_for(department: &'static str) -> Importer {
        Importer {
            owner: department,
            as_office: true,
        }
    }

    /// Imports until `deadline`; every import writes new values for every
    /// indicator of the department for the next year.
    fn run(self, fx: &Fixture, deadline: Instant) -> ImporterLog {
        let codes = fx.codes_of(self.owner);
        let file = fx.dir.join(format!("import-{}.csv", self.owner));
        let mut log = ImporterLog::default();
        let mut step = 0;
        while Instant::now() < deadline {
            let year = YEARS[step as usize % YEARS.len()];
            let values = fx.write_import(&file, &codes, &[year], step);
            let mut args = vec!["-v", "import", s(&file), "--revise", "--reason", REASON];
            if self.as_office {
                args.extend(["--department", OFFICE, "--as-office"]);
            } else {
                args.extend(["--department", self.owner]);
            }
            let run = planeval(&fx.db, &args);
            log.note(&run);
            match run.failure() {
                Some(failure) => log.failures.push(failure),
                None => {
                    let (retries, wait) = contention(&run.stderr);
                    log.retries += retries;
                    log.longest_wait_ms = log.longest_wait_ms.max(wait);
                    log.imports.push((year, values));
                }
            }
            step += 1;
        }
        log
    }
}

/// The retries and the longest wait of `planeval -v import`'s writes, from
/// their `CONTEXT: write lock taken after X ms, N retries` lines.
fn contention(stderr: &str) -> (u64, f64) {
    let taken: Vec<(u64, f64)> = stderr
        .lines()
        .filter_map(|l| {
            l.split_once(": write lock taken after ")
                .map(|(_, rest)| rest)
        })
        .map(|rest| {
            let (wait, retries) = rest.split_once(" ms, ").unwrap();
            let retries = retries.trim_end_matches(" retries");
            (retries.parse().unwrap(), wait.parse().unwrap())
        })
        .collect();
    assert!(!taken.is_empty(), "no contention figures in:\n{stderr}");
    (
        taken.iter().map(|(retries, _)| *retries).max().unwrap(),
        taken.iter().map(|(_, wait)| *wait).fold(0.0, f64::max),
    )
}

/// The values of one import: ((code, year), value) in file order.
type Values = Vec<((String, i32), f64)>;

/// What one importer (or reporter) did.
#[derive(Default)]
struct ImporterLog {
    /// The year and values of every successful import, in order.
    imports: Vec<(i32, Values)>,
    failures: Vec<String>,
    retries: u64,
    longest_wait_ms: f64,
    longest: Duration,
    longest_args: String,
}

impl ImporterLog {
    fn note(&mut self, run: &Run) {
        if run.elapsed > self.longest {
            self.longest = run.elapsed;
            self.longest_args = run.args.clone();
        }
    }
}

/// Runs `report annual 2025` into `out` until `deadline`, under `lock`.
fn reporter(db: &Path, out: &Path, lock: &Path, deadline: Instant) -> (usize, ImporterLog) {
    let mut log = ImporterLog::default();
    let mut done = 0;
    while Instant::now() < deadline {
        let run = planeval(
            db,
            &[
                "-q",
                "report",
                "annual",
                "--year",
                "2025",
                "--format",
                "html,pdf",
                "--out",
                s(out),
                "--lock",
                s(lock),
                "--wait",
                "120",
            ],
        );
        log.note(&run);
        match run.failure() {
            Some(failure) => log.failures.push(failure),
            None => done += 1,
        }
    }
    (done, log)
}

/// Asserts that each (code, year) holds the value of the last import that wrote it.
fn assert_last_values(db: &Path, logs: &[ImporterLog]) -> usize {
    let mut expected = HashMap::new();
    for log in logs {
        for (_, values) in &log.imports {
            expected.extend(values.iter().cloned());
        }
    }
    let found = values_in(db);
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(key, value)| !found.get(*key).is_some_and(|f| same(*f, **value)))
        .map(|((code, year), value)| {
            format!(
                "{code} {year}: imported {value}, found {:?}",
                found.get(&(code.clone(), *year))
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} value(s) lost:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    expected.len()
}

fn assert_no_failures(logs: &[&ImporterLog]) {
    let failures: Vec<&String> = logs.iter().flat_map(|l| &l.failures).collect();
    assert!(
        failures.is_empty(),
        "{} command(s) failed; the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

fn concurrency_seconds() -> u64 {
    std::env::var(SECONDS_VARIABLE)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CONCURRENCY_SECONDS)
}

// ---------------------------------------------------------------- 1. concurrency

#[test]
fn eight_importers_and_two_reporters_share_the_file() {
    let _serial = one_at_a_time();
    let fx = Fixture::demo();
    let seconds = concurrency_seconds();
    let out = fx.dir.join("reports");
    let lock = fx.dir.join("report.lock");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let (import_logs, report_logs) = std::thread::scope(|scope| {
        let importers: Vec<_> = IMPORTERS
            .iter()
            .map(|importer| {
                let fx = &fx;
                scope.spawn(move || importer.run(fx, deadline))
            })
            .collect();
        let reporters: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| reporter(&fx.db, &out, &lock, deadline)))
            .collect();
        (
            importers
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            reporters
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
        )
    });
    let wall = started.elapsed();
    let all: Vec<&ImporterLog> = import_logs
        .iter()
        .chain(report_logs.iter().map(|(_, log)| log))
        .collect();
    assert_no_failures(&all);
    let imports: usize = import_logs.iter().map(|l| l.imports.len()).sum();
    let reports: usize = report_logs.iter().map(|(done, _)| done).sum();
    let retries: u64 = import_logs.iter().map(|l| l.retries).sum();
    let longest_wait = import_logs
        .iter()
        .map(|l| l.longest_wait_ms)
        .fold(0.0, f64::max);
    let longest = all.iter().max_by_key(|l| l.longest).unwrap();
    let longest_import = import_logs.iter().map(|l| l.longest).max().unwrap();
    assert!(
        imports >= IMPORTERS.len() && reports >= 1,
        "too little was done"
    );
    let rows = assert_last_values(&fx.db, &import_logs);
    assert_eq!(integrity(&fx.db), "ok");
    planeval(&fx.db, &["check"]).ok();
    eprintln!(
        "concurrency, {:.1} s: {imports} imports ({:.0}/s, {rows} rows checked), {reports} reports \
         (HTML + PDF); write retries: {retries}, longest wait for the write lock: {longest_wait:.1} ms; \
         longest import: {:.0} ms; longest command: {:.0} ms (`planeval {}`)",
        wall.as_secs_f64(),
        imports as f64 / wall.as_secs_f64(),
        longest_import.as_secs_f64() * 1000.0,
        longest.longest.as_secs_f64() * 1000.0,
        longest.longest_args,
    );
}

// ---------------------------------------------------------------- 2. SIGKILL

/// A fixed-seed pseudo-random generator (xorshift64*), so a failing run repeats.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound.max(1)
    }
}

/// Whether process `pid` holds SQLite's WAL write lock: a POSIX write lock on
/// byte 120 of the `-shm` file (WALINDEX_LOCK_OFFSET + WAL_WRITE_LOCK).
fn holds_write_lock(pid: i32, shm: &Path) -> bool {
    let Ok(inode) = std::fs::metadata(shm).map(|m| m.ino()) else {
        return false;
    };
    let (pid, inode) = (pid.to_string(), inode.to_string());
    std::fs::read_to_string("/proc/locks")
        .expect("/proc/locks")
        .lines()
        .map(|line| {
            line.split_whitespace()
                .filter(|field| *field != "->")
                .collect::<Vec<_>>()
        })
        .any(|f| {
            f.len() >= 8
                && f[1] == "POSIX"
                && f[3] == "WRITE"
                && f[4] == pid
                && f[5].rsplit(':').next() == Some(inode.as_str())
                && f[6] == "120"
        })
}

fn wait_status(pid: i32, flags: i32) -> i32 {
    let mut status = 0;
    // SAFETY: pid is our child, status a valid out-pointer.
    let reaped = unsafe { libc::waitpid(pid, &mut status, flags) };
    assert_eq!(reaped, pid, "waitpid: {}", std::io::Error::last_os_error());
    status
}

/// Where a kill landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Landed {
    /// Before the import took the write lock: nothing may be written.
    Before,
    /// While it held the write lock, before the commit: nothing may be written.
    During,
    /// After the commit (closing, checkpointing): everything must be written.
    After,
    /// The import had finished before the signal was sent.
    Finished,
}

#[test]
fn an_import_killed_at_any_moment_is_wholly_present_or_wholly_absent() {
    let _serial = one_at_a_time();
    let fx = Fixture::demo();
    let codes: Vec<String> = fx.indicators.iter().map(|(c, _, _)| c.clone()).collect();
    let years: Vec<i32> = (2020..=2025).collect();
    let file = fx.dir.join("everything.csv");
    let shm = fx.dir.join("demo.db-shm");
    let args = [
        "import",
        s(&file),
        "--department",
        OFFICE,
        "--as-office",
        "--revise",
        "--reason",
        REASON,
    ];
    let audit = |db: &Path| -> i64 {
        Connection::open(db)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'import'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };

    // The import's normal duration, from a few runs left alone.
    let mut step = 0;
    let mut normal = Duration::ZERO;
    for _ in 0..3 {
        step += 1;
        fx.write_import(&file, &codes, &years, step);
        normal = normal.max(planeval(&fx.db, &args).ok().elapsed);
    }
    let rows = codes.len() * years.len();
    let mut current = values_in(&fx.db);
    let mut imports = audit(&fx.db);
    let mut rng = Rng(0x5EED_2025_0008);
    let mut landed: HashMap<Landed, usize> = HashMap::new();
    let mut kills = 0;
    while kills < KILLS {
        step += 1;
        assert!(step < 10 * KILLS as u64, "too few kills landed: {landed:?}");
        let written = fx.write_import(&file, &codes, &years, step);
        let delay = Duration::from_micros(rng.below(normal.as_micros() as u64 * 11 / 10));
        let child = command(&fx.db, &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        std::thread::sleep(delay);
        // Stop the import where it is, see whether it holds the write lock, kill it.
        // SAFETY: signals to our own child, which is not reaped before waitpid.
        unsafe { libc::kill(pid, libc::SIGSTOP) };
        let status = wait_status(pid, libc::WUNTRACED);
        let held = if libc::WIFSTOPPED(status) {
            let held = holds_write_lock(pid, &shm);
            // SAFETY: as above; the child is stopped, not reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let status = wait_status(pid, 0);
            assert!(libc::WIFSIGNALED(status), "status {status:#x}");
            kills += 1;
            Some(held)
        } else {
            assert!(
                libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
                "an import left alone failed: status {status:#x}"
            );
            None
        };
        drop(child);

        assert_eq!(integrity(&fx.db), "ok", "after kill {kills}");
        let found = values_in(&fx.db);
        let new = written
            .iter()
            .filter(|(key, value)| found.get(key).is_some_and(|f| same(*f, *value)))
            .count();
        let old = written
            .iter()
            .filter(|(key, _)| match (found.get(key), current.get(key)) {
                (Some(f), Some(c)) => same(*f, *c),
                (None, None) => true,
                _ => false,
            })
            .count();
        let audited = audit(&fx.db);
        let present = new == rows && audited == imports + 1;
        let absent = old == rows && audited == imports;
        assert!(
            present || absent,
            "kill {kills} after {delay:?}: the import is partly present: {new} of {rows} rows \
             new, {old} old, {} audit entries for {imports} imports",
            audited
        );
        let place = match held {
            None => Landed::Finished,
            Some(_) if present => Landed::After,
            Some(true) => Landed::During,
            Some(false) => Landed::Before,
        };
        assert!(present || place != Landed::Finished);
        *landed.entry(place).or_default() += 1;
        current = found;
        imports = audited;
        planeval(&fx.db, &["check"]).ok();
    }
    let count = |place| landed.get(&place).copied().unwrap_or(0);
    eprintln!(
        "SIGKILL: {kills} imports of {rows} rows killed (delays 0–{:.0} ms, normal run {:.0} ms): \
         {} before the write lock, {} during the write, {} after the commit; {} finished before \
         the signal; integrity_check ok and the import wholly present or absent every time",
        normal.as_secs_f64() * 1100.0,
        normal.as_secs_f64() * 1000.0,
        count(Landed::Before),
        count(Landed::During),
        count(Landed::After),
        count(Landed::Finished),
    );
}

// ---------------------------------------------------------------- 3. reports

fn report_args<'a>(out: &'a Path, lock: &'a Path, wait: &'a str) -> Vec<&'a str> {
    vec![
        "-q",
        "report",
        "annual",
        "--year",
        "2025",
        "--format",
        "html,pdf",
        "--out",
        s(out),
        "--lock",
        s(lock),
        "--wait",
        wait,
    ]
}

/// Starts two report runs together; returns their exit codes and stderr.
fn two_reports(db: &Path, out: &Path, lock: &Path, wait: &str) -> Vec<(Option<i32>, String)> {
    let children: Vec<_> = (0..2)
        .map(|_| {
            command(db, &report_args(out, lock, wait))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        })
        .collect()
}

/// Whether a report file is complete: HTML ends with `</html>`, PDF starts with
/// `%PDF-` and ends with `%%EOF`.
fn complete(path: &Path, bytes: &[u8]) -> bool {
    let trimmed = bytes.trim_ascii();
    if path.extension().is_some_and(|e| e == "pdf") {
        trimmed.starts_with(b"%PDF-") && trimmed.ends_with(b"%%EOF")
    } else {
        trimmed.ends_with(b"</html>")
    }
}

#[test]
fn overlapping_reports_share_a_lock_and_readers_never_see_half_a_file() {
    let _serial = one_at_a_time();
    let fx = Fixture::demo();
    let out = fx.dir.join("reports");
    let lock = fx.dir.join("report.lock");

    // --wait 0: one run succeeds; the other succeeds (no overlap) or is busy.
    let mut busy = 0;
    for _ in 0..5 {
        let codes = two_reports(&fx.db, &out, &lock, "0");
        assert!(codes.iter().any(|(code, _)| *code == Some(0)), "{codes:?}");
        for (code, stderr) in &codes {
            match code {
                Some(0) => {}
                Some(3) => {
                    busy += 1;
                    assert!(stderr.contains(s(&lock)), "{stderr}");
                }
                other => panic!("exit {other:?}: {stderr}"),
            }
        }
    }
    // A generous --wait: both succeed.
    for _ in 0..3 {
        for (code, stderr) in two_reports(&fx.db, &out, &lock, "60") {
            assert_eq!(code, Some(0), "{stderr}");
        }
    }

    // Reports replaced in a loop (with an importer changing their data) while a
    // reader reads them: once a file exists it is always there, always complete.
    let files = [out.join("annual-2025.html"), out.join("annual-2025.pdf")];
    let stop = AtomicBool::new(false);
    let reads = AtomicU64::new(0);
    let deadline = Instant::now() + SHORT_RUN;
    let (logs, torn, versions) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut torn = Vec::new();
            let mut versions = std::collections::HashSet::new();
            while !stop.load(Ordering::Relaxed) {
                for file in &files {
                    match std::fs::read(file) {
                        Ok(bytes) if complete(file, &bytes) => {
                            versions.insert(bytes);
                        }
                        Ok(bytes) => {
                            torn.push(format!("{}: {} bytes", file.display(), bytes.len()))
                        }
                        Err(e) => torn.push(format!("{}: {e}", file.display())),
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            }
            (torn, versions.len())
        });
        let importer = scope.spawn(|| Importer::own("sci").run(&fx, deadline));
        let reporters: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| reporter(&fx.db, &out, &lock, deadline)))
            .collect();
        let mut logs = vec![importer.join().unwrap()];
        let mut reports = 0;
        for handle in reporters {
            let (done, log) = handle.join().unwrap();
            reports += done;
            logs.push(log);
        }
        stop.store(true, Ordering::Relaxed);
        let (torn, versions) = reader.join().unwrap();
        (logs, torn, (reports, versions))
    });
    assert_no_failures(&logs.iter().collect::<Vec<_>>());
    assert!(
        torn.is_empty(),
        "a reader saw {} incomplete file(s): {:?}",
        torn.len(),
        &torn[..torn.len().min(5)]
    );
    eprintln!(
        "reports: {busy} of 10 overlapping runs with --wait 0 exited 3 naming the lock; \
         {} reports replaced while {} reads saw {} distinct complete files and no torn one",
        versions.0,
        reads.load(Ordering::Relaxed),
        versions.1,
    );
}

// ---------------------------------------------------------------- 4. backup

/// Grows the demo database to some 40 MB, as years of history grow it, so a
/// backup copies many pages while imports commit. The pages are a table of
/// their own: history rows inserted by hand are what `planeval check` reports
/// as written outside planeval, and the restores must pass it.
/// Returns the number of pages.
fn grow_history(db: &Path) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(
        "CREATE TABLE stress_filler (body TEXT NOT NULL);
         WITH RECURSIVE copy(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM copy WHERE n < 200)
         INSERT INTO stress_filler SELECT hex(randomblob(200)) FROM observation, copy",
    )
    .unwrap();
    conn.query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_backup_taken_during_imports_restores_and_checks() {
    let _serial = one_at_a_time();
    let fx = Fixture::demo();
    let pages_before = grow_history(&fx.db);
    let importers = &IMPORTERS[..4];
    let deadline = Instant::now() + SHORT_RUN;
    let (logs, backups) = std::thread::scope(|scope| {
        let handles: Vec<_> = importers
            .iter()
            .map(|importer| {
                let fx = &fx;
                scope.spawn(move || importer.run(fx, deadline))
            })
            .collect();
        let mut backups = Vec::new();
        let mut longest = Duration::ZERO;
        while Instant::now() < deadline {
            let dest = fx.dir.join(format!("backup-{}.db", backups.len()));
            longest = longest.max(planeval(&fx.db, &["backup", s(&dest)]).ok().elapsed);
            backups.push(dest);
            std::thread::sleep(Duration::from_millis(200));
        }
        let logs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        (logs, (backups, longest))
    });
    let (backups, longest_backup) = backups;
    assert_no_failures(&logs.iter().collect::<Vec<_>>());
    for (index, backup) in backups.iter().enumerate() {
        let restored = fx.dir.join(format!("restored-{index}.db"));
        planeval(&restored, &["restore", s(backup)]).ok();
        planeval(&restored, &["check"]).ok();
        assert_eq!(integrity(&restored), "ok");
        // A snapshot: every import is wholly in it or wholly not.
        let found = values_in(&restored);
        for (importer, log) in importers.iter().zip(&logs) {
            for year in YEARS {
                let codes = fx.codes_of(importer.owner);
                let state: Vec<Option<f64>> = codes
                    .iter()
                    .map(|code| found.get(&(code.clone(), year)).copied())
                    .collect();
                let demo: Vec<Option<f64>> = codes
                    .iter()
                    .map(|code| fx.demo.get(&(code.clone(), year)).map(|(v, _)| *v))
                    .collect();
                let matches = |candidate: &[Option<f64>]| {
                    state.iter().zip(candidate).all(|(s, c)| match (s, c) {
                        (Some(s), Some(c)) => same(*s, *c),
                        (None, None) => true,
                        _ => false,
                    })
                };
                let whole = matches(&demo)
                    || log
                        .imports
                        .iter()
                        .filter(|(y, _)| *y == year)
                        .any(|(_, values)| {
                            let candidate: Vec<Option<f64>> =
                                values.iter().map(|(_, v)| Some(*v)).collect();
                            matches(&candidate)
                        });
                assert!(
                    whole,
                    "backup {index}: {} {year} is a mixture of imports",
                    importer.owner
                );
            }
        }
    }
    let imports: usize = logs.iter().map(|l| l.imports.len()).sum();
    eprintln!(
        "backup: {} backups of a {:.0} MB file taken during {imports} imports by {} importers \
         (longest {:.0} ms); each restored, `planeval check` clean, every import wholly in or \
         out of each snapshot",
        backups.len(),
        pages_before as f64 * 4096.0 / 1e6,
        importers.len(),
        longest_backup.as_secs_f64() * 1000.0,
    );
}
