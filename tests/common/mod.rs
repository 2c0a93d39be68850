//! The one way the integration tests run planeval: a command that carries none
//! of the developer's environment, a demo built once per test binary and copied
//! into each test's own directory, and the small helpers every file used to
//! write again (output as text, the repository root, copying a catalog).

// Each test binary compiles this module and uses a different subset of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_planeval");

/// What a child keeps of the test's environment: what finds the programs
/// (`sh`, `setpriv`, `id`) and where temporary files go. Everything else is
/// cleared, including variables planeval may learn to read later.
const KEPT: [&str; 2] = ["PATH", "TMPDIR"];

/// `program` with an empty environment but for [`KEPT`]. planeval reads
/// `PLANEVAL_DB`, `PLANEVAL_CONFIG` (src/cli.rs), `SOURCE_DATE_EPOCH`
/// (src/cmd/report.rs, src/cmd/demo.rs), `PLANEVAL_USER`, `USER`, `LOGNAME`
/// (src/store/audit/mod.rs), `PLANEVAL_ASSUME_NETWORK_FS`, `USERNAME`
/// (src/store/db.rs) and `RUST_LOG` (the log filter); none of the developer's
/// values reach a test, which sets the ones it is about with `.env(…)`.
pub fn clean_command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command.env_clear();
    for name in KEPT {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
}

/// planeval itself with a clean environment, for a test that sets more
/// (a directory, a variable, pipes) before it runs it.
pub fn command() -> Command {
    clean_command(BIN)
}

/// Runs planeval with `args` in a clean environment.
pub fn planeval(args: &[&str]) -> Output {
    command().args(args).output().expect("planeval runs")
}

/// Runs planeval on a database.
pub fn planeval_db(db: &Path, args: &[&str]) -> Output {
    command()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("planeval runs")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "planeval failed ({:?}):\n{}",
        output.status.code(),
        stderr(&output)
    );
    stdout(&output)
}

/// A path as the `&str` an argument list wants.
pub fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// The output of one `planeval demo` run (demo.db and its four reports),
/// made the first time a test of this binary asks for it. Building it takes
/// most of a second of CPU; each test gets a copy instead of its own run.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<tempfile::TempDir> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            ok(planeval(&["-q", "demo", "--out", s(dir.path())]));
            // A static is never dropped, so the directory is removed at exit.
            // SAFETY: atexit only stores the function pointer; the function
            // touches nothing but the initialised static.
            unsafe { libc::atexit(remove_demo_template) };
            dir
        })
        .path()
}

extern "C" fn remove_demo_template() {
    // The template is initialised before this function is registered.
    let _ = std::fs::remove_dir_all(demo_template());
}

/// Copies the demo into `dir` (created if missing) and returns its database.
pub fn demo_into(dir: &Path) -> PathBuf {
    copy_tree(demo_template(), dir);
    dir.join("demo.db")
}

/// A temporary directory holding a copy of the demo: demo.db and the four
/// reports `planeval demo` writes beside it.
pub fn demo_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_into(dir.path());
    (dir, db)
}

/// The account the tests run as, as the system names it: what planeval
/// records as the author of a change, whatever `$USER` claims.
pub fn account() -> String {
    let out = clean_command("id").arg("-un").output().expect("id runs");
    let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!name.is_empty(), "id -un names no account");
    name
}

/// A temporary directory holding `plan.db` made by `planeval init`: the
/// built-in catalog and no values.
pub fn init_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("plan.db");
    ok(planeval_db(&db, &["-q", "init"]));
    (dir, db)
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The mini catalog of tests/data/catalogs/mini.
pub fn mini_catalog() -> PathBuf {
    root().join("tests/data/catalogs/mini")
}

/// A file of tests/data/import.
pub fn import_data(name: &str) -> PathBuf {
    root().join("tests/data/import").join(name)
}

/// Copies a folder and everything in it, so a test can change the copy.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The data rows of a CSV file of the repository (its lines but the header),
/// so a test can say where an expected count comes from.
pub fn csv_rows(relative: &str) -> usize {
    let mut reader = csv::Reader::from_path(root().join(relative)).expect("read CSV");
    reader.records().count()
}
