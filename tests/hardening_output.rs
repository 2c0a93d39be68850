//! What planeval opens, writes and prints when the file system is hostile or
//! merely unlucky, through the real binary on a temporary demo database: a lock
//! that is a link, a lock left by another account, a full disk while a report's
//! files are replaced, temporary files of killed runs, standard output that is
//! full, links in the template and commentary folders, a damaged edition, and
//! the exit codes docs/cron.md promises.

mod common;

use common::*;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

/// `planeval --db DB ARGS…` run in `dir`.
fn planeval_in(dir: &Path, db: &Path, args: &[&str]) -> Output {
    command()
        .current_dir(dir)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("planeval runs")
}

/// `planeval ARGS…` through `sh -c`, with `shell` wrapped around the command
/// (`"$0" "$@"` stands for planeval and its arguments), for what only a shell
/// sets up: redirections, limits, ignored signals.
fn planeval_sh(shell: &str, args: &[&str]) -> Output {
    clean_command("sh")
        .arg("-c")
        .arg(shell)
        .arg(BIN)
        .args(args)
        .output()
        .expect("sh runs")
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

/// A copy of the demo database in `dir/s/planeval.db`, as an office keeps it.
fn office_db(dir: &Path, demo: &Path) -> PathBuf {
    let office = dir.join("s");
    std::fs::create_dir_all(&office).unwrap();
    let db = office.join("planeval.db");
    std::fs::copy(demo, &db).unwrap();
    db
}

/// The report arguments every test uses: annual 2025, HTML and PDF, into `out`.
fn annual<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "-q", "report", "annual", "--year", "2025", "--format", "html,pdf", "--out", out,
    ];
    args.extend_from_slice(extra);
    args
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The PID of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    child.id()
}

// ------------------------------------------------------------ 1. the run lock

#[test]
fn a_lock_that_is_a_link_is_refused_and_changes_nothing() {
    let (dir, demo) = demo_dir();
    let db = office_db(dir.path(), &demo);
    let office = db.parent().unwrap();
    let before = std::fs::read(&db).unwrap();

    // The implicit lock, DB.report.lock, planted as a link to the database.
    symlink("planeval.db", office.join("planeval.db.report.lock")).unwrap();
    let output = planeval_in(office, Path::new("planeval.db"), &annual("www", &[]));
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("planeval.db.report.lock: a symbolic link"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database was changed"
    );
    assert!(!office.join("www").exists());

    // --lock LINK to any file.
    let victim = office.join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    symlink(&victim, office.join("victim.lock")).unwrap();
    let output = planeval_in(office, &db, &annual("www", &["--lock", "victim.lock"]));
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");

    // A hard link cannot be told from a lock file; it is locked, never written.
    std::fs::hard_link(&db, office.join("hard.lock")).unwrap();
    let lock = office.join("hard.lock");
    ok(planeval_in(
        office,
        &db,
        &annual("www", &["--lock", s(&lock)]),
    ));
    assert!(std::fs::read(&db)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));
    ok(planeval_db(&db, &["check"]));
}

#[test]
fn the_busy_message_names_the_holder() {
    let (dir, db) = demo_dir();
    let lock = dir.path().join("report.lock");
    let held = std::fs::File::create(&lock).unwrap();
    // SAFETY: the descriptor belongs to `held`, open for the whole test.
    let locked = unsafe {
        libc::flock(
            std::os::unix::io::AsRawFd::as_raw_fd(&held),
            libc::LOCK_EX | libc::LOCK_NB,
        )
    };
    assert_eq!(locked, 0);
    let out = dir.path().join("www");
    let output = planeval_db(&db, &annual(s(&out), &["--lock", s(&lock), "--wait", "0"]));
    assert_eq!(code(&output), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("holds it (pid {})", std::process::id())),
        "{message}"
    );
    assert!(!message.contains("()"), "{message}");
    assert_eq!(std::fs::metadata(&lock).unwrap().len(), 0, "lock written");
}

