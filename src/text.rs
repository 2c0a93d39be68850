//! Number formatting shared by the explanations, the terminal tables and the
//! reports, so the same value reads the same everywhere.

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
}
