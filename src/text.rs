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
    number_by_integer_rounding(value, decimals)
        .unwrap_or_else(|| number_by_formatter(value, decimals))
}

/// [`number`] through the standard formatter: exact for every value, and the
/// reference the quick path is tested against.
fn number_by_formatter(value: f64, decimals: usize) -> String {
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

/// Powers of ten the quick path of [`number`] scales by, exactly representable.
const POWERS_OF_TEN: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];

/// [`number`] without the standard formatter, which falls back to slow bignum
/// arithmetic for most report values (about a tenth of a batch's CPU time):
/// `value` times 10^`decimals` rounded to a whole number, the decimal point put
/// back. The product is off from the exact one by at most half a unit in its
/// last place, so when it lies more than a unit from a half it rounds to the
/// same whole number as the exact product, which is what the formatter prints;
/// otherwise (and for large values) this gives `None` and the formatter decides.
fn number_by_integer_rounding(value: f64, decimals: usize) -> Option<String> {
    let scaled = (value * POWERS_OF_TEN.get(decimals)?).abs();
    if scaled >= (1u64 << 50) as f64 {
        return None;
    }
    let unit_in_last_place = f64::from_bits(scaled.to_bits() + 1) - scaled;
    if (scaled - scaled.floor() - 0.5).abs() <= unit_in_last_place {
        return None;
    }
    let whole = scaled.round() as u64;
    if whole == 0 {
        return Some("0".to_string());
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let divisor = 10u64.pow(decimals as u32);
    let (integer, fraction) = (whole / divisor, whole % divisor);
    if fraction == 0 {
        return Some(format!("{sign}{integer}"));
    }
    let digits = format!("{fraction:0decimals$}");
    Some(format!("{sign}{integer}.{}", digits.trim_end_matches('0')))
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
    fn the_quick_path_prints_what_the_formatter_prints() {
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.125,
            0.375,
            -0.125,
            0.05,
            0.15,
            0.25,
            0.35,
            1.005,
            1.015,
            2.675,
            1e-9,
            -1e-9,
            0.000_05,
            99.995,
            999.95,
            1e14,
            1.1e15,
            123_456_789.125,
            4_503_599_627_370_495.5,
            1e300,
            f64::MIN_POSITIVE,
            5e-324,
        ];
        // Every value with up to five decimals in a few ranges, as stored
        // figures are, and a spread of values with arbitrary binary digits.
        for k in -200_000..200_000_i64 {
            values.push(k as f64 / 100_000.0);
            values.push(k as f64 / 1_000.0 + 0.000_5);
            values.push(k as f64 * 0.37);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..400_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let magnitude = 10f64.powi((state % 16) as i32 - 6);
            values.push((state >> 11) as f64 / (1u64 << 53) as f64 * magnitude);
        }
        for value in values {
            for decimals in 0..=5 {
                for value in [value, -value] {
                    assert_eq!(
                        number(value, decimals),
                        number_by_formatter(value, decimals),
                        "{value:e} to {decimals} decimals"
                    );
                }
            }
        }
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