/// Item 15. As root, file modes stop nobody, so the other account is real: root
/// runs first (umask 077, as root's crontab may have it) and leaves the lock,
/// then the office account (`nobody`, through setpriv) runs on the same
/// database. As another user, a lock file without write permission is the
/// same situation.
#[test]
fn a_lock_left_by_another_account_does_not_lock_the_office_out() {
    let (dir, demo) = demo_dir();
    let db = office_db(dir.path(), &demo);
    let office = db.parent().unwrap();
    let lock = office.join("planeval.db.report.lock");
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        std::fs::write(&lock, "").unwrap();
        std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o444)).unwrap();
        let out = office.join("www");
        ok(planeval_db(&db, &annual(s(&out), &[])));
        eprintln!("not root: ran against a read-only lock file of this account");
        return;
    }
    assert!(
        Command::new("setpriv").arg("--version").output().is_ok(),
        "running as root needs setpriv to run as another account"
    );
    let nobody = "65534";
    let chown = Command::new("chown")
        .args(["-R", &format!("{nobody}:{nobody}"), s(office)])
        .status()
        .unwrap();
    assert!(chown.success());
    let as_root = planeval_sh(
        "umask 077; exec \"$0\" \"$@\"",
        &["--db", s(&db)]
            .into_iter()
            .chain(annual(s(&office.join("www-root")), &[]))
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&as_root), Some(0), "{}", stderr(&as_root));
    let metadata = std::fs::metadata(&lock).unwrap();
    assert_eq!(std::os::unix::fs::MetadataExt::uid(&metadata), 0);

    let as_office = |out: &str| {
        clean_command("setpriv")
            .args([
                "--reuid",
                nobody,
                "--regid",
                nobody,
                "--clear-groups",
                "--",
                BIN,
                "--db",
            ])
            .arg(&db)
            .args(annual(out, &[]))
            .output()
            .unwrap()
    };
    let output = as_office(s(&office.join("www")));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert!(office.join("www/annual-2025.pdf").is_file());

    // A lock the office cannot even read: a clear message saying what to do.
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = as_office(s(&office.join("www")));
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(
            "planeval.db.report.lock: cannot be opened for reading (owner uid 0, mode 600)"
        ),
        "{message}"
    );
    assert!(message.contains("remove it"), "{message}");
}

// ------------------------------------------------------------ 13. output files

#[test]
fn a_full_disk_leaves_the_old_html_and_pdf_together() {
    let (dir, db) = demo_dir();
    let out = dir.path().join("www");
    let first = planeval_sh(
        "SOURCE_DATE_EPOCH=1767225600 exec \"$0\" \"$@\"",
        &["--db", s(&db)]
            .into_iter()
            .chain(annual(s(&out), &[]))
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&first), Some(0), "{}", stderr(&first));
    let html = std::fs::read(out.join("annual-2025.html")).unwrap();
    let pdf = std::fs::read(out.join("annual-2025.pdf")).unwrap();

    // The smaller file is written first and fits under the file-size limit,
    // the larger one does not: the disk is full after the first file.
    let (small, large, order) = if html.len() < pdf.len() {
        (html.len(), pdf.len(), "html,pdf")
    } else {
        (pdf.len(), html.len(), "pdf,html")
    };
    let blocks = (small + large) / 2 / 512;
    assert!(small < blocks * 512 && blocks * 512 < large);
    // A changed date changes both files, so an old file cannot pass for a new one.
    let shell = format!(
        "trap '' XFSZ; ulimit -f {blocks}; SOURCE_DATE_EPOCH=1798761600 exec \"$0\" \"$@\""
    );
    let args: Vec<&str> = ["--db", s(&db), "-q", "report", "annual", "--year", "2025"]
        .into_iter()
        .chain(["--format", order, "--out", s(&out)])
        .collect();
    let full = planeval_sh(&shell, &args);
    assert_eq!(code(&full), Some(1), "{}", stderr(&full));
    assert!(
        stderr(&full).contains("File too large"),
        "{}",
        stderr(&full)
    );
    assert!(
        std::fs::read(out.join("annual-2025.html")).unwrap() == html,
        "the HTML was replaced although the PDF was not"
    );
    assert!(std::fs::read(out.join("annual-2025.pdf")).unwrap() == pdf);
    assert_eq!(names(&out), ["annual-2025.html", "annual-2025.pdf"]);
}

