//! `planeval check`'s part of the audit chain: every link must follow the one
//! before it and match its own fields and manifest; every observation version
//! must be one its batch's link recorded, and have ended the way a planeval
//! write ends versions; every other covered row must match the latest link
//! that recorded it. Each finding names the table, the row (plan/indicator,
//! year, batch) and what no longer matches.

use super::{
    content_digest, read_row, Item, Key, LinkFields, ManifestReader, RowDigest, StoredVersion,
    Table, VersionDigests, VersionEntry, CHAIN_START, ENDING_COLUMNS, NO_PREVIOUS, STATE_TABLES,
};
use crate::store::finding::{Finding, Severity};
use crate::store::observations::VERSION_COLUMNS;
use rusqlite::{Connection, Row};
use std::collections::HashMap;

/// How many findings of one kind about the rows of one link are listed; the
/// rest are counted. A batch rewritten wholesale would otherwise print a line
/// for each of its million rows.
const LISTED: usize = 20;

/// A link as stored, with what its audit_log row says about the write.
struct StoredLink {
    audit_id: i64,
    batch: Option<String>,
    versions_through: i64,
    entries: i64,
    manifest: Vec<u8>,
    content: String,
    previous: String,
    hash: String,
    /// `import tiexi-14th by root at …`, or a note that the row is gone.
    about: String,
}

impl StoredLink {
    fn describe(&self) -> String {
        format!("link {} ({})", self.audit_id, self.about)
    }

    /// What its observation versions are called in messages.
    fn batch_label(&self) -> String {
        match &self.batch {
            Some(batch) => format!("batch {batch}"),
            None => "no batch".to_string(),
        }
    }
}

/// Verifies the chain and every row it covers. A file no planeval write has
/// touched since schema 5 has no chain yet: that is a warning.
pub fn verify(conn: &Connection) -> rusqlite::Result<Vec<Finding>> {
    let links = read_links(conn)?;
    if links.is_empty() {
        return Ok(vec![Finding {
            severity: Severity::Warning,
            subject: "audit_chain".into(),
            message: "no link yet: the next planeval write starts the chain, covering \
                      the file as it is then"
                .into(),
        }]);
    }
    let mut report = Report::new(conn, &links);
    let claims = verify_links(&links, &mut report);
    verify_rows(conn, claims, &mut report)?;
    let versions = verify_observations(conn, &links, &mut report)?;
    for (link, versions) in links.iter().zip(versions) {
        if content_digest(&link.manifest, versions) != link.content {
            report.content(link);
        }
    }
    Ok(report.finish())
}

fn read_links(conn: &Connection) -> rusqlite::Result<Vec<StoredLink>> {
    let mut stmt = conn.prepare(
        "SELECT c.audit_id, c.batch, c.versions_through, c.entries, c.manifest, c.content,
                c.previous, c.hash, a.action, a.subject, a.actor, a.at
         FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id
         ORDER BY c.audit_id",
    )?;
    let links = stmt.query_map([], |r| {
        let action: Option<String> = r.get(8)?;
        let about = match action {
            Some(action) => format!(
                "{action} {} by {} at {}",
                r.get::<_, String>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, String>(11)?
            ),
            None => "its audit_log row is gone".to_string(),
        };
        Ok(StoredLink {
            audit_id: r.get(0)?,
            batch: r.get(1)?,
            versions_through: r.get(2)?,
            entries: r.get(3)?,
            manifest: r.get(4)?,
            content: r.get(5)?,
            previous: r.get(6)?,
            hash: r.get(7)?,
            about,
        })
    })?;
    links.collect()
}

/// The latest link that recorded each row of the tables updated in place, and
/// what it recorded (`None`: removed).
type Claims = HashMap<(Table, Key), (usize, Option<RowDigest>)>;

