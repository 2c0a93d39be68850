//! The columns of the fill-in form, shared by `planeval form` (which writes them)
//! and `planeval import` (which reads them back), so the two can never drift apart.
//!
//! A header cell may hold the Chinese label the form writes (`本年数值`) or the
//! English key (`value`); offices that build their own sheets can use either.

use crate::model::ValueKind;

/// One column of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// The indicator's stable code; the form fills it so nobody types codes.
    Code,
    /// The indicator's name, for the reader; checked against the catalog.
    Name,
    /// The unit, for the reader; must match the catalog when present.
    Unit,
    /// 水平值 (level) or 同比变化 (year-on-year change in percent).
    ValueKind,
    /// The year the value is for.
    Year,
    /// Last year's recorded value, for the reader; ignored on import.
    PreviousValue,
    /// The value being reported.
    Value,
    /// Where the value comes from (统计年报, 部门台账 …).
    Source,
    /// Free text kept with the value.
    Note,
}

impl Column {
    /// Every column, in form order.
    pub const ALL: [Column; 9] = [
        Column::Code,
        Column::Name,
        Column::Unit,
        Column::ValueKind,
        Column::Year,
        Column::PreviousValue,
        Column::Value,
        Column::Source,
        Column::Note,
    ];

    /// The English key, accepted in headers and used in documentation.
    pub fn key(self) -> &'static str {
        match self {
            Column::Code => "code",
            Column::Name => "name",
            Column::Unit => "unit",
            Column::ValueKind => "value_kind",
            Column::Year => "year",
            Column::PreviousValue => "previous_value",
            Column::Value => "value",
            Column::Source => "source",
            Column::Note => "note",
        }
    }

    /// The Chinese label the form writes in its header row.
    pub fn label(self) -> &'static str {
        match self {
            Column::Code => "指标代码",
            Column::Name => "指标名称",
            Column::Unit => "计量单位",
            Column::ValueKind => "数值口径",
            Column::Year => "年份",
            Column::PreviousValue => "上年数值",
            Column::Value => "本年数值",
            Column::Source => "数据来源",
            Column::Note => "备注",
        }
    }

    /// Columns an import file must have.
    pub fn required(self) -> bool {
        matches!(self, Column::Code | Column::Year | Column::Value)
    }

    /// Columns the department fills in; the others are filled by `planeval form`.
    pub fn is_input(self) -> bool {
        matches!(
            self,
            Column::ValueKind | Column::Value | Column::Source | Column::Note
        )
    }

    /// Recognises a header cell: the label or the key, ignoring case and
    /// surrounding (also full-width) spaces.
    pub fn from_header(text: &str) -> Option<Column> {
        let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        Column::ALL
            .into_iter()
            .find(|c| c.label() == text || c.key().eq_ignore_ascii_case(text))
    }

    /// "本年数值 (value)", for messages.
    pub fn describe(self) -> String {
        format!("{} ({})", self.label(), self.key())
    }
}

/// The Chinese word for a value kind, as the form writes it.
pub fn value_kind_label(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Level => "水平值",
        ValueKind::YoyChange => "同比变化",
    }
}

/// Reads a value-kind cell: the Chinese word or the stored form.
pub fn parse_value_kind(text: &str) -> Option<ValueKind> {
    let text = text.trim();
    ValueKind::ALL
        .iter()
        .copied()
        .find(|k| value_kind_label(*k) == text || k.as_str().eq_ignore_ascii_case(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_by_label_or_key() {
        assert_eq!(Column::from_header("本年数值"), Some(Column::Value));
        assert_eq!(Column::from_header(" Value "), Some(Column::Value));
        assert_eq!(Column::from_header("\u{feff}指标代码"), Some(Column::Code));
        assert_eq!(Column::from_header("数值"), None);
        for column in Column::ALL {
            assert_eq!(Column::from_header(column.label()), Some(column));
            assert_eq!(Column::from_header(column.key()), Some(column));
        }
    }

    #[test]
    fn value_kinds_read_chinese_and_stored_forms() {
        assert_eq!(parse_value_kind("同比变化"), Some(ValueKind::YoyChange));
        assert_eq!(parse_value_kind("level"), Some(ValueKind::Level));
        assert_eq!(parse_value_kind("环比"), None);
    }
}
