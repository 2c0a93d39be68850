//! A link's manifest: the compact encoding of its entries (LEB128 numbers,
//! sections by table, keys as deltas) and the reader that decodes it again.

use super::digest::{
    differing, Entry, RowDigest, VersionEntry, LOCATOR, MAX_COLUMNS, VERSION_HINTS,
};
use super::tables::{Key, Table};
use super::varint::{put_signed, put_varint};

/// Years are stored from this one, so that each takes a byte.
pub(super) const YEAR_BASE: i64 = 2000;

/// The first section of a manifest, the versions'. A manifest is a run of
/// sections, one per table in tag order: the tag, the
/// number of entries, then the entries in key order. Numeric keys are stored
/// as the difference from the entry before (zigzag varints), years from 2000,
/// texts as length and bytes. A version entry holds its key, the first
/// [`LOCATOR`] bytes of its digest and a hint byte per column: 19 bytes for a
/// typical import row. Any other entry holds its key, 0 for a removed row or 1
/// followed by its 16-byte digest and a hint byte per column.
pub(super) fn encode_versions(versions: &[VersionEntry]) -> Vec<u8> {
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
pub(super) fn encode_rows(out: &mut Vec<u8>, rows: &[Entry]) {
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
    pub(super) locator: [u8; LOCATOR],
    pub(super) hints: [u8; VERSION_HINTS],
}

impl StoredVersion {
    /// Whether `version` is this one, as far as the manifest can tell.
    pub(super) fn matches(&self, version: &VersionEntry) -> bool {
        self.locator == version.locator() && self.hints == version.hints
    }

    /// Indexes of the columns whose hint bytes differ from `version`'s.
    pub(super) fn differing(&self, version: &VersionEntry) -> Vec<usize> {
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
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
    /// The table of the section being read, its entries left, and the last
    /// numeric key read in it.
    pub(super) section: Option<(Table, u64, i64)>,
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

    pub(super) fn malformed(&self) -> Malformed {
        Malformed { at: self.at }
    }

    pub(super) fn byte(&mut self) -> Result<u8, Malformed> {
        let byte = *self.bytes.get(self.at).ok_or(self.malformed())?;
        self.at += 1;
        Ok(byte)
    }

    pub(super) fn take<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let end = self.at + N;
        let taken = self.bytes.get(self.at..end).ok_or(self.malformed())?;
        self.at = end;
        Ok(taken.try_into().expect("N bytes"))
    }

    pub(super) fn varint(&mut self) -> Result<u64, Malformed> {
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

    pub(super) fn signed(&mut self) -> Result<i64, Malformed> {
        let raw = self.varint()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    /// The table, entries left and last key of the section the next entry is
    /// in, opening the next section when the current one is done.
    pub(super) fn section(&mut self) -> Result<Option<(Table, u64, i64)>, Malformed> {
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

    pub(super) fn item(&mut self) -> Result<Option<Item>, Malformed> {
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
    use rusqlite::types::ValueRef;

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
}
