//! The tamper-evident audit trail (schema 5, sql/005_audit_chain.sql).
//!
//! Every planeval write ends with [`append`]: one `audit_log` row and, in the
//! same transaction, one link of a SHA-256 chain in `audit_chain`. A link
//! covers every row the write left: each observation version it wrote (hashed
//! while writing, so the million-row import reads nothing back), the catalog,
//! verdict, commentary or edition rows it wrote (read back: a handful), the
//! rows a catalog load removed, and the link's own `audit_log` row. Its
//! manifest lists them by key with what is needed to name a changed row and
//! column; its content digest is a SHA-256 over the manifest and the full
//! SHA-256 of every version; its hash covers the previous link's hash, its
//! fields and the content digest. [`verify`] recomputes all of it.
//!
//! Observation versions never change once written: the current row and the
//! versions `observation_version` keeps both carry their batch, so every
//! version a link wrote can be found and checked. The other tables are updated
//! in place; for them the latest link that recorded a row says what it holds.
//! A column added to one of these tables later is not covered until it is
//! added to [`Table::columns`], which changes the digests of rows recorded
//! before: such a change needs a new manifest format, not just a longer list.

pub mod verify;

use super::catalog::hex;
use super::db::{current_user, now_utc};
use super::observations::{version_values, NewObservation, Recording, VERSION_COLUMNS};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use rustc_hash::FxHasher;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};
use std::hash::Hasher;

/// The environment variable that names who is acting, when that is not the
/// account planeval runs as (a shared service account, `sudo`). It is kept
/// beside the account as `claimed_by`, never instead of it.
pub const CLAIMED_USER: &str = "PLANEVAL_USER";

/// The `previous` of the first link.
const NO_PREVIOUS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The action of the first link's audit_log row.
pub const CHAIN_START: &str = "audit_chain_start";

/// The tables the chain covers. The number is the table's tag in a manifest,
/// where entries are sorted by it: observation versions come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// A version of an observation: the current row, or one `observation_version` keeps.
    Observation = 0,
    Plan = 1,
    Chapter = 2,
    Section = 3,
    Department = 4,
    Indicator = 5,
    OfficeVerdict = 6,
    Commentary = 7,
    ReportEdition = 8,
    AuditLog = 9,
}

/// The tables whose rows are updated in place, each row recorded by the
/// latest link that wrote it.
const STATE_TABLES: [Table; 9] = [
    Table::Plan,
    Table::Chapter,
    Table::Section,
    Table::Department,
    Table::Indicator,
    Table::OfficeVerdict,
    Table::Commentary,
    Table::ReportEdition,
    Table::AuditLog,
];

/// The columns of an observation version that existed before the chain
/// started: it had already ended then, and its ending is hashed with it.
const ENDING_COLUMNS: [&str; 2] = ["ended_by", "ended_at"];

impl Table {
    fn from_tag(tag: u8) -> Option<Table> {
        std::iter::once(Table::Observation)
            .chain(STATE_TABLES)
            .find(|table| *table as u8 == tag)
    }

