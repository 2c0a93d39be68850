//! Helpers shared by the integration tests: run the real binary, build a demo
//! database in a temporary directory, copy catalogs to mutate them.

#![allow(dead_code)] // each test binary uses a different subset of these helpers

use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs planeval with `args`, without inheriting a PLANEVAL_DB or config.
pub fn planeval(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_planeval"))
        .args(args)
        .env_remove("PLANEVAL_DB")
        .env_remove("PLANEVAL_CONFIG")
        .output()
        .expect("planeval runs")
}

/// Runs planeval on a database.
pub fn planeval_db(db: &Path, args: &[&str]) -> Output {
    let mut full = vec!["--db", db.to_str().expect("utf-8 path")];
    full.extend_from_slice(args);
    planeval(&full)
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

/// A temporary directory holding a freshly built demo database.
pub fn demo_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path").to_string();
    ok(planeval(&["-q", "demo", "--out", &out]));
    let db = dir.path().join("demo.db");
    (dir, db)
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a catalog directory so a test can change it.
pub fn copy_catalog(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create catalog dir");
    for entry in std::fs::read_dir(from).expect("read catalog") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}
