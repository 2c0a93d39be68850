//! Hardening of the database file, driven through the real binary: planeval
//! knows its own files (`PRAGMA application_id`) and refuses anything else,
//! restores only a backup it has checked completely, reads without write
//! access, refuses to write into a damaged file, and opening never changes a
//! file that the command then does not write. docs/sharing.md states these.

mod common;

use common::*;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::process::Output;

/// planeval's mark, "PLEV" (src/store/db.rs).
const APPLICATION_ID: i32 = 0x504C_4556;

fn read_only(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn count(db: &Path, sql: &str) -> i64 {
    read_only(db).query_row(sql, [], |r| r.get(0)).unwrap()
}

fn application_id(db: &Path) -> i32 {
    read_only(db)
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap()
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The journal, WAL and shared-memory files beside `db` that exist.
fn companions(db: &Path) -> Vec<String> {
    ["-journal", "-wal", "-shm"]
        .iter()
        .filter(|s| suffixed(db, s).exists())
        .map(|s| s.to_string())
        .collect()
}

/// The file's bytes and modification time: what "nothing changed" means.
fn fingerprint(db: &Path) -> (Vec<u8>, std::time::SystemTime) {
    let modified = std::fs::metadata(db).unwrap().modified().unwrap();
    (std::fs::read(db).unwrap(), modified)
}

/// Bytes 18 and 19 of the header: 1 for a rollback journal, 2 for WAL.
fn journal_bytes(db: &Path) -> [u8; 2] {
    let bytes = std::fs::read(db).unwrap();
    [bytes[18], bytes[19]]
}

/// Switches a file to a rollback journal, as a file from a network share is.
fn to_rollback_journal(db: &Path) {
    let conn = Connection::open(db).unwrap();
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
}

/// Overwrites the b-tree page header of `table`'s root page with bytes no
/// page type has, as a disk or a stray `dd` does; SQLite's checks then fail.
fn damage_table(db: &Path, table: &str) {
    let (root, page_size): (i64, i64) = {
        let conn = Connection::open(db).unwrap();
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let page_size = conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap();
        (root, page_size)
    };
    assert!(root > 1, "{table} has its own page");
    assert!(companions(db).is_empty(), "{:?}", companions(db));
    let mut bytes = std::fs::read(db).unwrap();
    let start = ((root - 1) * page_size) as usize;
    bytes[start..start + 12].fill(0xEE);
    std::fs::write(db, bytes).unwrap();
}

/// A CSV the `sci` department may import into an `init` database.
fn sci_values() -> PathBuf {
    root().join("tests/data/import/sci-2023.csv")
}

// ------------------------------------------------- 2. identity and restore

#[test]
fn restoring_an_empty_or_foreign_file_leaves_the_database_as_it_was() {
    // Before: `restore e.db --force` exited 0 and left 0 plans.
    let (dir, db) = demo_dir();
    let plans = count(&db, "SELECT count(*) FROM plan");
    let before = std::fs::read(&db).unwrap();
    let empty = dir.path().join("e.db");
    std::fs::write(&empty, b"").unwrap();
    let foreign = dir.path().join("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);")
        .unwrap();
    let blank = dir.path().join("blank.db");
    Connection::open(&blank)
        .unwrap()
        .execute_batch("CREATE TABLE t (a); DROP TABLE t;")
        .unwrap();
    for (source, expected) in [
        (&empty, "empty (0 bytes)"),
        (&foreign, "another SQLite database (tables: t"),
        (&blank, "without planeval's tables"),
    ] {
        let out = planeval_db(&db, &["restore", s(source), "--force"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let message = stderr(&out);
        assert!(message.contains(s(source)), "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(
            message.contains("the database was not changed"),
            "{message}"
        );
        assert_eq!(count(&db, "SELECT count(*) FROM plan"), plans);
        assert_eq!(std::fs::read(&db).unwrap(), before, "{}", source.display());
    }
    assert_eq!(
        std::fs::read(&empty).unwrap(),
        b"",
        "the source is only read"
    );
}

#[test]
fn a_backup_without_a_plan_or_of_a_newer_planeval_is_not_restored() {
    let (dir, db) = demo_dir();
    let before = std::fs::read(&db).unwrap();
    let backup = dir.path().join("backup.db");
    ok(planeval_db(&db, &["backup", s(&backup)]));
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let out = planeval_db(&db, &["restore", s(&newer), "--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("schema version 99"),
        "{}",
        stderr(&out)
    );
    // A planeval file whose plans were all deleted (as one created by hand would be).
    let no_plan = dir.path().join("no-plan.db");
    std::fs::copy(&backup, &no_plan).unwrap();
    Connection::open(&no_plan)
        .unwrap()
        .execute_batch(
            "PRAGMA foreign_keys = ON; DELETE FROM observation;
             DELETE FROM observation_version; DELETE FROM plan;
             DELETE FROM audit_chain; DELETE FROM audit_log;",
        )
        .unwrap();
    let out = planeval_db(&db, &["restore", s(&no_plan), "--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("holds no plan"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn commands_refuse_an_empty_or_foreign_file_and_leave_it_alone() {
    // Before: `planeval --db e.db check` said ok, having added planeval's
    // tables to the file and switched it to WAL.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("e.db");
    std::fs::write(&empty, b"").unwrap();
    let foreign = dir.path().join("other.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (n); INSERT INTO invoices VALUES (1);")
        .unwrap();
    let garbage = dir.path().join("notes.db");
    std::fs::write(
        &garbage,
        "not a database at all, but long enough to have a header ".repeat(4),
    )
    .unwrap();
    let sci = sci_values();
    let commands: [&[&str]; 4] = [
        &["check"],
        &["plan"],
        &["evaluate", "--year", "2023"],
        &["import", s(&sci), "--department", "sci"],
    ];
    for file in [&empty, &foreign, &garbage] {
        let before = std::fs::read(file).unwrap();
        for args in commands {
            let out = planeval_db(file, args);
            let message = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {message}");
            assert!(
                message.contains(&format!("{} is not a planeval database", file.display())),
                "{args:?}: {message}"
            );
            assert_eq!(std::fs::read(file).unwrap(), before, "{args:?} changed it");
            assert!(companions(file).is_empty(), "{:?}", companions(file));
        }
    }
}

#[test]
fn init_makes_a_database_of_an_empty_file_but_not_of_a_foreign_one() {
    let dir = tempfile::tempdir().unwrap();
    let touched = dir.path().join("touched.db");
    std::fs::write(&touched, b"").unwrap();
    ok(planeval_db(&touched, &["-q", "init"]));
    assert_eq!(count(&touched, "SELECT count(*) FROM plan"), 1);
    assert_eq!(application_id(&touched), APPLICATION_ID);
    assert_eq!(
        journal_bytes(&touched),
        [2, 2],
        "a new database is in WAL mode"
    );

    let foreign = dir.path().join("other.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (n);")
        .unwrap();
    let before = std::fs::read(&foreign).unwrap();
    let out = planeval_db(&foreign, &["init"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("does not add its tables to another program's file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
}

#[test]
fn an_unmarked_file_of_an_earlier_planeval_is_migrated_and_marked_after_a_backup() {
    let (dir, db) = init_dir();
    assert_eq!(application_id(&db), APPLICATION_ID);
    // As planeval wrote it before it marked its files: schema 4, no mark.
    Connection::open(&db)
        .unwrap()
        .execute_batch(
            "DROP VIEW v_audit_chain; DROP TABLE audit_chain;
             ALTER TABLE audit_log DROP COLUMN claimed_by;
             PRAGMA user_version = 4; PRAGMA application_id = 0;",
        )
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    // This planeval cannot read schema 4, so the first command migrates it.
    ok(planeval_db(&db, &["plan"]));
    assert_eq!(application_id(&db), APPLICATION_ID);
    let kept = dir.path().join("plan.db.schema-v4.bak");
    assert_eq!(application_id(&kept), 0);
    assert_eq!(count(&kept, "SELECT count(*) FROM plan"), 1);
    assert_ne!(std::fs::read(&db).unwrap(), before);
    ok(planeval_db(&db, &["check"]));
    ok(planeval_db(
        &db,
        &["import", s(&sci_values()), "--department", "sci"],
    ));
}

/// A schema-5 file without the mark was never written by planeval: planeval
/// marks every file from schema 5 on, so it is another program's.
#[test]
fn an_unmarked_file_of_the_current_schema_is_not_taken_for_planevals() {
    let (_dir, db) = init_dir();
    Connection::open(&db)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    let before = fingerprint(&db);
    let out = planeval_db(&db, &["plan"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a planeval database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fingerprint(&db), before);
}

#[test]
fn a_restore_onto_a_damaged_database_keeps_nothing_behind_when_it_succeeds() {
    let (dir, db) = demo_dir();
    let backup = dir.path().join("backup.db");
    ok(planeval_db(&db, &["backup", s(&backup)]));
    damage_table(&db, "commentary");
    assert_eq!(planeval_db(&db, &["check"]).status.code(), Some(1));
    ok(planeval_db(&db, &["restore", s(&backup), "--force"]));
    ok(planeval_db(&db, &["check"]));
    assert_eq!(application_id(&db), APPLICATION_ID);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("replaced") || name.contains("restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---------------------------------------------------- 10. read-only access

/// Runs planeval as a user who may not write the test's files: `nobody`
/// through setpriv when the tests run as root (root ignores file modes),
/// otherwise this user, whose write permission the test has removed. `None`
/// when running as root without setpriv: then nothing can test it.
fn as_reader(db: &Path, args: &[&str]) -> Option<Output> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let mut command = if root {
        let mut command = clean_command("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        command.arg(BIN);
        command
    } else {
        common::command()
    };
    command.arg("--db").arg(db).args(args);
    match command.output() {
        Ok(output) if root && output.status.code() == Some(127) => None,
        Ok(output) => Some(output),
        Err(_) => None,
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A demo database in a folder the reader may enter and read but not write,
/// and an output folder anyone may write. The guard makes the folder
/// writable again so the temporary directory can be removed.
struct SharedFolder {
    dir: tempfile::TempDir,
    db: PathBuf,
    out: PathBuf,
}

impl SharedFolder {
    fn new(rollback_journal: bool) -> SharedFolder {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        let db = demo_into(&shared);
        if rollback_journal {
            to_rollback_journal(&db);
        }
        assert!(companions(&db).is_empty());
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        set_mode(dir.path(), 0o755);
        set_mode(&out, 0o777);
        set_mode(&db, 0o444);
        set_mode(&shared, 0o555);
        SharedFolder { dir, db, out }
    }

    fn report_args(&self) -> Vec<String> {
        let lock = self.out.join("report.lock");
        [
            "report",
            "annual",
            "--year",
            "2024",
            "--format",
            "html",
            "--out",
            s(&self.out),
            "--lock",
            s(&lock),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

impl Drop for SharedFolder {
    fn drop(&mut self) {
        set_mode(&self.dir.path().join("shared"), 0o755);
    }
}

fn reader_ok(db: &Path, args: &[&str]) -> Option<String> {
    let out = as_reader(db, args)?;
    assert!(
        out.status.success(),
        "{args:?} as a reader ({:?}): {}",
        out.status.code(),
        stderr(&out)
    );
    Some(stderr(&out))
}

#[test]
fn a_reader_without_write_access_plans_evaluates_and_reports() {
    // Before: "setting pragmas: attempt to write a readonly database".
    for rollback_journal in [false, true] {
        let shared = SharedFolder::new(rollback_journal);
        let db = &shared.db;
        let before = fingerprint(db);
        let Some(_) = reader_ok(db, &["plan"]) else {
            eprintln!("skipped: running as root without setpriv, nobody can be denied a write");
            return;
        };
        reader_ok(db, &["evaluate", "--year", "2024"]);
        let args = shared.report_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let reported = reader_ok(db, &args).unwrap();
        assert!(
            reported.contains("was not recorded") && reported.contains("the files are written"),
            "{reported}"
        );
        assert!(shared.out.join("annual-2024.html").exists());
        // WAL without -shm in a read-only folder is read as immutable, and says so.
        assert_eq!(
            reported.contains("without locks"),
            !rollback_journal,
            "{reported}"
        );
        let import = as_reader(db, &["import", s(&sci_values()), "--department", "sci"]).unwrap();
        assert_eq!(import.status.code(), Some(1), "{}", stderr(&import));
        assert!(stderr(&import).contains("write"), "{}", stderr(&import));
        assert_eq!(fingerprint(db), before);
        assert!(companions(db).is_empty(), "{:?}", companions(db));
    }
}

/// Without --lock the run lock goes beside the database, which a reader may
/// not create in a read-only folder: the message says what to do instead.
#[test]
fn a_reader_without_a_lock_file_is_told_how_to_report() {
    let shared = SharedFolder::new(true);
    let out = s(&shared.out);
    let args = [
        "report", "annual", "--year", "2024", "--format", "html", "--out", out,
    ];
    let Some(refused) = as_reader(&shared.db, &args) else {
        eprintln!("skipped: running as root without setpriv");
        return;
    };
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains("demo.db.report.lock") && message.contains("pass --lock"),
        "{message}"
    );
    assert!(!shared.out.join("annual-2024.html").exists());
}

#[test]
fn a_reader_shares_the_wal_of_a_writer_and_is_told_when_it_cannot() {
    let shared = SharedFolder::new(false);
    let db = &shared.db;
    // While someone who may write has the file open, -wal and -shm exist and
    // the reader reads through them, with locks.
    let folder = db.parent().unwrap();
    set_mode(folder, 0o755);
    set_mode(db, 0o644);
    let writer = Connection::open(db).unwrap();
    writer
        .query_row("SELECT count(*) FROM plan", [], |r| r.get::<_, i64>(0))
        .unwrap();
    set_mode(db, 0o444);
    set_mode(folder, 0o555);
    let Some(read) = reader_ok(db, &["plan"]) else {
        eprintln!("skipped: running as root without setpriv");
        return;
    };
    assert!(!read.contains("without locks"), "{read}");
    drop(writer);
    // A -wal holding commits without its -shm: SQLite cannot read those commits
    // without creating the -shm, so planeval refuses rather than read old data.
    assert!(companions(db).is_empty(), "{:?}", companions(db));
    set_mode(folder, 0o755);
    let wal = suffixed(db, "-wal");
    std::fs::write(&wal, vec![1u8; 4096]).unwrap();
    set_mode(&wal, 0o444);
    set_mode(folder, 0o555);
    let out = as_reader(db, &["plan"]).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("-shm"), "{}", stderr(&out));
    set_mode(folder, 0o755);
    std::fs::remove_file(&wal).unwrap();
}

#[test]
fn read_commands_never_change_the_file() {
    // Before: `plan` switched a rollback-journal file to WAL (bytes 18-19).
    let (dir, db) = demo_dir();
    to_rollback_journal(&db);
    let before = fingerprint(&db);
    let form = dir.path().join("form.csv");
    let backup = dir.path().join("b.db");
    let export = dir.path().join("values.csv");
    let commands: [&[&str]; 7] = [
        &["plan"],
        &["evaluate", "--year", "2024"],
        &["check"],
        &["history", "gdp"],
        &[
            "export",
            "--year",
            "2024",
            "--format",
            "csv",
            "--out",
            s(&export),
        ],
        &[
            "form",
            "--department",
            "sci",
            "--year",
            "2024",
            "--out",
            s(&form),
        ],
        &["backup", s(&backup)],
    ];
    for args in commands {
        ok(planeval_db(&db, args));
        assert_eq!(fingerprint(&db), before, "{args:?} changed the file");
        assert!(
            companions(&db).is_empty(),
            "{args:?}: {:?}",
            companions(&db)
        );
    }
    let missing = planeval_db(&db, &["missing", "--year", "2025"]);
    assert!(
        matches!(missing.status.code(), Some(0 | 4)),
        "{}",
        stderr(&missing)
    );
    assert_eq!(fingerprint(&db), before);
    assert_eq!(journal_bytes(&db), [1, 1]);
}

// ------------------------------------------------------ 11. damaged files

/// Makes `indicator_department` index another column than the one its entries
/// hold: SQLite's integrity check then lists every row as missing from it,
/// while reading and writing go on without an error.
fn scramble_index(db: &Path) {
    Connection::open(db)
        .unwrap()
        .execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = 'CREATE INDEX indicator_department ON indicator(unit)'
             WHERE name = 'indicator_department';",
        )
        .unwrap();
}

#[test]
fn a_write_into_a_damaged_file_is_refused_and_writes_nothing() {
    // Before: the import wrote its values and exited 0.
    type Damage = (&'static str, fn(&Path));
    let damages: [Damage; 3] = [
        // A table the import never reads: only a check of the whole file finds it.
        ("a damaged page", |db| damage_table(db, "commentary")),
        ("an index out of step", scramble_index),
        ("a page appended", |db| {
            let mut bytes = std::fs::read(db).unwrap();
            bytes.extend_from_slice(&[0u8; 4096]);
            std::fs::write(db, bytes).unwrap();
        }),
    ];
    for (damage, apply) in damages {
        let (_dir, db) = init_dir();
        apply(&db);
        let before = fingerprint(&db);
        let out = planeval_db(&db, &["import", s(&sci_values()), "--department", "sci"]);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{damage}: {message}");
        assert!(
            message.contains(&format!("database {} is damaged", db.display())),
            "{damage}: {message}"
        );
        assert!(message.contains("restore it from a backup"), "{message}");
        assert_eq!(fingerprint(&db), before, "{damage}");
        if damage != "a page appended" {
            let check = planeval_db(&db, &["check"]);
            assert_eq!(check.status.code(), Some(1), "{damage}");
            assert!(
                stdout(&check).contains("integrity_check"),
                "{damage}: {}",
                stdout(&check)
            );
        }
    }
}

#[test]
fn a_file_cut_short_is_refused_as_damaged() {
    let (_dir, db) = init_dir();
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() - 4096]).unwrap();
    let before = fingerprint(&db);
    let out = planeval_db(&db, &["import", s(&sci_values()), "--department", "sci"]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        message.contains(&format!("database {} is damaged", db.display())),
        "{message}"
    );
    assert_eq!(fingerprint(&db), before);
}

#[test]
fn damage_met_while_reading_names_the_file_and_says_to_restore() {
    // Before: "database disk image is malformed", with no word of what to do.
    let (_dir, db) = demo_dir();
    damage_table(&db, "indicator");
    let out = planeval_db(&db, &["evaluate", "--year", "2024"]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(
        message.contains(&format!("database {} is damaged", db.display())),
        "{message}"
    );
    assert!(message.contains("restore"), "{message}");
}

// ------------------------------------------ 12. refused writes change nothing

#[test]
fn a_refused_import_leaves_a_rollback_journal_file_exactly_as_it_was() {
    // Before: the refused import had switched the file to WAL.
    let (_dir, db) = init_dir();
    to_rollback_journal(&db);
    let before = fingerprint(&db);
    let broken = root().join("tests/data/import/broken/not-a-number.csv");
    let out = planeval_db(&db, &["import", s(&broken), "--department", "sci"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert_eq!(fingerprint(&db), before);
    assert_eq!(journal_bytes(&db), [1, 1]);
    assert!(companions(&db).is_empty(), "{:?}", companions(&db));
    // A write keeps the journal the office chose.
    ok(planeval_db(
        &db,
        &["import", s(&sci_values()), "--department", "sci"],
    ));
    assert_eq!(journal_bytes(&db), [1, 1]);
}

// ------------------------------------------------- 20. restore exit codes

#[test]
fn a_damaged_backup_is_an_error_not_a_usage_mistake() {
    // Before: exit 2, which docs/cron.md keeps for "fix the crontab".
    let (dir, db) = demo_dir();
    let backup = dir.path().join("backup.db");
    ok(planeval_db(&db, &["backup", s(&backup)]));
    // Found by SQLite's integrity check, which lists the rows the index misses.
    scramble_index(&backup);
    let before = std::fs::read(&db).unwrap();
    let out = planeval_db(&db, &["restore", s(&backup), "--force"]);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(message.contains(s(&backup)), "{message}");
    assert!(
        message.contains("integrity check finds it damaged"),
        "{message}"
    );
    assert!(message.contains("missing from index"), "{message}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}
