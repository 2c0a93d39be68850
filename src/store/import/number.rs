//! Reading numbers the way departments type them: `1,234.5`, full-width
//! `１２３．４` from a Chinese input method, and a trailing unit (`1500亿元`,
//! `3.5％`) when it is the indicator's own unit. Anything else is refused with a
//! reason rather than guessed at, because a wrong guess becomes an official figure.

use std::borrow::Cow;
use std::fmt;

/// Why a cell is not a usable number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberProblem {
    /// The text has no number in it, or more than one, or stray characters.
    NotANumber { text: String },
    /// Thousands separators in the wrong places (`1,23`), which may be a decimal comma.
    MisplacedComma { text: String },
    /// Scientific notation, which Excel writes when a column is too narrow.
    Scientific { text: String },
    /// A trailing unit that is not the indicator's unit.
    WrongUnit { found: String, expected: String },
}

impl fmt::Display for NumberProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberProblem::NotANumber { text } => write!(
                f,
                "`{text}` is not a number (leave the cell empty if the value is not available yet)"
            ),
            NumberProblem::MisplacedComma { text } => write!(
                f,
                "`{text}`: commas may only separate thousands (1,234.5); use `.` for decimals"
            ),
            NumberProblem::Scientific { text } => write!(
                f,
                "`{text}` is in scientific notation, which loses digits; format the cell as a number and save again"
            ),
            NumberProblem::WrongUnit { found, expected } => {
                write!(f, "unit `{found}` does not match the indicator's unit `{expected}`")
            }
        }
    }
}

/// Folds full-width forms (U+FF01..U+FF5E, typed by Chinese input methods) and
/// the typographic minus to ASCII, and the ideographic space to a plain space.
/// ASCII text, nearly every cell of a CSV file, has nothing to fold and is not
/// copied.
pub fn fold_width(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' | '\u{a0}' => ' ',
            '\u{2212}' => '-',
            other => other,
        })
        .collect::<String>()
        .into()
}

/// Parses a typed value for an indicator measured in `unit`.
pub fn parse_value(text: &str, unit: &str) -> Result<f64, NumberProblem> {
    let folded = fold_width(text);
    let trimmed = folded.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '+' | '-' | ' ')))
        .unwrap_or(trimmed.len());
    let (number, suffix) = trimmed.split_at(split);
    let (number, suffix) = (number.trim(), suffix.trim());
    if !suffix.is_empty() {
        if suffix.starts_with(['e', 'E']) && !number.is_empty() {
            return Err(NumberProblem::Scientific {
                text: text.trim().to_string(),
            });
        }
        let expected = fold_width(unit.trim());
        if number.is_empty() || suffix != expected {
            if number.is_empty() || suffix.chars().any(|c| c.is_ascii_digit()) {
                return Err(NumberProblem::NotANumber {
                    text: text.trim().to_string(),
                });
            }
            return Err(NumberProblem::WrongUnit {
                found: suffix.to_string(),
                expected: unit.trim().to_string(),
            });
        }
    }
    parse_plain(number).map_err(|comma| {
        let text = text.trim().to_string();
        if comma {
            NumberProblem::MisplacedComma { text }
        } else {
            NumberProblem::NotANumber { text }
        }
    })
}

/// `[+-]digits[.digits]` where the digits before the point may be grouped by
/// commas in threes. The error is `true` when only the commas are wrong.
fn parse_plain(text: &str) -> Result<f64, bool> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(fraction) = fraction {
        if !digits(fraction) {
            return Err(false);
        }
    }
    if whole.is_empty() && fraction.is_none() {
        return Err(false);
    }
    if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let grouped = groups.first().is_some_and(|g| digits(g) && g.len() <= 3)
            && groups[1..].iter().all(|g| digits(g) && g.len() == 3);
        if !grouped {
            let only_commas_wrong = whole.bytes().all(|b| b.is_ascii_digit() || b == b',');
            return Err(only_commas_wrong);
        }
    } else if !whole.is_empty() && !digits(whole) {
        return Err(false);
    }
    let plain: String = text.chars().filter(|&c| c != ',').collect();
    plain
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(false)
}

