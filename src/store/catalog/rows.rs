//! The catalog's CSV tables read row by row: a row reader whose every error
//! names the file, the line and the column, and the chapters, sections and
//! departments read with it.

use super::*;
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// One CSV record with its file and line, for field access with precise errors.
pub(super) struct Row<'a> {
    pub(super) file: &'a str,
    pub(super) line: u64,
    pub(super) headers: &'a BTreeMap<String, usize>,
    pub(super) record: csv::StringRecord,
}

impl Row<'_> {
    pub(super) fn error(&self, field: &str, message: impl Into<String>) -> Error {
        Error::Catalog {
            file: self.file.to_string(),
            line: Some(self.line),
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    pub(super) fn text(&self, field: &str) -> &str {
        self.headers
            .get(field)
            .and_then(|&i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    pub(super) fn optional(&self, field: &str) -> Option<String> {
        Some(self.text(field).to_string()).filter(|t| !t.is_empty())
    }

    pub(super) fn required(&self, field: &str) -> Result<String> {
        self.optional(field)
            .ok_or_else(|| self.error(field, "is empty"))
    }

    pub(super) fn number(&self, field: &str) -> Result<Option<f64>> {
        let text = self.text(field);
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Some(value)),
            _ => Err(self.error(field, format!("`{text}` is not a number"))),
        }
    }

    pub(super) fn integer(&self, field: &str) -> Result<Option<i64>> {
        let text = self.text(field);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| self.error(field, format!("`{text}` is not a whole number")))
    }

    pub(super) fn year(&self, field: &str) -> Result<Option<i32>> {
        match self.integer(field)? {
            None => Ok(None),
            Some(year) if (1950..=2100).contains(&year) => Ok(Some(year as i32)),
            Some(year) => Err(self.error(field, format!("{year} is not a plausible year"))),
        }
    }

    pub(super) fn choice<T>(
        &self,
        field: &str,
        parse: fn(&str) -> Option<T>,
        expected: String,
    ) -> Result<T> {
        let text = self.required(field)?;
        parse(&text).ok_or_else(|| self.error(field, format!("`{text}` is not one of {expected}")))
    }
}

/// Reads a CSV file, checking its header, and hands each row to `each`.
pub(super) fn read_csv(
    text: &str,
    file: &str,
    columns: &[&str],
    mut each: impl FnMut(&Row<'_>) -> Result<()>,
) -> Result<()> {
    let csv_error = |e: csv::Error| Error::Catalog {
        file: file.to_string(),
        line: e.position().map(|p| p.line()),
        field: None,
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: BTreeMap<String, usize> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect();
    let header_error = |message: String| Error::Catalog {
        file: file.to_string(),
        line: Some(1),
        field: None,
        message,
    };
    if let Some(missing) = columns.iter().find(|c| !headers.contains_key(**c)) {
        return Err(header_error(format!(
            "missing column `{missing}` (expected: {})",
            columns.join(",")
        )));
    }
    if let Some(unknown) = headers.keys().find(|h| !columns.contains(&h.as_str())) {
        return Err(header_error(format!(
            "unknown column `{unknown}` (expected: {})",
            columns.join(",")
        )));
    }
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        each(&Row {
            file,
            line,
            headers: &headers,
            record,
        })?;
    }
    Ok(())
}

pub(super) fn parse_structure(text: &str, file: &str) -> Result<Vec<Chapter>> {
    let mut chapters: Vec<Chapter> = Vec::new();
    read_csv(text, file, STRUCTURE_COLUMNS, |row| {
        let chapter = positive(row, "chapter")?;
        let title = row.required("title")?;
        match row.integer("section")? {
            None => {
                if chapters.iter().any(|c| c.number == chapter) {
                    return Err(row.error("chapter", format!("chapter {chapter} appears twice")));
                }
                if chapters.last().is_some_and(|c| c.number >= chapter) {
                    return Err(row.error("chapter", "chapters must be listed in order"));
                }
                chapters.push(Chapter {
                    number: chapter,
                    title,
                    sections: Vec::new(),
                });
            }
            Some(section) => {
                let section = u32::try_from(section)
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| row.error("section", "must be a positive number"))?;
                let current = chapters
                    .last_mut()
                    .filter(|c| c.number == chapter)
                    .ok_or_else(|| {
                        row.error(
                            "chapter",
                            format!(
                                "section of chapter {chapter} must follow that chapter's own row"
                            ),
                        )
                    })?;
                if current.sections.iter().any(|s| s.number >= section) {
                    return Err(row.error(
                        "section",
                        format!("section {section} is repeated or out of order"),
                    ));
                }
                current.sections.push(Section {
                    number: section,
                    title,
                });
            }
        }
        Ok(())
    })?;
    if chapters.is_empty() {
        return Err(Error::Catalog {
            file: file.to_string(),
            line: None,
            field: None,
            message: "no chapters".into(),
        });
    }
    Ok(chapters)
}

pub(super) fn positive(row: &Row<'_>, field: &str) -> Result<u32> {
    row.integer(field)?
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| row.error(field, "must be a positive number"))
}

pub(super) fn parse_departments(text: &str, file: &str) -> Result<Vec<Department>> {
    let mut departments: Vec<Department> = Vec::new();
    read_csv(text, file, DEPARTMENT_COLUMNS, |row| {
        let code = row.required("code")?;
        if !is_code(&code) {
            return Err(row.error("code", "use lower-case letters, digits, `-` and `_`"));
        }
        if departments.iter().any(|d| d.code == code) {
            return Err(row.error("code", format!("department `{code}` appears twice")));
        }
        departments.push(Department {
            code,
            name: row.required("name")?,
            short_name: row.required("short_name")?,
        });
        Ok(())
    })?;
    Ok(departments)
}