    /// The SQL table name (`observation` for both places a version lives).
    pub fn name(self) -> &'static str {
        match self {
            Table::Observation => "observation",
            Table::Plan => "plan",
            Table::Chapter => "chapter",
            Table::Section => "section",
            Table::Department => "department",
            Table::Indicator => "indicator",
            Table::OfficeVerdict => "office_verdict",
            Table::Commentary => "commentary",
            Table::ReportEdition => "report_edition",
            Table::AuditLog => "audit_log",
        }
    }

    /// The columns that name a row. Verdicts are named by indicator and year,
    /// which is what an upsert keeps; departments by their code, because a
    /// VACUUM may renumber a table without an INTEGER PRIMARY KEY.
    fn key_columns(self) -> &'static str {
        match self {
            Table::Observation | Table::OfficeVerdict => "indicator_id, year",
            Table::Department => "code",
            _ => "id",
        }
    }

    /// The columns a row's digest covers, in order.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Observation => &VERSION_COLUMNS,
            Table::Plan => &[
                "id",
                "code",
                "title",
                "short_title",
                "region",
                "period_start",
                "period_end",
                "base_year",
                "midterm_year",
                "adopted",
                "issuer",
                "office",
                "source_document",
                "source_text",
                "catalog_hash",
                "loaded_at",
            ],
            Table::Chapter => &["id", "plan_id", "number", "title"],
            Table::Section => &["id", "chapter_id", "number", "title"],
            Table::Department => &["code", "name", "short_name"],
            Table::Indicator => &[
                "id",
                "plan_id",
                "code",
                "ord",
                "name",
                "unit",
                "chapter_id",
                "section_id",
                "nature",
                "nature_by",
                "kind",
                "better",
                "baseline_year",
                "baseline_value",
                "baseline_quote",
                "target_year",
                "target_value",
                "path",
                "department_code",
                "department_by",
                "source_quote",
                "note",
            ],
            Table::OfficeVerdict => &[
                "indicator_id",
                "year",
                "status",
                "reason",
                "recorded_by",
                "recorded_at",
            ],
            Table::Commentary => &[
                "id",
                "plan_id",
                "report",
                "year",
                "chapter",
                "body",
                "updated_by",
                "updated_at",
            ],
            Table::ReportEdition => &[
                "id",
                "plan_id",
                "report",
                "year",
                "edition",
                "published_at",
                "data_hash",
                "snapshot",
            ],
            Table::AuditLog => &[
                "id",
                "at",
                "actor",
                "claimed_by",
                "action",
                "subject",
                "detail",
            ],
        }
    }

    /// `SELECT key columns, digest columns FROM table` and `tail`.
    fn select(self, tail: &str) -> String {
        self.select_from(self.name(), &[], tail)
    }

    /// Like [`Table::select`] from another table with the same columns, with
    /// `extra` columns hashed after the table's own.
    fn select_from(self, from: &str, extra: &[&str], tail: &str) -> String {
        let columns = self.columns().iter().chain(extra).copied();
        format!(
            "SELECT {}, {} FROM {from} {tail}",
            self.key_columns(),
            columns.collect::<Vec<_>>().join(", ")
        )
    }

    /// How many leading columns of [`Table::select`] are the key.
    fn key_width(self) -> usize {
        self.key_columns().split(',').count()
    }

    /// The WHERE clause that finds the row of one key (parameters ?1, ?2).
    fn key_condition(self) -> &'static str {
        match self {
            Table::Observation | Table::OfficeVerdict => "WHERE indicator_id = ?1 AND year = ?2",
            Table::Department => "WHERE code = ?1",
            _ => "WHERE id = ?1",
        }
    }
}

/// What names a row within its table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// Indicator id and year: observations and verdicts.
    Pair(i64, i64),
    /// The row id.
    Id(i64),
    /// A text key: departments.
    Code(String),
}

impl Key {
    /// The key of `row`, whose first columns are `table`'s key columns.
    fn read(table: Table, row: &Row<'_>) -> rusqlite::Result<Key> {
        Ok(match table {
            Table::Observation | Table::OfficeVerdict => Key::Pair(row.get(0)?, row.get(1)?),
            Table::Department => Key::Code(row.get(0)?),
            _ => Key::Id(row.get(0)?),
        })
    }
}

/// The most columns a table's digest covers (the indicator's).
const MAX_COLUMNS: usize = 22;

/// How many columns of an observation version have a hint byte.
const VERSION_HINTS: usize = VERSION_COLUMNS.len();

/// SHA-256 over one row of `table`, its columns in the table's order, each
/// with its type; the first `hints.len()` columns also get a byte each from a
/// cheap hash, which says which columns differ when the digests do (a hint:
/// one changed column in 256 keeps its byte).
fn hash_row<'a>(
    table: Table,
    values: impl IntoIterator<Item = ValueRef<'a>>,
    hints: &mut [u8],
) -> [u8; 32] {
    let mut row = RowHasher::new(&[table as u8]);
    for (index, value) in values.into_iter().enumerate() {
        let hint = row.push(value);
        if let Some(slot) = hints.get_mut(index) {
            *slot = hint;
        }
    }
    row.finish()
}

/// The fingerprint of a row of a table updated in place: the first 128 bits of
/// its SHA-256 and a hint byte per column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowDigest {
    digest: [u8; 16],
    hints: [u8; MAX_COLUMNS],
}

impl RowDigest {
    /// The digest of one row of `table`.
    pub fn of<'a>(table: Table, values: impl IntoIterator<Item = ValueRef<'a>>) -> RowDigest {
        let mut hints = [0; MAX_COLUMNS];
        let full = hash_row(table, values, &mut hints);
        let mut digest = [0; 16];
        digest.copy_from_slice(&full[..16]);
        RowDigest { digest, hints }
    }

    /// Indexes of the columns whose hint bytes differ.
    fn differing(&self, other: &RowDigest) -> Vec<usize> {
        differing(&self.hints, &other.hints)
    }
}

fn differing(a: &[u8], b: &[u8]) -> Vec<usize> {
    (0..a.len().min(b.len()))
        .filter(|&i| a[i] != b[i])
        .collect()
}

/// A SHA-256 over column values, each as its type's tag, then an integer as a
/// zigzag varint, a REAL as its 8 bytes, a text or blob as its length (a
/// varint) and bytes: a typical import row fits in two SHA-256 blocks. A REAL
/// zero is hashed as +0.0: SQLite stores an integral REAL as an integer and
/// gives -0.0 back as 0.0. Small values are gathered on the stack and hashed
/// together: an import hashes 13 million of them.
struct RowHasher {
    sha: Sha256,
    buffer: [u8; 128],
    used: usize,
}