#[test]
fn temporary_files_of_killed_runs_are_removed() {
    let (dir, db) = demo_dir();
    let out = dir.path().join("www");
    ok(planeval_db(&db, &annual(s(&out), &[])));
    let dead = dead_pid();
    let alive = std::process::id();
    let two_minutes_ago = SystemTime::now() - Duration::from_secs(120);
    let plant = |name: String, modified: SystemTime| {
        let file = std::fs::File::create(out.join(&name)).unwrap();
        file.set_len(350 * 1024).unwrap();
        file.set_modified(modified).unwrap();
        name
    };
    let killed_html = plant(format!(".annual-2025.html.{dead}.0.tmp"), two_minutes_ago);
    let killed_pdf = plant(format!(".annual-2025.pdf.{dead}.1.tmp"), two_minutes_ago);
    // Spared: a just-written file (its writer may be on another machine), a file
    // of a running process, and a file not named like planeval's temporaries.
    let recent = plant(format!(".annual-2025.pdf.{dead}.2.tmp"), SystemTime::now());
    let running = plant(format!(".annual-2025.pdf.{alive}.3.tmp"), two_minutes_ago);
    let other = plant(format!(".notes.txt.{dead}.0.tmp"), two_minutes_ago);

    ok(planeval_db(&db, &annual(s(&out), &[])));
    let left = names(&out);
    assert!(!left.contains(&killed_html), "{left:?}");
    assert!(!left.contains(&killed_pdf), "{left:?}");
    for kept in [&recent, &running, &other] {
        assert!(left.contains(kept), "{kept} removed: {left:?}");
    }
}

// ------------------------------------------------------------ 14. standard output

/// Commands that print a result, with what they need: the demo has values
/// still owed for 2025, the fixture stores a foreword for `commentary show`.
fn printing_commands(db: &str, import: &str) -> Vec<Vec<String>> {
    let args: &[&[&str]] = &[
        &["plan"],
        &["plan", "--format", "json"],
        &["evaluate", "--year", "2023"],
        &["evaluate", "--year", "2023", "--format", "csv"],
        &["history", "gdp"],
        &["missing", "--year", "2025"],
        &[
            "import",
            import,
            "--department",
            "sci",
            "--revise",
            "--reason",
            "test",
            "--dry-run",
        ],
        &["commentary", "show", "--report", "annual", "--year", "2025"],
    ];
    args.iter()
        .map(|a| {
            ["--db", db]
                .iter()
                .chain(a.iter())
                .map(|s| s.to_string())
                .collect()
        })
        .collect()
}

fn stdout_fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, db) = demo_dir();
    ok(planeval_db(
        &db,
        &[
            "commentary",
            "set",
            "--report",
            "annual",
            "--year",
            "2025",
            "--text",
            "前言：测试。",
        ],
    ));
    let import = root().join("tests/data/import/sci-2023.csv");
    (dir, db, import)
}

#[test]
fn a_full_standard_output_is_an_error_not_a_panic() {
    let (_dir, db, import) = stdout_fixture();
    for args in printing_commands(s(&db), s(&import)) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let printed = planeval_sh("exec \"$0\" \"$@\"", &args);
        assert!(
            matches!(code(&printed), Some(0 | 4)) && !printed.stdout.is_empty(),
            "{args:?} prints nothing: {}",
            stderr(&printed)
        );
        let full = planeval_sh("exec \"$0\" \"$@\" > /dev/full", &args);
        let message = stderr(&full);
        assert_eq!(code(&full), Some(1), "{args:?}: {message}");
        assert!(
            message.contains("error: writing standard output: No space left on device"),
            "{args:?}: {message}"
        );
        assert!(!message.contains("panicked"), "{args:?}: {message}");
    }
}

/// A descriptor that is not open for writing (`1</dev/null`) is an error too;
/// a closed one (`>&-`) the Rust runtime replaces with /dev/null before main,
/// so its output is discarded as under `> /dev/null`, never a panic.
#[test]
fn an_unwritable_standard_output_is_an_error_a_closed_one_a_sink() {
    let (_dir, db, import) = stdout_fixture();
    for args in printing_commands(s(&db), s(&import)) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let unwritable = planeval_sh("exec \"$0\" \"$@\" 1</dev/null", &args);
        let message = stderr(&unwritable);
        assert_eq!(code(&unwritable), Some(1), "{args:?}: {message}");
        assert!(
            message.contains("error: writing standard output: Bad file descriptor"),
            "{args:?}: {message}"
        );
        let closed = planeval_sh("exec \"$0\" \"$@\" >&-", &args);
        let message = stderr(&closed);
        assert!(matches!(code(&closed), Some(0 | 4)), "{args:?}: {message}");
        assert!(!message.contains("panicked"), "{args:?}: {message}");
    }
}