/// Checks each link against the one before and against its own fields; reads
/// its manifest; returns the latest claim on each row outside `observation`.
/// Its content digest needs its versions, checked later.
fn verify_links(links: &[StoredLink], report: &mut Report<'_>) -> Claims {
    let mut claims = Claims::new();
    for (index, link) in links.iter().enumerate() {
        let subject = || format!("audit_chain link {}", link.audit_id);
        let expected_previous = match index {
            0 => NO_PREVIOUS,
            _ => links[index - 1].hash.as_str(),
        };
        if link.previous != expected_previous {
            let message = match index {
                0 => "is the first link left but names a previous one: the links before \
                      it were removed"
                    .to_string(),
                _ => format!(
                    "does not follow link {}: its previous hash is not that link's hash \
                     (a link between them was removed, or the chain was rewritten)",
                    links[index - 1].audit_id
                ),
            };
            report.chain(subject(), message);
        }
        let fields = LinkFields {
            previous: &link.previous,
            audit_id: link.audit_id,
            batch: link.batch.as_deref(),
            versions_through: link.versions_through,
            entries: link.entries,
            content: &link.content,
        };
        if fields.hash() != link.hash {
            report.chain(
                subject(),
                "its hash no longer matches its fields (batch, versions_through, entries, \
                 content or previous was changed)"
                    .into(),
            );
        }
        if index == 0 && !link.about.starts_with(CHAIN_START) {
            report.chain(
                subject(),
                format!(
                    "is the first link but not the chain's start ({})",
                    link.about
                ),
            );
        }
        let mut decoded = 0;
        for item in ManifestReader::new(&link.manifest) {
            match item {
                Ok(Item::Version(_)) => decoded += 1,
                Ok(Item::Row(entry)) => {
                    decoded += 1;
                    claims.insert((entry.table, entry.key), (index, entry.row));
                }
                Err(malformed) => report.chain(
                    subject(),
                    format!("its manifest does not decode at byte {}", malformed.at),
                ),
            }
        }
        if decoded != link.entries {
            report.chain(
                subject(),
                format!(
                    "its manifest holds {decoded} entries, the link says {}",
                    link.entries
                ),
            );
        }
    }
    claims
}

/// Compares every row of the tables updated in place with its latest claim.
fn verify_rows(
    conn: &Connection,
    mut claims: Claims,
    report: &mut Report<'_>,
) -> rusqlite::Result<()> {
    for table in STATE_TABLES {
        let mut stmt = conn.prepare(&table.select(""))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (key, found) = read_row(table, row)?;
            match claims.remove(&(table, key.clone())) {
                None => report.row(None, table, "unrecorded", &key, |_| {
                    "no planeval write recorded this row: it was written outside planeval".into()
                })?,
                Some((link, None)) => report.row(Some(link), table, "removed", &key, |link| {
                    format!(
                        "{} removed this row, but it is there: written again outside planeval",
                        link.describe()
                    )
                })?,
                Some((link, Some(recorded))) if recorded != found => {
                    let columns = column_names(table, &recorded.differing(&found));
                    report.row(Some(link), table, "changed", &key, |link| {
                        format!(
                            "{columns} no longer {} what {} recorded",
                            agree("match", &columns),
                            link.describe()
                        )
                    })?
                }
                Some(_) => {}
            }
        }
    }
    let mut gone: Vec<((Table, Key), usize)> = claims
        .into_iter()
        .filter(|(_, (_, row))| row.is_some())
        .map(|(row, (link, _))| (row, link))
        .collect();
    gone.sort();
    for ((table, key), link) in gone {
        report.row(Some(link), table, "gone", &key, |link| {
            format!(
                "{} recorded this row, but it is gone: deleted outside planeval",
                link.describe()
            )
        })?;
    }
    Ok(())
}

/// `value, status`: the columns of `table` at `indexes`, or a general phrase
/// when the hint bytes do not tell.
fn column_names(table: Table, indexes: &[usize]) -> String {
    let names: Vec<&str> = indexes
        .iter()
        .filter_map(|&i| table.columns().get(i).copied())
        .collect();
    if names.is_empty() {
        "its contents".to_string()
    } else {
        names.join(", ")
    }
}

/// Where a version lives.
#[derive(Debug)]
enum Place {
    Current,
    Kept {
        id: i64,
        ended_by: String,
        ended_at: String,
    },
}

/// One observation version as the tables hold it.
#[derive(Debug)]
struct Version {
    key: Key,
    place: Place,
    batch: Option<String>,
    recorded_at: String,
    /// The link its batch belongs to.
    link: usize,
    entry: VersionEntry,
}

/// Where in the select of [`Table::Observation`] a digest column is.
fn version_column(name: &str) -> usize {
    let at = VERSION_COLUMNS.iter().position(|c| *c == name);
    Table::Observation.key_width() + at.expect("a version column")
}