impl RowHasher {
    fn new(prefix: &[u8]) -> Self {
        let mut sha = Sha256::new();
        sha.update(prefix);
        RowHasher {
            sha,
            buffer: [0; 128],
            used: 0,
        }
    }

    fn flush(&mut self) {
        self.sha.update(&self.buffer[..self.used]);
        self.used = 0;
    }

    /// Hashes one value; returns its hint byte.
    fn push(&mut self, value: ValueRef<'_>) -> u8 {
        let mut head = [0u8; 11];
        let mut body: &[u8] = &[];
        let head_len = match value {
            ValueRef::Null => 1,
            ValueRef::Integer(i) => {
                head[0] = 1;
                1 + write_varint(&mut head[1..], zigzag(i))
            }
            ValueRef::Real(f) => {
                let bits = if f == 0.0 { 0 } else { f.to_bits() };
                head[0] = 2;
                head[1..9].copy_from_slice(&bits.to_le_bytes());
                9
            }
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                head[0] = if matches!(value, ValueRef::Text(_)) {
                    3
                } else {
                    4
                };
                body = bytes;
                1 + write_varint(&mut head[1..], bytes.len() as u64)
            }
        };
        let head = &head[..head_len];
        for part in [head, body] {
            if self.used + part.len() > self.buffer.len() {
                self.flush();
            }
            if part.len() > self.buffer.len() {
                self.sha.update(part);
            } else {
                self.buffer[self.used..self.used + part.len()].copy_from_slice(part);
                self.used += part.len();
            }
        }
        let mut fx = FxHasher::default();
        fx.write(head);
        fx.write(body);
        // FxHash leaves a change in a value's high bits out of most of its
        // output's bits; splitmix64's finaliser spreads it over all of them.
        let mut z = fx.finish();
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 56) as u8
    }

    fn finish(mut self) -> [u8; 32] {
        self.flush();
        self.sha.finalize().into()
    }
}

/// One observation version a link wrote: its key, its full SHA-256 (which
/// goes into the link's content digest) and a hint byte per column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionEntry {
    pub indicator_id: i64,
    pub year: i64,
    digest: [u8; 32],
    hints: [u8; VERSION_HINTS],
}

/// How many digest bytes of a version the manifest keeps, to tell which
/// version changed; the full digests are in the content digest.
const LOCATOR: usize = 4;

impl VersionEntry {
    /// The entry of the version whose columns ([`VERSION_COLUMNS`], and for a
    /// version that had ended before the chain started its ending) are `values`.
    pub fn of<'a>(
        indicator_id: i64,
        year: i64,
        values: impl IntoIterator<Item = ValueRef<'a>>,
    ) -> VersionEntry {
        let mut hints = [0; VERSION_HINTS];
        let digest = hash_row(Table::Observation, values, &mut hints);
        VersionEntry {
            indicator_id,
            year,
            digest,
            hints,
        }
    }

    /// The entry of a version read with [`Table::select`], `extra` ending
    /// columns after its own.
    fn read(row: &Row<'_>, extra: usize) -> rusqlite::Result<VersionEntry> {
        let Key::Pair(indicator_id, year) = Key::read(Table::Observation, row)? else {
            unreachable!("observations are keyed by indicator and year");
        };
        let first = Table::Observation.key_width();
        let values = (first..first + VERSION_COLUMNS.len() + extra)
            .map(|i| row.get_ref(i))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(VersionEntry::of(indicator_id, year, values))
    }

    /// Indexes of the columns whose hint bytes differ from `other`'s.
    fn differing(&self, other: &VersionEntry) -> Vec<usize> {
        differing(&self.hints, &other.hints)
    }

    fn locator(&self) -> [u8; LOCATOR] {
        let mut locator = [0; LOCATOR];
        locator.copy_from_slice(&self.digest[..LOCATOR]);
        locator
    }
}

/// The entry of an observation as `write_observations` writes it.
pub fn observation_entry(recording: &Recording<'_>, o: &NewObservation<'_>) -> VersionEntry {
    VersionEntry::of(
        o.indicator_id,
        i64::from(o.year),
        version_values(recording, o),
    )
}

/// One row of a table updated in place that a link records: its digest, or
/// `None` for a row the write removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub table: Table,
    pub key: Key,
    pub row: Option<RowDigest>,
}

impl Entry {
    /// The entry of a row read with [`Table::select`].
    fn read(table: Table, row: &Row<'_>) -> rusqlite::Result<Entry> {
        let (key, digest) = read_row(table, row)?;
        Ok(Entry {
            table,
            key,
            row: Some(digest),
        })
    }
}

