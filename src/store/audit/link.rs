//! What one write adds to the chain, gathered while it writes: its observation
//! versions, the catalog, verdict, commentary or edition rows it left, and the
//! rows a catalog load removed.

use super::digest::{observation_entry, Entry, VersionEntry};
use super::manifest::encode_versions;
use super::tables::{Key, Table};
use super::VersionDigests;
use crate::store::observations::{NewObservation, Recording};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeSet;

/// What one write adds to the chain: its batch, if it wrote observations, the
/// versions it wrote and the other rows it left.
#[derive(Default)]
pub struct Link {
    pub(super) batch: Option<String>,
    pub(super) versions: Vec<VersionEntry>,
    /// The versions' manifest section, once [`Link::prepare`] encoded them.
    pub(super) prepared: Option<VersionSection>,
    pub(super) rows: Vec<Entry>,
}

/// The versions of a link, sorted and encoded.
pub(super) struct VersionSection {
    pub(super) count: usize,
    pub(super) bytes: Vec<u8>,
    pub(super) digests: VersionDigests,
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
pub(super) const SECTIONS_OF_PLAN: &str =
    "WHERE chapter_id IN (SELECT id FROM chapter WHERE plan_id = ?1)";

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
