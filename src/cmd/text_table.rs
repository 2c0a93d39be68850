//! Plain-text tables that stay aligned with Chinese text (CJK characters take
//! two terminal columns).

use crate::text::escape_controls;
use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Renders rows under a header, padding by display width. Cells hold what
/// departments typed (a reason, a note, a name), so their control characters
/// are shown escaped instead of acting on the terminal.
pub fn render(headers: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| escape_controls(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|(h, _)| h.width()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(headers)
            .map(|((cell, width), (_, align))| pad(cell, *width, *align))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = line(headers.iter().map(|(h, _)| *h).collect());
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&rule.join("  "));
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row.iter().map(|cell| cell.as_ref()).collect()));
        out.push('\n');
    }
    out
}

fn pad(cell: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(cell.width()));
    match align {
        Align::Left => format!("{cell}{fill}"),
        Align::Right => format!("{fill}{cell}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_cells_align_by_display_width() {
        let table = render(
            &[("指标", Align::Left), ("值", Align::Right)],
            &[
                vec!["地区生产总值".into(), "1500".into()],
                vec!["R&D".into(), "3.5".into()],
            ],
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[2].width(), lines[3].width());
        assert!(lines[3].ends_with(" 3.5"));
    }

    #[test]
    fn a_cells_terminal_escape_is_shown_not_obeyed() {
        let table = render(
            &[("原因", Align::Left)],
            &[vec!["\u{1b}[2J统计年报\r".into()]],
        );
        assert!(
            !table.contains('\u{1b}') && !table.contains('\r'),
            "{table:?}"
        );
        assert!(table.contains("\\u{1b}[2J统计年报\\u{d}"), "{table:?}");
    }
}