/// The key and digest of a row read with [`Table::select`].
fn read_row(table: Table, row: &Row<'_>) -> rusqlite::Result<(Key, RowDigest)> {
    let first = table.key_width();
    let values = (first..first + table.columns().len())
        .map(|i| row.get_ref(i))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((Key::read(table, row)?, RowDigest::of(table, values)))
}

/// What one write adds to the chain: its batch, if it wrote observations, the
/// versions it wrote and the other rows it left.
#[derive(Default)]
pub struct Link {
    batch: Option<String>,
    versions: Vec<VersionEntry>,
    /// The versions' manifest section, once [`Link::prepare`] encoded them.
    prepared: Option<VersionSection>,
    rows: Vec<Entry>,
}

/// The versions of a link, sorted and encoded.
struct VersionSection {
    count: usize,
    bytes: Vec<u8>,
    digests: VersionDigests,
}

/// The chapter, section, indicator and verdict rows of a plan, by key: what a
/// catalog load may remove.
pub type CatalogScope = BTreeSet<(Table, Key)>;

impl Link {
    /// A link for a write that records no observations.
    pub fn new() -> Link {
        Link::default()
    }

    /// A link for a write whose observation versions carry `batch`.
    pub fn for_batch(batch: &str) -> Link {
        Link {
            batch: Some(batch.to_string()),
            ..Link::default()
        }
    }

    /// Makes room for `versions` more versions.
    pub fn reserve(&mut self, versions: usize) {
        self.versions.reserve(versions);
    }

    /// Records an observation written as `write_observations` writes it.
    pub fn record_observation(&mut self, recording: &Recording<'_>, o: &NewObservation<'_>) {
        debug_assert!(self.prepared.is_none(), "versions recorded after prepare");
        self.versions.push(observation_entry(recording, o));
    }

    /// Sorts and encodes the versions recorded so far, and frees them. An
    /// import does it on its checking thread, which finishes well before the
    /// writing one, so the end of the write does not wait for it. No version
    /// may be recorded after.
    pub fn prepare(&mut self) {
        if self.prepared.is_some() {
            return;
        }
        let mut versions = std::mem::take(&mut self.versions);
        // Stable: the versions of one key a write made keep the order it made them.
        versions.sort_by_key(|v| (v.indicator_id, v.year));
        let mut digests = VersionDigests::default();
        for version in &versions {
            digests.add(version);
        }
        self.prepared = Some(VersionSection {
            count: versions.len(),
            bytes: encode_versions(&versions),
            digests,
        });
    }

    /// Records the row of `key` as it is now, read back; a row that is not
    /// there is recorded as removed.
    pub fn record_row(
        &mut self,
        conn: &Connection,
        table: Table,
        key: Key,
    ) -> rusqlite::Result<()> {
        let sql = table.select(table.key_condition());
        let mut stmt = conn.prepare_cached(&sql)?;
        let found = match &key {
            Key::Pair(a, b) => stmt.query_row(params![a, b], |r| Entry::read(table, r)),
            Key::Id(id) => stmt.query_row([id], |r| Entry::read(table, r)),
            Key::Code(code) => stmt.query_row([code], |r| Entry::read(table, r)),
        }
        .optional()?;
        self.rows.push(found.unwrap_or(Entry {
            table,
            key,
            row: None,
        }));
        Ok(())
    }

    /// Records the current version of an observation as it is now, after an
    /// UPDATE that computed it in SQL (the demo's revisions); nothing when there
    /// is no such row.
    pub fn record_current_observation(
        &mut self,
        conn: &Connection,
        indicator_id: i64,
        year: i32,
    ) -> rusqlite::Result<()> {
        let table = Table::Observation;
        let mut stmt = conn.prepare_cached(&table.select(table.key_condition()))?;
        if let Some(entry) = stmt
            .query_row(params![indicator_id, year], |r| VersionEntry::read(r, 0))
            .optional()?
        {
            debug_assert!(self.prepared.is_none(), "versions recorded after prepare");
            self.versions.push(entry);
        }
        Ok(())
    }

