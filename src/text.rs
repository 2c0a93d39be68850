//! Number formatting shared by the explanations, the terminal tables and the
//! reports, so the same value reads the same everywhere; and text from files
//! made safe to print.

use std::borrow::Cow;
use std::fmt::Write;

/// A value with at most `decimals` decimals and no trailing zeros: 1500, 3.5, 0.25.
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".to_string();
    }
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

/// A value in the precision statistics offices print: two decimals below 100, one above.
pub fn value(value: f64) -> String {
    number(value, if value.abs() >= 100.0 { 1 } else { 2 })
}

/// A share (1.0 = 100%) as a whole percentage: 0.784 -> "78%".
pub fn percent(share: f64) -> String {
    format!("{}%", number(share * 100.0, 0))
}

/// A value with its unit, written the Chinese way (no space): "1500亿元", "3.5%".
pub fn with_unit(amount: f64, unit: &str) -> String {
    format!("{}{}", value(amount), unit)
}

/// Text from a file made safe to print on a terminal: control characters (a
/// terminal escape such as `\x1b[31m`, a carriage return that overwrites the
/// line, a line break inside a cell) and the bidirectional overrides that
/// reorder what a reader sees are shown as `\u{1b}` instead of acting.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_display) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts_on_display(c) {
            // Writing to a String cannot fail.
            let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Characters that change what a terminal shows instead of being shown.
fn acts_on_display(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(1500.0, 1), "1500");
        assert_eq!(number(3.50, 2), "3.5");
        assert_eq!(number(-0.001, 2), "0");
        assert_eq!(value(1275.46), "1275.5");
        assert_eq!(percent(0.784), "78%");
        assert_eq!(with_unit(3.5, "%"), "3.5%");
        assert_eq!(number(f64::NAN, 2), "—");
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(escape_controls("研发 3.4"), "研发 3.4");
        assert_eq!(
            escape_controls("\x1b[31m红\r\n\u{202e}"),
            "\\u{1b}[31m红\\u{d}\\u{a}\\u{202e}"
        );
    }
}
