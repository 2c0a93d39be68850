//! Line breaking for Chinese text mixed with Latin words and numbers.
//!
//! Pure functions, independent of fonts and PDF: the caller passes the advance
//! width of each character. Rules (a simplified GB/T 15834 / JIS X 4051
//! "kinsoku"):
//! - a line may break between any two CJK characters and after a space;
//! - runs of Latin letters, digits and their punctuation (`1500.0`, `3.5%`,
//!   `GDP`) are not split unless a single run is wider than the whole line;
//! - closing punctuation (`，。、；：！？）」』】》”’` and ASCII `,.;:!?)%`) never
//!   starts a line, opening punctuation (`（「『【《“‘` and ASCII `(`) never
//!   ends one: they stay glued to their neighbour;
//! - the two halves of `——` and `……` stay together.

/// Tolerance for "fits exactly": widths are sums of floats.
const EPS: f32 = 1e-3;

/// One output line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// The text of the line, without trailing spaces.
    pub text: String,
    /// First line of a paragraph (or of a `\n`-separated part): it gets the indent.
    pub first: bool,
    /// Last line of a paragraph (or part): it is not justified.
    pub last: bool,
}

/// Breaks `text` into lines no wider than `width`; the first line of every
/// `\n`-separated part is `indent` narrower. `advance` gives the width of one
/// character in the same unit as `width`.
pub(crate) fn break_lines(
    text: &str,
    width: f32,
    indent: f32,
    advance: impl Fn(char) -> f32,
) -> Vec<Line> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for part in text.split('\n') {
        let part = part.strip_suffix('\r').unwrap_or(part);
        let start = out.len();
        break_part(part, width, indent, &advance, &mut out);
        if out.len() == start {
            // An empty part still takes a line (blank line between parts).
            out.push(Line {
                text: String::new(),
                first: true,
                last: true,
            });
        }
        if let Some(first) = out.get_mut(start) {
            first.first = true;
        }
        if let Some(last) = out.last_mut() {
            last.last = true;
        }
    }
    out
}

/// Like [`break_lines`] without indent, but with lines of similar length:
/// the narrowest width that still gives as few lines as the full width. For
/// centred titles, where a long first line over a stub looks unbalanced.
pub(crate) fn balanced_lines(text: &str, width: f32, advance: impl Fn(char) -> f32) -> Vec<Line> {
    let greedy = break_lines(text, width, 0.0, &advance);
    if greedy.len() < 2 {
        return greedy;
    }
    let (mut lo, mut hi) = (0.0f32, width);
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if break_lines(text, mid, 0.0, &advance).len() <= greedy.len() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    break_lines(text, hi, 0.0, &advance)
}

/// Whether justification may widen the gap between `prev` and `next`: the
/// places where a line may break, so that numbers and Latin words stay tight.
pub(crate) fn is_gap(prev: char, next: char) -> bool {
    may_break(prev, next)
}

/// Greedy fill of one `\n`-free part, appending lines to `out`.
fn break_part(
    part: &str,
    width: f32,
    indent: f32,
    advance: &impl Fn(char) -> f32,
    out: &mut Vec<Line>,
) {
    // Tabs count as spaces; other control characters have no glyph and go.
    let chars: Vec<char> = part
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    let mut limit = width - indent;
    let mut line = String::new();
    // Width of `line` including its trailing spaces, which only count when
    // something follows them on the same line.
    let mut line_w = 0.0f32;

    for seg in segments(&chars) {
        let seg_chars = &chars[seg.0..seg.1];
        let core_len = seg_chars
            .iter()
            .rposition(|c| !c.is_whitespace())
            .map_or(0, |i| i + 1);
        let core_w: f32 = seg_chars[..core_len].iter().map(|&c| advance(c)).sum();
        let full_w: f32 = core_w
            + seg_chars[core_len..]
                .iter()
                .map(|&c| advance(c))
                .sum::<f32>();

        if !line.is_empty() && line_w + core_w > limit + EPS {
            push_line(out, &mut line);
            limit = width;
            line_w = 0.0;
        }
        if line.is_empty() && core_w > limit + EPS {
            // A single unbreakable run wider than the line: split it anywhere.
            for &c in seg_chars {
                let w = advance(c);
                if !line.is_empty() && !c.is_whitespace() && line_w + w > limit + EPS {
                    push_line(out, &mut line);
                    limit = width;
                    line_w = 0.0;
                }
                line.push(c);
                line_w += w;
            }
            continue;
        }
        line.extend(seg_chars);
        line_w += full_w;
    }
    if !line.trim_end().is_empty() {
        push_line(out, &mut line);
    }
}

/// Appends `line` (without trailing spaces) to `out` and clears it.
fn push_line(out: &mut Vec<Line>, line: &mut String) {
    out.push(Line {
        text: line.trim_end().to_string(),
        first: false,
        last: false,
    });
    line.clear();
}

/// Splits `chars` into unbreakable segments `(start, end)`; a line may only
/// break between segments. Trailing spaces belong to the segment before them.
fn segments(chars: &[char]) -> Vec<(usize, usize)> {
    let mut segs = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        if may_break(chars[i - 1], chars[i]) {
            segs.push((start, i));
            start = i;
        }
    }
    if start < chars.len() {
        segs.push((start, chars.len()));
    }
    segs
}

/// Whether a line may break between `prev` and `next`.
fn may_break(prev: char, next: char) -> bool {
    if next.is_whitespace() || is_closing(next) || is_opening(prev) {
        return false;
    }
    if prev == next && matches!(prev, '—' | '…') {
        return false;
    }
    prev.is_whitespace() || is_cjk(prev) || is_cjk(next)
}