    /// Records a plan's catalog as a load left it: the plan, its chapters,
    /// sections and indicators, the departments it names, and as removed every
    /// row of `before` (its scope before the load) that is gone.
    pub fn record_catalog<'a>(
        &mut self,
        conn: &Connection,
        plan_id: i64,
        departments: impl IntoIterator<Item = &'a str>,
        before: &CatalogScope,
    ) -> rusqlite::Result<()> {
        let written = [
            (Table::Plan, "WHERE id = ?1"),
            (Table::Chapter, "WHERE plan_id = ?1"),
            (Table::Section, SECTIONS_OF_PLAN),
            (Table::Indicator, "WHERE plan_id = ?1"),
        ];
        for (table, condition) in written {
            let mut stmt = conn.prepare(&table.select(condition))?;
            let rows = stmt.query_map([plan_id], |r| Entry::read(table, r))?;
            for entry in rows {
                self.rows.push(entry?);
            }
        }
        for code in departments {
            self.record_row(conn, Table::Department, Key::Code(code.to_string()))?;
        }
        let after = catalog_scope(conn, plan_id)?;
        self.rows
            .extend(before.difference(&after).map(|(table, key)| Entry {
                table: *table,
                key: key.clone(),
                row: None,
            }));
        Ok(())
    }
}

/// The sections of plan ?1.
const SECTIONS_OF_PLAN: &str = "WHERE chapter_id IN (SELECT id FROM chapter WHERE plan_id = ?1)";

/// The keys of a plan's chapters, sections, indicators and the verdicts on its
/// indicators (which go with a removed indicator).
pub fn catalog_scope(conn: &Connection, plan_id: i64) -> rusqlite::Result<CatalogScope> {
    let mut scope = CatalogScope::new();
    let scopes = [
        (Table::Chapter, "WHERE plan_id = ?1"),
        (Table::Section, SECTIONS_OF_PLAN),
        (Table::Indicator, "WHERE plan_id = ?1"),
        (
            Table::OfficeVerdict,
            "WHERE indicator_id IN (SELECT id FROM indicator WHERE plan_id = ?1)",
        ),
    ];
    for (table, condition) in scopes {
        let sql = format!(
            "SELECT {} FROM {} {condition}",
            table.key_columns(),
            table.name()
        );
        let mut stmt = conn.prepare(&sql)?;
        let keys = stmt.query_map([plan_id], |r| Key::read(table, r))?;
        for key in keys {
            scope.insert((table, key?));
        }
    }
    Ok(scope)
}

/// The name the user gave, when it differs from `account`: [`CLAIMED_USER`],
/// else `$USER` or `$LOGNAME` (which anyone can set, so they are claims too).
pub fn claimed_user(account: &str) -> Option<String> {
    [CLAIMED_USER, "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .filter(|claimed| claimed != account)
}

/// The newest link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Its audit_log row.
    pub audit_id: i64,
    /// Its hash, hex.
    pub hash: String,
    /// How many links the chain has.
    pub links: i64,
}

/// The newest link of the chain, or `None` before the first write of schema 5.
pub fn head(conn: &Connection) -> rusqlite::Result<Option<Head>> {
    conn.query_row(
        "SELECT audit_id, hash, (SELECT count(*) FROM audit_chain) FROM audit_chain
         ORDER BY audit_id DESC LIMIT 1",
        [],
        |r| {
            Ok(Head {
                audit_id: r.get(0)?,
                hash: r.get(1)?,
                links: r.get(2)?,
            })
        },
    )
    .optional()
}

/// A batch name for a write that is not an import (the demo's): `prefix-N`,
/// N the number of links so far, which no earlier link can have used.
pub fn numbered_batch(conn: &Connection, prefix: &str) -> rusqlite::Result<String> {
    let links: i64 = conn.query_row("SELECT count(*) FROM audit_chain", [], |r| r.get(0))?;
    Ok(format!("{prefix}-{links}"))
}

/// Ends a write: its audit_log row (`action` on `subject`, with `detail`) and
/// its link. The first write after the migration starts the chain first.
pub fn append(
    tx: &Transaction<'_>,
    mut link: Link,
    action: &str,
    subject: &str,
    detail: &str,
) -> rusqlite::Result<()> {
    let previous = match head(tx)? {
        Some(head) => head.hash,
        None => start_chain(tx, &link)?,
    };
    let audit_id = insert_audit_row(tx, action, subject, detail)?;
    link.record_row(tx, Table::AuditLog, Key::Id(audit_id))?;
    seal(tx, audit_id, link, &previous).map(drop)
}