/// Rounds a spreadsheet's binary number to the 15 significant digits Excel
/// shows, so `=0.1+0.2` imports as 0.3 and re-importing the same sheet never
/// looks like a change.
pub fn round_spreadsheet(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    format!("{value:.14e}").parse().unwrap_or(value)
}

/// Reads a year cell: `2024`, `２０２４`, `2024年`, or a whole number from a spreadsheet.
pub fn parse_year(text: &str) -> Option<i32> {
    let folded = fold_width(text);
    let trimmed = folded.trim();
    let digits = trimmed.strip_suffix('年').unwrap_or(trimmed).trim();
    if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_grouped_and_signed_numbers() {
        assert_eq!(parse_value("1234.5", "亿元"), Ok(1234.5));
        assert_eq!(parse_value(" 1,234.5 ", "亿元"), Ok(1234.5));
        assert_eq!(parse_value("1,234,567", "人"), Ok(1_234_567.0));
        assert_eq!(parse_value("-3.2", "%"), Ok(-3.2));
        assert_eq!(parse_value("+7", "%"), Ok(7.0));
        assert_eq!(parse_value(".5", "%"), Ok(0.5));
    }

    #[test]
    fn full_width_digits_and_punctuation() {
        assert_eq!(parse_value("１２３．４", "亿元"), Ok(123.4));
        assert_eq!(parse_value("１，２３４．５", "亿元"), Ok(1234.5));
        assert_eq!(parse_value("－２．５", "%"), Ok(-2.5));
        assert_eq!(parse_value("\u{3000}８\u{3000}", "家"), Ok(8.0));
        assert_eq!(parse_value("\u{2212}1", "%"), Ok(-1.0));
    }

    #[test]
    fn a_trailing_unit_must_be_the_indicators_unit() {
        assert_eq!(parse_value("1500亿元", "亿元"), Ok(1500.0));
        assert_eq!(parse_value("1500 亿元", "亿元"), Ok(1500.0));
        assert_eq!(parse_value("3.5%", "%"), Ok(3.5));
        assert_eq!(parse_value("３．５％", "%"), Ok(3.5));
        assert_eq!(
            parse_value("1500万元", "亿元"),
            Err(NumberProblem::WrongUnit {
                found: "万元".into(),
                expected: "亿元".into()
            })
        );
        assert!(matches!(
            parse_value("3.5%", "亿元"),
            Err(NumberProblem::WrongUnit { .. })
        ));
    }

    #[test]
    fn everything_else_is_refused() {
        for text in [
            "",
            "abc",
            "约1500",
            "—",
            "-",
            "1.2.3",
            "1 234",
            "12a3",
            "NaN",
            "inf",
            "1..2",
            "1,5亿元",
        ] {
            assert!(parse_value(text, "亿元").is_err(), "{text:?} was accepted");
        }
        assert!(matches!(
            parse_value("1,23", "亿元"),
            Err(NumberProblem::MisplacedComma { .. })
        ));
        assert!(matches!(
            parse_value("1.23457E+11", "元"),
            Err(NumberProblem::Scientific { .. })
        ));
    }

    #[test]
    fn spreadsheet_noise_is_rounded_away() {
        assert_eq!(round_spreadsheet(0.1 + 0.2), 0.3);
        assert_eq!(round_spreadsheet(1234.5), 1234.5);
        assert_eq!(round_spreadsheet(-0.0), -0.0);
    }

    #[test]
    fn years_in_the_usual_spellings() {
        assert_eq!(parse_year("2024"), Some(2024));
        assert_eq!(parse_year("２０２４年"), Some(2024));
        assert_eq!(parse_year("24"), None);
        assert_eq!(parse_year("2024.5"), None);
    }
}