// ------------------------------------------------------------ 18. user folders

#[test]
fn links_out_of_the_template_and_commentary_folders_are_refused() {
    let (dir, db) = demo_dir();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0:SECRET\n").unwrap();
    let out = dir.path().join("www");

    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    symlink(&secret, templates.join("style.css")).unwrap();
    let output = planeval_db(&db, &annual(s(&out), &["--templates", s(&templates)]));
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("style.css: a symbolic link to"),
        "{message}"
    );
    assert!(!message.contains("SECRET"), "{message}");
    assert!(!out.exists(), "a report was written");

    // A link to a file inside the folder is fine.
    std::fs::remove_file(templates.join("style.css")).unwrap();
    std::fs::create_dir(templates.join("themes")).unwrap();
    std::fs::write(
        templates.join("themes/office.css"),
        "body { color: #123456; }\n",
    )
    .unwrap();
    symlink("themes/office.css", templates.join("style.css")).unwrap();
    ok(planeval_db(
        &db,
        &annual(s(&out), &["--templates", s(&templates)]),
    ));
    let html = std::fs::read_to_string(out.join("annual-2025.html")).unwrap();
    assert!(html.contains("#123456"));

    let commentary = dir.path().join("commentary");
    std::fs::create_dir(&commentary).unwrap();
    std::fs::write(commentary.join("foreword.md"), "前言。\n").unwrap();
    symlink(&secret, commentary.join("chapter-01.md")).unwrap();
    let output = planeval_db(&db, &annual(s(&out), &["--commentary", s(&commentary)]));
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("chapter-01.md: a symbolic link to"));
    let html = std::fs::read_to_string(out.join("annual-2025.html")).unwrap();
    assert!(!html.contains("SECRET"));
}

// ------------------------------------------------------------ 20. exit codes, docs

#[test]
fn a_damaged_edition_snapshot_is_an_error_not_a_usage_mistake() {
    let (dir, db) = demo_dir();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE report_edition SET snapshot = '{\"values\": 7}' WHERE report = 'annual'",
            [],
        )
        .unwrap();
    let out = dir.path().join("www");
    let output = planeval_db(&db, &annual(s(&out), &[]));
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("annual 2025 edition 1 is damaged"),
        "{message}"
    );
}

#[test]
fn the_help_and_docs_cron_match_the_cli() {
    let help = ok(planeval(&["report", "--help"]));
    assert!(!help.contains("not yet available"), "{help}");
    assert!(help.contains("PDF"), "{help}");
    let wait = help
        .split("--wait <SECONDS>")
        .nth(1)
        .and_then(|rest| rest.split("[default: ").nth(1))
        .and_then(|rest| rest.split(']').next())
        .expect("the default of --wait");
    let cron = std::fs::read_to_string(root().join("docs/cron.md")).unwrap();
    assert!(
        cron.contains(&format!("waits up to `--wait` seconds (default {wait})")),
        "docs/cron.md does not give --wait's default {wait}"
    );
    let top = ok(planeval(&["--help"]));
    assert!(top.contains("mid-term evaluation (HTML, PDF)"), "{top}");
}

// ------------------------------------------------------------ Parquet export folder

#[test]
fn a_parquet_export_never_deletes_a_folder_it_did_not_write() {
    let (dir, db) = demo_dir();
    let documents = dir.path().join("documents");
    std::fs::create_dir(&documents).unwrap();
    std::fs::write(documents.join("budget.xlsx"), b"the office's own file").unwrap();
    let refused = planeval_db(&db, &["export", "--parquet", s(&documents)]);
    assert_eq!(code(&refused), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("budget.xlsx"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read(documents.join("budget.xlsx")).unwrap(),
        b"the office's own file"
    );

    // An earlier export is replaced whole, and nothing is left beside it.
    let export = dir.path().join("parquet");
    ok(planeval_db(&db, &["export", "--parquet", s(&export)]));
    ok(planeval_db(&db, &["export", "--parquet", s(&export)]));
    assert_eq!(
        names(&export),
        ["indicators", "observations", "plans.parquet"]
    );
    let beside: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|name| name.starts_with("parquet."))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}