fn insert_audit_row(
    tx: &Transaction<'_>,
    action: &str,
    subject: &str,
    detail: &str,
) -> rusqlite::Result<i64> {
    let actor = current_user();
    tx.execute(
        "INSERT INTO audit_log (at, actor, claimed_by, action, subject, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            now_utc(),
            actor,
            claimed_user(&actor),
            action,
            subject,
            detail
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Writes the first link and returns its hash. It covers everything the file
/// holds except what `own`, the link of the write now ending, records: the
/// versions of its batch and the rows it wrote. Nothing verified that state
/// before, and the link says so.
fn start_chain(tx: &Transaction<'_>, own: &Link) -> rusqlite::Result<String> {
    let mut link = Link::new();
    let not_own = "WHERE ?1 IS NULL OR import_batch IS NOT ?1";
    // Versions before rows, each in id order, so that the entries of one key
    // sort (stably) in the order `verify` meets them.
    let ordered = format!("{not_own} ORDER BY id");
    let versions = Table::Observation.select_from("observation_version", &ENDING_COLUMNS, &ordered);
    let current = Table::Observation.select(&ordered);
    for (sql, extra) in [(versions, ENDING_COLUMNS.len()), (current, 0)] {
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map([own.batch.as_deref()], |r| VersionEntry::read(r, extra))?;
        for entry in rows {
            link.versions.push(entry?);
        }
    }
    let recorded: HashSet<(Table, &Key)> = own.rows.iter().map(|e| (e.table, &e.key)).collect();
    for table in STATE_TABLES {
        let mut stmt = tx.prepare(&table.select(""))?;
        let rows = stmt.query_map([], |r| Entry::read(table, r))?;
        for entry in rows {
            let entry = entry?;
            if !recorded.contains(&(entry.table, &entry.key)) {
                link.rows.push(entry);
            }
        }
    }
    let detail = serde_json::json!({
        "observation_versions": link.versions.len(),
        "other_rows": link.rows.len(),
    });
    let audit_id = insert_audit_row(
        tx,
        CHAIN_START,
        "state when the chain started, not verified before",
        &detail.to_string(),
    )?;
    link.record_row(tx, Table::AuditLog, Key::Id(audit_id))?;
    seal(tx, audit_id, link, NO_PREVIOUS)
}

/// Writes the link of `audit_id` after `previous`; returns its hash.
fn seal(
    tx: &Transaction<'_>,
    audit_id: i64,
    link: Link,
    previous: &str,
) -> rusqlite::Result<String> {
    let versions_through: i64 = tx.query_row(
        "SELECT ifnull(max(id), 0) FROM observation_version",
        [],
        |r| r.get(0),
    )?;
    let mut link = link;
    link.prepare();
    let Link {
        batch,
        prepared,
        mut rows,
        ..
    } = link;
    let VersionSection {
        count,
        bytes: mut manifest,
        digests,
    } = prepared.expect("prepared above");
    rows.sort_by(|a, b| (a.table, &a.key).cmp(&(b.table, &b.key)));
    encode_rows(&mut manifest, &rows);
    let content = content_digest(&manifest, digests);
    let fields = LinkFields {
        previous,
        audit_id,
        batch: batch.as_deref(),
        versions_through,
        entries: (count + rows.len()) as i64,
        content: &content,
    };
    let hash = fields.hash();
    tx.execute(
        "INSERT INTO audit_chain (audit_id, batch, versions_through, entries, manifest, content,
             previous, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            audit_id,
            fields.batch,
            versions_through,
            fields.entries,
            manifest,
            content,
            previous,
            hash
        ],
    )?;
    Ok(hash)
}

/// A running SHA-256 over the full digests of a link's versions, in key order.
#[derive(Default)]
struct VersionDigests(Sha256);

impl VersionDigests {
    fn add(&mut self, version: &VersionEntry) {
        self.0.update(version.digest);
    }
}

/// A link's content digest: SHA-256 over its manifest and the SHA-256 of its
/// versions' full digests, hex.
fn content_digest(manifest: &[u8], versions: VersionDigests) -> String {
    let mut sha = Sha256::new();
    sha.update(Sha256::digest(manifest));
    sha.update(versions.0.finalize());
    hex(&sha.finalize())
}

/// What a link's hash covers.
struct LinkFields<'a> {
    previous: &'a str,
    audit_id: i64,
    batch: Option<&'a str>,
    versions_through: i64,
    entries: i64,
    content: &'a str,
}

impl LinkFields<'_> {
    /// SHA-256 over the fields, each with its type, after a label that keeps
    /// these hashes apart from any other planeval hashes.
    fn hash(&self) -> String {
        let mut fields = RowHasher::new(b"planeval audit chain 1\0");
        let values = [
            ValueRef::Text(self.previous.as_bytes()),
            ValueRef::Integer(self.audit_id),
            self.batch
                .map_or(ValueRef::Null, |b| ValueRef::Text(b.as_bytes())),
            ValueRef::Integer(self.versions_through),
            ValueRef::Integer(self.entries),
            ValueRef::Text(self.content.as_bytes()),
        ];
        for value in values {
            fields.push(value);
        }
        hex(&fields.finish())
    }
}

/// Writes `value` as an unsigned LEB128 number into `out` (room for 10
/// bytes); returns how many bytes it took.
fn write_varint(out: &mut [u8], mut value: u64) -> usize {
    let mut used = 0;
    while value >= 0x80 {
        out[used] = (value as u8) | 0x80;
        value >>= 7;
        used += 1;
    }
    out[used] = value as u8;
    used + 1
}