/// Checks every version in `observation` and `observation_version`, read
/// together in key order, against the manifests of the links of their
/// batches, and how each replaced version ended. Returns, per link, the
/// digests of the versions found for it, for its content digest.
fn verify_observations(
    conn: &Connection,
    links: &[StoredLink],
    report: &mut Report<'_>,
) -> rusqlite::Result<Vec<VersionDigests>> {
    let by_batch: HashMap<&str, usize> = links
        .iter()
        .enumerate()
        .filter_map(|(index, link)| link.batch.as_deref().map(|b| (b, index)))
        .collect();
    let mut cursors: Vec<Cursor<'_>> = links.iter().map(|l| Cursor::new(&l.manifest)).collect();
    let mut digests: Vec<VersionDigests> =
        links.iter().map(|_| VersionDigests::default()).collect();
    let table = Table::Observation;
    let content = table.key_width() + VERSION_COLUMNS.len();
    let mut kept_stmt = conn.prepare(&table.select_from(
        "observation_version",
        &["id", ENDING_COLUMNS[0], ENDING_COLUMNS[1]],
        "ORDER BY indicator_id, year, id",
    ))?;
    let mut current_stmt = conn.prepare(&table.select("ORDER BY indicator_id, year"))?;
    let started_with = links[0].versions_through;
    let read = |row: &Row<'_>, kept: bool| -> rusqlite::Result<Version> {
        let place = if kept {
            Place::Kept {
                id: row.get(content)?,
                ended_by: row.get(content + 1)?,
                ended_at: row.get(content + 2)?,
            }
        } else {
            Place::Current
        };
        let batch: Option<String> = row.get(version_column("import_batch"))?;
        let link = batch
            .as_deref()
            .and_then(|b| by_batch.get(b).copied())
            .unwrap_or(0);
        // A version that had ended before the chain started was hashed with
        // how it ended.
        let mut hashed: Vec<usize> = (table.key_width()..content).collect();
        if matches!(place, Place::Kept { id, .. } if id <= started_with && link == 0) {
            hashed.extend([content + 1, content + 2]);
        }
        let values = hashed
            .into_iter()
            .map(|i| row.get_ref(i))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let key = Key::read(table, row)?;
        let Key::Pair(indicator_id, year) = key else {
            unreachable!("observations are keyed by indicator and year");
        };
        Ok(Version {
            key,
            place,
            link,
            batch,
            recorded_at: row.get(version_column("recorded_at"))?,
            entry: VersionEntry::of(indicator_id, year, values),
        })
    };
    let mut kept_rows = kept_stmt.query([])?;
    let mut current_rows = current_stmt.query([])?;
    let mut next_kept = kept_rows.next()?.map(|r| read(r, true)).transpose()?;
    let mut next_current = current_rows.next()?.map(|r| read(r, false)).transpose()?;
    let through: Vec<i64> = links.iter().map(|l| l.versions_through).collect();
    let mut group: Vec<Version> = Vec::new();
    loop {
        let key = match (&next_kept, &next_current) {
            (Some(k), Some(c)) => k.key.clone().min(c.key.clone()),
            (Some(k), None) => k.key.clone(),
            (None, Some(c)) => c.key.clone(),
            (None, None) => break,
        };
        group.clear();
        while next_kept.as_ref().is_some_and(|v| v.key == key) {
            group.extend(next_kept.take());
            next_kept = kept_rows.next()?.map(|r| read(r, true)).transpose()?;
        }
        if next_current.as_ref().is_some_and(|v| v.key == key) {
            group.extend(next_current.take());
            next_current = current_rows.next()?.map(|r| read(r, false)).transpose()?;
        }
        for (index, version) in group.iter().enumerate() {
            let before = index.checked_sub(1).map(|i| &group[i]);
            digests[version.link].add(&version.entry);
            cursors[version.link].compare(version, before, links, report)?;
            check_ending(
                version,
                group.get(index + 1),
                started_with,
                &through,
                report,
            )?;
        }
    }
    for (index, cursor) in cursors.iter_mut().enumerate() {
        while let Some(entry) = cursor.take() {
            report_missing(index, &entry, report)?;
        }
    }
    Ok(digests)
}

/// A version replaced after the chain started must have been replaced by the
/// write of the link whose versions_through covers its id: the next version of
/// the same value is that link's, recorded when this one ended. planeval never
/// deletes a value.
fn check_ending(
    version: &Version,
    next: Option<&Version>,
    started_with: i64,
    through: &[i64],
    report: &mut Report<'_>,
) -> rusqlite::Result<()> {
    let Place::Kept {
        id,
        ended_by,
        ended_at,
    } = &version.place
    else {
        return Ok(());
    };
    if *id <= started_with {
        return Ok(());
    }
    let made_by = through.partition_point(|t| t < id);
    let by_planeval = ended_by == "update"
        && next.is_some_and(|n| n.link == made_by && n.recorded_at == *ended_at);
    if by_planeval {
        return Ok(());
    }
    let message = if ended_by == "delete" {
        format!("was deleted outside planeval at {ended_at} (planeval never deletes a value)")
    } else if made_by == through.len() {
        format!("was replaced at {ended_at}, after the last planeval write: outside planeval")
    } else {
        format!("was replaced at {ended_at}, but not by a planeval write (its next version is not that write's)")
    };
    report.version(version, "ended", message)
}

