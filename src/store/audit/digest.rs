//! Digests of what a write left: a row of a covered table, hashed column by
//! column so that a changed column can be named, and an observation version,
//! hashed while it is written.

use super::tables::{Key, Table};
use super::varint::{write_varint, zigzag};
use crate::store::observations::{version_values, NewObservation, Recording, VERSION_COLUMNS};
use rusqlite::types::ValueRef;
use rusqlite::Row;
use rustc_hash::FxHasher;
use sha2::{Digest, Sha256};
use std::hash::Hasher;

/// The most columns a table's digest covers (the indicator's).
pub(super) const MAX_COLUMNS: usize = 22;

/// How many columns of an observation version have a hint byte.
pub(super) const VERSION_HINTS: usize = VERSION_COLUMNS.len();

/// SHA-256 over one row of `table`, its columns in the table's order, each
/// with its type; the first `hints.len()` columns also get a byte each from a
/// cheap hash, which says which columns differ when the digests do (a hint:
/// one changed column in 256 keeps its byte).
pub(super) fn hash_row<'a>(
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
    pub(super) digest: [u8; 16],
    pub(super) hints: [u8; MAX_COLUMNS],
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
    pub(super) fn differing(&self, other: &RowDigest) -> Vec<usize> {
        differing(&self.hints, &other.hints)
    }
}

pub(super) fn differing(a: &[u8], b: &[u8]) -> Vec<usize> {
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
pub(super) struct RowHasher {
    pub(super) sha: Sha256,
    pub(super) buffer: [u8; 128],
    pub(super) used: usize,
}

impl RowHasher {
    pub(super) fn new(prefix: &[u8]) -> Self {
        let mut sha = Sha256::new();
        sha.update(prefix);
        RowHasher {
            sha,
            buffer: [0; 128],
            used: 0,
        }
    }

    pub(super) fn flush(&mut self) {
        self.sha.update(&self.buffer[..self.used]);
        self.used = 0;
    }

    /// Hashes one value; returns its hint byte.
    pub(super) fn push(&mut self, value: ValueRef<'_>) -> u8 {
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

    pub(super) fn finish(mut self) -> [u8; 32] {
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
    pub(super) digest: [u8; 32],
    pub(super) hints: [u8; VERSION_HINTS],
}

/// How many digest bytes of a version the manifest keeps, to tell which
/// version changed; the full digests are in the content digest.
pub(super) const LOCATOR: usize = 4;

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
    pub(super) fn read(row: &Row<'_>, extra: usize) -> rusqlite::Result<VersionEntry> {
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
    pub(super) fn differing(&self, other: &VersionEntry) -> Vec<usize> {
        differing(&self.hints, &other.hints)
    }

    pub(super) fn locator(&self) -> [u8; LOCATOR] {
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
    pub(super) fn read(table: Table, row: &Row<'_>) -> rusqlite::Result<Entry> {
        let (key, digest) = read_row(table, row)?;
        Ok(Entry {
            table,
            key,
            row: Some(digest),
        })
    }
}

/// The key and digest of a row read with [`Table::select`].
pub(super) fn read_row(table: Table, row: &Row<'_>) -> rusqlite::Result<(Key, RowDigest)> {
    let first = table.key_width();
    let values = (first..first + table.columns().len())
        .map(|i| row.get_ref(i))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((Key::read(table, row)?, RowDigest::of(table, values)))
}

#[cfg(test)]
mod tests {
    use super::*;

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