/// A signed number as an unsigned one, so that small negatives stay short.
fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// Appends `value` as an unsigned LEB128 number.
fn put_varint(out: &mut Vec<u8>, value: u64) {
    let mut bytes = [0; 10];
    let used = write_varint(&mut bytes, value);
    out.extend_from_slice(&bytes[..used]);
}

/// Appends a signed number, zigzag-encoded.
fn put_signed(out: &mut Vec<u8>, value: i64) {
    put_varint(out, zigzag(value));
}

/// Years are stored from this one, so that each takes a byte.
const YEAR_BASE: i64 = 2000;

/// The first section of a manifest, the versions'. A manifest is a run of
/// sections, one per table in tag order: the tag, the
/// number of entries, then the entries in key order. Numeric keys are stored
/// as the difference from the entry before (zigzag varints), years from 2000,
/// texts as length and bytes. A version entry holds its key, the first
/// [`LOCATOR`] bytes of its digest and a hint byte per column: 19 bytes for a
/// typical import row. Any other entry holds its key, 0 for a removed row or 1
/// followed by its 16-byte digest and a hint byte per column.
fn encode_versions(versions: &[VersionEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(versions.len() * 20 + 16);
    if versions.is_empty() {
        return out;
    }
    out.push(Table::Observation as u8);
    put_varint(&mut out, versions.len() as u64);
    let mut previous = 0;
    for version in versions {
        put_signed(&mut out, version.indicator_id.wrapping_sub(previous));
        previous = version.indicator_id;
        put_signed(&mut out, version.year - YEAR_BASE);
        out.extend_from_slice(&version.locator());
        out.extend_from_slice(&version.hints);
    }
    out
}

/// Appends the sections of `rows`, sorted by table and key, to a manifest.
fn encode_rows(out: &mut Vec<u8>, rows: &[Entry]) {
    for section in rows.chunk_by(|a, b| a.table == b.table) {
        let table = section[0].table;
        out.push(table as u8);
        put_varint(out, section.len() as u64);
        let mut previous = 0;
        for entry in section {
            match &entry.key {
                Key::Pair(a, b) => {
                    put_signed(out, a.wrapping_sub(previous));
                    previous = *a;
                    put_signed(out, b - YEAR_BASE);
                }
                Key::Id(id) => {
                    put_signed(out, id.wrapping_sub(previous));
                    previous = *id;
                }
                Key::Code(code) => {
                    put_varint(out, code.len() as u64);
                    out.extend_from_slice(code.as_bytes());
                }
            }
            match &entry.row {
                None => out.push(0),
                Some(row) => {
                    out.push(1);
                    out.extend_from_slice(&row.digest);
                    out.extend_from_slice(&row.hints[..table.columns().len()]);
                }
            }
        }
    }
}

/// A version entry as a manifest keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredVersion {
    pub key: Key,
    locator: [u8; LOCATOR],
    hints: [u8; VERSION_HINTS],
}

impl StoredVersion {
    /// Whether `version` is this one, as far as the manifest can tell.
    fn matches(&self, version: &VersionEntry) -> bool {
        self.locator == version.locator() && self.hints == version.hints
    }

    /// Indexes of the columns whose hint bytes differ from `version`'s.
    fn differing(&self, version: &VersionEntry) -> Vec<usize> {
        differing(&self.hints, &version.hints)
    }
}

/// One entry of a manifest.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Version(StoredVersion),
    Row(Entry),
}

/// Reads a manifest back, entry by entry.
#[derive(Debug, Clone)]
pub(crate) struct ManifestReader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// The table of the section being read, its entries left, and the last
    /// numeric key read in it.
    section: Option<(Table, u64, i64)>,
}

/// A manifest that does not decode: it was changed outside planeval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed {
    /// The byte offset where decoding failed.
    pub at: usize,
}