/// Punctuation that must not start a line.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '】'
            | '》'
            | '〉'
            | '〕'
            | '〗'
            | '”'
            | '’'
            | '．'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Punctuation that must not end a line.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '（' | '「' | '『' | '【' | '《' | '〈' | '〔' | '〖' | '“' | '‘' | '(' | '[' | '{'
    )
}

/// Characters set solid in CJK text, between which a line may break: ideographs,
/// kana, CJK and full-width punctuation, and the general punctuation block
/// (quotes, dashes, ellipsis) that Chinese text uses in full width.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2010..=0x2027
        | 0x2E80..=0x2FDF
        | 0x3000..=0x30FF
        | 0x3100..=0x312F
        | 0x3200..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test metric: CJK = 1, space = 0.25, anything else = 0.5.
    fn adv(c: char) -> f32 {
        if is_cjk(c) {
            1.0
        } else if c == ' ' {
            0.25
        } else {
            0.5
        }
    }

    fn texts(text: &str, width: f32) -> Vec<String> {
        break_lines(text, width, 0.0, adv)
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn breaks_between_any_cjk_characters() {
        assert_eq!(texts("一二三四五六七", 3.0), ["一二三", "四五六", "七"]);
    }

    #[test]
    fn exact_fit_stays_on_one_line() {
        assert_eq!(texts("一二三四五", 5.0), ["一二三四五"]);
        assert_eq!(texts("一二三四五", 4.99), ["一二三四", "五"]);
        // 0.1 + 0.2 style float sums must not push an exactly fitting line over.
        let third = |_: char| 1.0f32 / 3.0;
        let lines = break_lines("abcdefghi", 3.0, 0.0, third);
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        // "。" would start line 2: the previous character moves down with it.
        assert_eq!(texts("一二三四。五", 4.0), ["一二三", "四。五"]);
        for p in [
            '，', '、', '；', '：', '！', '？', '）', '」', '』', '】', '》', '”', '’',
        ] {
            let text = format!("一二三四{p}五");
            for line in texts(&text, 4.0) {
                assert!(!line.starts_with(p), "{text:?} -> line {line:?}");
            }
        }
        // ASCII closers and the percent sign too.
        for p in [',', '.', ';', ':', '!', '?', ')', '%'] {
            let text = format!("一二三四{p}五");
            for line in texts(&text, 4.0) {
                assert!(!line.starts_with(p), "{text:?} -> line {line:?}");
            }
        }
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        assert_eq!(texts("一二三（四五）", 4.0), ["一二三", "（四五）"]);
        for p in ['（', '「', '『', '【', '《', '“', '‘', '('] {
            let text = format!("一二三{p}四五六");
            for line in texts(&text, 4.0) {
                assert!(!line.ends_with(p), "{text:?} -> line {line:?}");
            }
        }
    }

    #[test]
    fn consecutive_closers_stay_together() {
        // "。”" both move with "四".
        assert_eq!(texts("一二三四。”五", 5.0), ["一二三", "四。”五"]);
    }

    #[test]
    fn latin_runs_and_numbers_are_kept_together() {
        // "1500.0" is 3.0 wide; it does not fit after "一二" in width 4, so it moves whole.
        assert_eq!(texts("一二1500.0亿元", 4.0), ["一二", "1500.0亿", "元"]);
        assert_eq!(texts("增长3.5%，好", 4.0), ["增长", "3.5%，好"]);
        // Spaces separate Latin words; the space at the break disappears.
        assert_eq!(texts("GDP growth rate", 4.0), ["GDP", "growth", "rate"]);
    }

    #[test]
    fn overlong_run_is_split_anyway() {
        let lines = texts("一abcdefghijkl二", 2.0);
        assert!(lines.iter().all(|l| l.chars().map(adv).sum::<f32>() <= 2.0));
        assert_eq!(lines.concat(), "一abcdefghijkl二");
    }

    #[test]
    fn dashes_and_ellipses_are_not_split() {
        // Without the rule the first dash would end line 1 and the second start line 2.
        assert_eq!(texts("一二——", 3.0), ["一二", "——"]);
        assert_eq!(texts("一二……", 3.0), ["一二", "……"]);
    }

    #[test]
    fn indent_and_hard_breaks() {
        let lines = break_lines("一二三四五\n六七", 4.0, 2.0, adv);
        let t: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(t, ["一二", "三四五", "六七"]);
        assert!(lines[0].first && !lines[0].last);
        assert!(!lines[1].first && lines[1].last);
        assert!(lines[2].first && lines[2].last);
        // Blank parts keep their line; an empty text has none.
        assert_eq!(texts("一\n\n二", 4.0), ["一", "", "二"]);
        assert!(texts("", 4.0).is_empty());
    }

    #[test]
    fn balanced_lines_even_out_titles() {
        let lines: Vec<String> = balanced_lines("一二三四五六七", 6.0, adv)
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(lines, ["一二三四", "五六七"]);
        // One line stays one line.
        assert_eq!(balanced_lines("一二三", 6.0, adv).len(), 1);
    }

    #[test]
    fn justification_gaps_skip_numbers_and_words() {
        let gaps = |s: &str| {
            let c: Vec<char> = s.chars().collect();
            c.windows(2).filter(|w| is_gap(w[0], w[1])).count()
        };
        assert_eq!(gaps("增长3.5%，达到"), 4); // 增|长|3.5%，|达|到
        assert_eq!(gaps("GDP growth"), 1);
    }

    #[test]
    fn nothing_is_lost() {
        let text = "“十四五”时期，全区地区生产总值年均增长6.5%，达到1500.0亿元（2025年）。";
        for w in [3.0, 5.0, 8.0, 13.0] {
            let joined: String = texts(text, w).concat();
            assert_eq!(joined, text, "width {w}");
        }
    }
}
