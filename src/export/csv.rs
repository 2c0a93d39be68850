//! The evaluation table as CSV: the one writer behind `planeval export
//! --format csv` and `planeval evaluate --format csv`.

use super::table::{headers, row, ExportCell};
use crate::evaluate::{Method, PlanEvaluation};

/// The rows of every evaluation under one header, as CSV in UTF-8 with a
/// byte-order mark so Excel reads the Chinese. Numbers are written as they
/// are (no thousands separator, no percent sign), an absent one as an empty
/// cell; the light is the one `method` gives.
pub fn evaluation_csv(evaluations: &[PlanEvaluation], method: Method) -> std::io::Result<Vec<u8>> {
    let mut writer = ::csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    writer.write_record(headers())?;
    for result in evaluations.iter().flat_map(|e| &e.indicators) {
        let cells: Vec<String> = row(result, method)
            .into_iter()
            .map(|cell| match cell {
                ExportCell::Text(text) => text,
                ExportCell::Number(value) => value.map(|v| v.to_string()).unwrap_or_default(),
            })
            .collect();
        writer.write_record(&cells)?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}
