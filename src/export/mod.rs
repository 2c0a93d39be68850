//! What planeval gives to other programs: the evaluation table for people who
//! work in Excel (one layout, written as CSV or XLSX) and the catalog and
//! observations as Parquet for engines beyond one machine.

pub mod csv;
pub mod parquet;
pub mod table;
pub mod xlsx;

pub use self::csv::evaluation_csv;
pub use self::xlsx::evaluation_xlsx;
use std::path::Path;

/// Spreadsheet formats planeval writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// Comma-separated, UTF-8 with a byte-order mark (Excel reads it correctly).
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl TableFormat {
    /// The format a file name's extension implies, if any.
    pub fn from_path(path: &Path) -> Option<TableFormat> {
        let extension = path.extension()?.to_str()?;
        <TableFormat as clap::ValueEnum>::from_str(extension, true).ok()
    }
}
