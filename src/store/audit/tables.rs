//! The tables the audit chain covers, the columns of each that a link hashes,
//! and the key that names a row within its table.

use crate::store::observations::VERSION_COLUMNS;
use rusqlite::Row;

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
pub(super) const STATE_TABLES: [Table; 9] = [
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
pub(super) const ENDING_COLUMNS: [&str; 2] = ["ended_by", "ended_at"];

impl Table {
    pub(super) fn from_tag(tag: u8) -> Option<Table> {
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
    pub(super) fn key_columns(self) -> &'static str {
        match self {
            Table::Observation | Table::OfficeVerdict => "indicator_id, year",
            Table::Department => "code",
            _ => "id",
        }
    }

    /// The columns a row's digest covers, in order.
    pub(super) fn columns(self) -> &'static [&'static str] {
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
    pub(super) fn select(self, tail: &str) -> String {
        self.select_from(self.name(), &[], tail)
    }

    /// Like [`Table::select`] from another table with the same columns, with
    /// `extra` columns hashed after the table's own.
    pub(super) fn select_from(self, from: &str, extra: &[&str], tail: &str) -> String {
        let columns = self.columns().iter().chain(extra).copied();
        format!(
            "SELECT {}, {} FROM {from} {tail}",
            self.key_columns(),
            columns.collect::<Vec<_>>().join(", ")
        )
    }

    /// How many leading columns of [`Table::select`] are the key.
    pub(super) fn key_width(self) -> usize {
        self.key_columns().split(',').count()
    }

    /// The WHERE clause that finds the row of one key (parameters ?1, ?2).
    pub(super) fn key_condition(self) -> &'static str {
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
    pub(super) fn read(table: Table, row: &Row<'_>) -> rusqlite::Result<Key> {
        Ok(match table {
            Table::Observation | Table::OfficeVerdict => Key::Pair(row.get(0)?, row.get(1)?),
            Table::Department => Key::Code(row.get(0)?),
            _ => Key::Id(row.get(0)?),
        })
    }
}