impl<'a> ManifestReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        ManifestReader {
            bytes,
            at: 0,
            section: None,
        }
    }

    fn malformed(&self) -> Malformed {
        Malformed { at: self.at }
    }

    fn byte(&mut self) -> Result<u8, Malformed> {
        let byte = *self.bytes.get(self.at).ok_or(self.malformed())?;
        self.at += 1;
        Ok(byte)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let end = self.at + N;
        let taken = self.bytes.get(self.at..end).ok_or(self.malformed())?;
        self.at = end;
        Ok(taken.try_into().expect("N bytes"))
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.malformed())
    }

    fn signed(&mut self) -> Result<i64, Malformed> {
        let raw = self.varint()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    /// The table, entries left and last key of the section the next entry is
    /// in, opening the next section when the current one is done.
    fn section(&mut self) -> Result<Option<(Table, u64, i64)>, Malformed> {
        if let Some(section) = self.section.filter(|(_, left, _)| *left > 0) {
            return Ok(Some(section));
        }
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let table = Table::from_tag(self.byte()?).ok_or(self.malformed())?;
        let count = self.varint()?;
        self.section = Some((table, count, 0));
        Ok(self.section)
    }

    fn item(&mut self) -> Result<Option<Item>, Malformed> {
        let Some((table, left, previous)) = self.section()? else {
            return Ok(None);
        };
        let mut last = previous;
        let item = match table {
            Table::Observation => {
                last = previous.wrapping_add(self.signed()?);
                let year = self.signed()? + YEAR_BASE;
                Item::Version(StoredVersion {
                    key: Key::Pair(last, year),
                    locator: self.take()?,
                    hints: self.take()?,
                })
            }
            _ => {
                let key = match table {
                    Table::OfficeVerdict => {
                        last = previous.wrapping_add(self.signed()?);
                        Key::Pair(last, self.signed()? + YEAR_BASE)
                    }
                    Table::Department => {
                        let len = usize::try_from(self.varint()?).map_err(|_| self.malformed())?;
                        let end = self.at.checked_add(len).ok_or(self.malformed())?;
                        let bytes = self.bytes.get(self.at..end).ok_or(self.malformed())?;
                        let code = std::str::from_utf8(bytes).map_err(|_| self.malformed())?;
                        self.at = end;
                        Key::Code(code.to_string())
                    }
                    _ => {
                        last = previous.wrapping_add(self.signed()?);
                        Key::Id(last)
                    }
                };
                let row = match self.byte()? {
                    0 => None,
                    1 => {
                        let digest = self.take()?;
                        let mut hints = [0; MAX_COLUMNS];
                        for hint in hints.iter_mut().take(table.columns().len()) {
                            *hint = self.byte()?;
                        }
                        Some(RowDigest { digest, hints })
                    }
                    _ => return Err(self.malformed()),
                };
                Item::Row(Entry { table, key, row })
            }
        };
        self.section = Some((table, left - 1, last));
        Ok(Some(item))
    }

    /// Whether the next entry is a version.
    pub(crate) fn at_version(&mut self) -> bool {
        matches!(self.section(), Ok(Some((Table::Observation, _, _))))
    }
}

impl Iterator for ManifestReader<'_> {
    type Item = Result<Item, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.item() {
            Ok(item) => item.map(Ok),
            Err(malformed) => {
                // Nothing after a malformed entry can be trusted to line up.
                self.at = self.bytes.len();
                self.section = None;
                Some(Err(malformed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written() {
        let ints = |values: &[i64]| {
            values
                .iter()
                .map(|v| ValueRef::Integer(*v))
                .collect::<Vec<_>>()
        };
        let versions = vec![
            VersionEntry::of(-3, 1950, ints(&[1, 2])),
            VersionEntry::of(7, 2100, ints(&[3])),
            VersionEntry::of(7, 2100, ints(&[4])),
        ];
        let rows = vec![
            Entry {
                table: Table::Department,
                key: Key::Code("统计局".into()),
                row: None,
            },
            Entry {
                table: Table::OfficeVerdict,
                key: Key::Pair(5, 2023),
                row: Some(RowDigest::of(Table::OfficeVerdict, ints(&[5, 2023]))),
            },
            Entry {
                table: Table::AuditLog,
                key: Key::Id(i64::from(u32::MAX) * 7),
                row: Some(RowDigest::of(Table::AuditLog, ints(&[9; 7]))),
            },
        ];
        let mut manifest = encode_versions(&versions);
        encode_rows(&mut manifest, &rows);
        let decoded: Vec<Item> = ManifestReader::new(&manifest)
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: Vec<Item> = versions
            .iter()
            .map(|v| {
                Item::Version(StoredVersion {
                    key: Key::Pair(v.indicator_id, v.year),
                    locator: v.locator(),
                    hints: v.hints,
                })
            })
            .chain(rows.iter().cloned().map(Item::Row))
            .collect();
        assert_eq!(decoded, expected);
        let mut cut = manifest.clone();
        cut.pop();
        assert!(ManifestReader::new(&cut).any(|e| e.is_err()));
    }

    #[test]
    fn a_digest_tells_which_column_changed() {
        let digest = |value: f64| {
            RowDigest::of(
                Table::Observation,
                [ValueRef::Integer(1), ValueRef::Real(value)],
            )
        };
        assert_eq!(digest(0.0), digest(-0.0));
        assert_ne!(digest(1.0), digest(1.5));
        assert_eq!(digest(1.0).differing(&digest(1.5)), vec![1]);
        // A change in the exponent alone shows as well.
        assert_eq!(digest(2.5).differing(&digest(5.0)), vec![1]);
    }
}
