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
//!
//! The submodules: [`tables`] names the tables and columns the chain covers,
//! [`digest`] hashes a row or an observation version, [`link`] gathers what
//! one write adds, [`manifest`] encodes and decodes a link's manifest, and
//! this file appends and seals the links.

mod digest;
mod link;
mod manifest;
mod tables;
mod varint;
pub mod verify;

pub use digest::{observation_entry, Entry, RowDigest, VersionEntry};
pub use link::{catalog_scope, CatalogScope, Link};
pub use tables::{Key, Table};

use digest::{read_row, RowHasher};
use link::VersionSection;
use manifest::{encode_rows, Item, ManifestReader, StoredVersion};
use tables::{ENDING_COLUMNS, STATE_TABLES};

use super::catalog::hex;
use super::db::{current_user, now_utc};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// The environment variable that names who is acting, when that is not the
/// account planeval runs as (a shared service account, `sudo`). It is kept
/// beside the account as `claimed_by`, never instead of it.
pub const CLAIMED_USER: &str = "PLANEVAL_USER";

/// The `previous` of the first link.
const NO_PREVIOUS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The action of the first link's audit_log row.
pub const CHAIN_START: &str = "audit_chain_start";

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