fn report_missing(
    link: usize,
    entry: &StoredVersion,
    report: &mut Report<'_>,
) -> rusqlite::Result<()> {
    let Key::Pair(indicator, year) = entry.key else {
        return Ok(());
    };
    let name = report.indicator(indicator)?;
    let stored = &report.links[link];
    let subject = format!("observation {name} {year} {}", stored.batch_label());
    let message = format!(
        "{} wrote this version, but it is neither the current row nor a kept version: \
         deleted outside planeval",
        stored.describe()
    );
    report.add(link, Table::Observation, "missing", subject, message);
    Ok(())
}

/// The version entries of one link's manifest, read as the versions of its
/// batch come by.
struct Cursor<'a> {
    reader: ManifestReader<'a>,
    peeked: Option<StoredVersion>,
}

impl<'a> Cursor<'a> {
    fn new(manifest: &'a [u8]) -> Self {
        let mut cursor = Cursor {
            reader: ManifestReader::new(manifest),
            peeked: None,
        };
        cursor.advance();
        cursor
    }

    /// Reads the next version entry; they come first, and a malformed
    /// manifest (reported with the link) ends them.
    fn advance(&mut self) {
        self.peeked = None;
        if self.reader.at_version() {
            if let Some(Ok(Item::Version(version))) = self.reader.next() {
                self.peeked = Some(version);
            }
        }
    }

    fn take(&mut self) -> Option<StoredVersion> {
        let entry = self.peeked.take();
        self.advance();
        entry
    }

    /// Matches `version` against this link's next entries: entries of earlier
    /// keys are versions gone missing; an entry of the same key must match.
    fn compare(
        &mut self,
        version: &Version,
        before: Option<&Version>,
        links: &[StoredLink],
        report: &mut Report<'_>,
    ) -> rusqlite::Result<()> {
        while self.peeked.as_ref().is_some_and(|e| e.key < version.key) {
            if let Some(entry) = self.take() {
                report_missing(version.link, &entry, report)?;
            }
        }
        let link = &links[version.link];
        match self.peeked.as_ref().filter(|e| e.key == version.key) {
            Some(entry) => {
                if !entry.matches(&version.entry) {
                    let columns =
                        column_names(Table::Observation, &entry.differing(&version.entry));
                    let message = format!(
                        "{columns} no longer {} what {} wrote ({})",
                        agree("match", &columns),
                        link.batch_label(),
                        link.describe()
                    );
                    report.version(version, "changed", message)?;
                }
                self.advance();
            }
            None => {
                let known =
                    version.link != 0 || version.batch.is_none() || link.batch == version.batch;
                let mut message = if known {
                    format!(
                        "{} did not write this version: it was written outside planeval",
                        link.describe()
                    )
                } else {
                    "no planeval write recorded this batch: the version was written outside \
                     planeval"
                        .to_string()
                };
                if let Some(before) = before {
                    let columns =
                        column_names(Table::Observation, &before.entry.differing(&version.entry));
                    let verb = agree("differ", &columns);
                    message.push_str(&format!(" ({columns} {verb} from the version before)"));
                }
                report.version(version, "extra", message)?;
            }
        }
        Ok(())
    }
}

/// `matches` after one column, `match` after several.
fn agree(verb: &str, columns: &str) -> String {
    if columns.contains(", ") {
        verb.to_string()
    } else {
        format!("{verb}{}", if verb.ends_with("ch") { "es" } else { "s" })
    }
}

/// The findings, with the rows named and each kind of finding about one link's
/// rows listed up to [`LISTED`] times.
struct Report<'a> {
    conn: &'a Connection,
    links: &'a [StoredLink],
    findings: Vec<Finding>,
    /// Findings per (link, table, kind); a row no link recorded counts under
    /// usize::MAX.
    counts: HashMap<(usize, Table, &'static str), usize>,
    indicators: Option<HashMap<i64, String>>,
}

impl<'a> Report<'a> {
    fn new(conn: &'a Connection, links: &'a [StoredLink]) -> Self {
        Report {
            conn,
            links,
            findings: Vec::new(),
            counts: HashMap::new(),
            indicators: None,
        }
    }

    /// A finding about the chain itself: always listed.
    fn chain(&mut self, subject: String, message: String) {
        self.findings.push(Finding {
            severity: Severity::Error,
            subject,
            message,
        });
    }

    /// A link whose manifest and versions no longer give its content digest.
    /// Said only when no finding about its rows explains it already: then the
    /// manifest was changed, or a version in a way its hint bytes missed.
    fn content(&mut self, link: &StoredLink) {
        let index = self.links.iter().position(|l| l.audit_id == link.audit_id);
        let explained = self
            .counts
            .keys()
            .any(|(counted, _, _)| Some(*counted) == index);
        if !explained {
            self.chain(
                format!("audit_chain link {}", link.audit_id),
                format!(
                    "its manifest and the versions of its {} no longer give its content \
                     digest: the manifest was changed, or a version in a way its hint \
                     bytes do not show",
                    link.batch_label()
                ),
            );
        }
    }

    /// A finding about a row, listed if fewer than [`LISTED`] of its kind came before.
    fn add(
        &mut self,
        link: usize,
        table: Table,
        kind: &'static str,
        subject: String,
        message: String,
    ) {
        let count = self.counts.entry((link, table, kind)).or_default();
        *count += 1;
        if *count <= LISTED {
            self.chain(subject, message);
        }
    }

    /// Whether a finding of this kind would still be listed, so that naming
    /// the row can be skipped when it would not.
    fn listing(&self, link: usize, table: Table, kind: &'static str) -> bool {
        self.counts.get(&(link, table, kind)).copied().unwrap_or(0) < LISTED
    }

    /// `tiexi-14th/gdp`, or `indicator id 7` when the indicator is gone.
    fn indicator(&mut self, id: i64) -> rusqlite::Result<String> {
        if self.indicators.is_none() {
            let mut stmt = self.conn.prepare(
                "SELECT i.id, p.code || '/' || i.code FROM indicator i JOIN plan p ON p.id = i.plan_id",
            )?;
            let names = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            self.indicators = Some(names.collect::<rusqlite::Result<_>>()?);
        }
        let names = self.indicators.as_ref().expect("loaded above");
        Ok(names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("indicator id {id}")))
    }

    /// A finding about an observation version.
    fn version(
        &mut self,
        version: &Version,
        kind: &'static str,
        message: String,
    ) -> rusqlite::Result<()> {
        if !self.listing(version.link, Table::Observation, kind) {
            self.add(
                version.link,
                Table::Observation,
                kind,
                String::new(),
                String::new(),
            );
            return Ok(());
        }
        let Key::Pair(indicator, year) = version.key else {
            return Ok(());
        };
        let table = match version.place {
            Place::Current => "observation",
            Place::Kept { .. } => "observation_version",
        };
        let batch = match &version.batch {
            Some(batch) => format!("batch {batch}"),
            None => "no batch".to_string(),
        };
        let subject = format!("{table} {} {year} {batch}", self.indicator(indicator)?);
        self.add(version.link, Table::Observation, kind, subject, message);
        Ok(())
    }

    /// A finding about a row of a table updated in place.
    fn row(
        &mut self,
        link: Option<usize>,
        table: Table,
        kind: &'static str,
        key: &Key,
        message: impl FnOnce(&StoredLink) -> String,
    ) -> rusqlite::Result<()> {
        let counted = link.unwrap_or(usize::MAX);
        if !self.listing(counted, table, kind) {
            self.add(counted, table, kind, String::new(), String::new());
            return Ok(());
        }
        let name = match (table, key) {
            (Table::Indicator, Key::Id(id)) => self.indicator(*id)?,
            (Table::OfficeVerdict, Key::Pair(indicator, year)) => {
                format!("{} {year}", self.indicator(*indicator)?)
            }
            (_, Key::Id(id)) => format!("id {id}"),
            (_, Key::Code(code)) => code.clone(),
            (_, Key::Pair(a, b)) => format!("{a} {b}"),
        };
        let links = self.links;
        let message = match link {
            Some(link) => message(&links[link]),
            // The closure of a row no link recorded does not look at the link.
            None => message(&links[0]),
        };
        self.add(
            counted,
            table,
            kind,
            format!("{} {name}", table.name()),
            message,
        );
        Ok(())
    }

    /// The findings, with a count of those not listed.
    fn finish(mut self) -> Vec<Finding> {
        let mut unlisted: Vec<_> = self
            .counts
            .iter()
            .filter(|(_, &count)| count > LISTED)
            .map(|(&(link, table, kind), &count)| (link, table, kind, count - LISTED))
            .collect();
        unlisted.sort();
        for (link, table, kind, count) in unlisted {
            let whose = match self.links.get(link) {
                Some(link) => format!("recorded by {}", link.describe()),
                None => "that no planeval write recorded".to_string(),
            };
            self.findings.push(Finding {
                severity: Severity::Error,
                subject: format!("{} rows", table.name()),
                message: format!("{count} more {kind} rows {whose} are not listed"),
            });
        }
        self.findings
    }
}
