//! The text encoding of a CSV file: UTF-8 (with or without a byte-order mark)
//! or GB18030, and a file that mixes the two refused at the first row where
//! they disagree.

use super::*;
use std::borrow::Cow;

/// The text encodings import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GB18030 (a superset of GBK/GB2312), which Chinese Excel writes for "CSV".
    Gb18030,
}

impl TextEncoding {
    /// The encoding's usual name.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
        }
    }
}

/// Decodes CSV bytes, which must be in one encoding throughout: a UTF-8
/// byte-order mark means UTF-8; otherwise valid UTF-8 is taken as UTF-8
/// (GB18030 text is almost never valid UTF-8, so the guess is safe); anything
/// else must decode as GB18030 without errors and hold no UTF-8 text. A file
/// pasted together from a UTF-8 and a GB18030 file decodes as GB18030 without
/// an error, its UTF-8 part as nonsense (统计年报 → 缁熻骞存姤): it is refused
/// at the first row that disagrees with the rows before it, not guessed at.
pub fn decode_text(bytes: &[u8]) -> Result<(Cow<'_, str>, TextEncoding), Unreadable> {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return std::str::from_utf8(rest)
            .map(|text| (Cow::Borrowed(text), TextEncoding::Utf8))
            .map_err(|e| {
                let at = e.valid_up_to() + 3;
                at_byte(
                    bytes,
                    at,
                    format!(
                        "byte {at} is not UTF-8, but the file starts with a UTF-8 byte-order \
                         mark; it mixes encodings: save it again as \"CSV UTF-8\""
                    ),
                )
            });
    }
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(Unreadable::of_file(
            "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" instead"
                .to_string(),
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), TextEncoding::Utf8));
    }
    if let Some(mixed) = mixed_encodings(bytes) {
        return Err(mixed);
    }
    if let Some(text) =
        encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Ok((text, TextEncoding::Gb18030));
    }
    let at = first_undecodable_gb18030(bytes);
    Err(at_byte(
        bytes,
        at,
        format!("byte {at} is neither UTF-8 nor GB18030 text; save the file as \"CSV UTF-8\""),
    ))
}

/// An unreadable file, found at a byte: the row is the line the byte is on.
pub(super) fn at_byte(bytes: &[u8], at: usize, message: String) -> Unreadable {
    let row = bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    Unreadable {
        row: u32::try_from(row).unwrap_or(u32::MAX),
        message,
    }
}

/// What a line's non-ASCII bytes say about the file's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Evidence {
    /// Not UTF-8 (from the byte given on).
    NotUtf8,
    /// UTF-8 with a character of three bytes or more (all Chinese characters):
    /// GB18030 text of that shape is valid UTF-8 almost never.
    Utf8,
}

/// Where the lines of a file that is not valid UTF-8 disagree about its
/// encoding: a line that is UTF-8 text after one that is not, or the reverse.
/// Lines of ASCII, and UTF-8 lines of two-byte characters only (which GB18030
/// text can form by chance), say nothing.
pub(super) fn mixed_encodings(bytes: &[u8]) -> Option<Unreadable> {
    let mut first: Option<(Evidence, usize)> = None;
    let mut offset = 0;
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let row = index + 1;
        if let Some((evidence, at)) = line_evidence(line) {
            match first {
                None => first = Some((evidence, row)),
                Some((seen, seen_row)) if seen != evidence => {
                    let at = offset + at;
                    let message = match evidence {
                        Evidence::NotUtf8 => format!(
                            "byte {at} is not UTF-8, but row {seen_row} is UTF-8 text: the file \
                             mixes encodings (rows pasted from files saved differently?); \
                             save the whole file again as \"CSV UTF-8\""
                        ),
                        Evidence::Utf8 => format!(
                            "byte {at} starts UTF-8 text, but row {seen_row} is not UTF-8 \
                             (GB18030?): the file mixes encodings (rows pasted from files \
                             saved differently?); save the whole file again as \"CSV UTF-8\""
                        ),
                    };
                    return Some(Unreadable {
                        row: u32::try_from(row).unwrap_or(u32::MAX),
                        message,
                    });
                }
                Some(_) => {}
            }
        }
        offset += line.len() + 1;
    }
    None
}

/// What a line says about the encoding, and the byte in it that says so.
pub(super) fn line_evidence(line: &[u8]) -> Option<(Evidence, usize)> {
    let start = line.iter().position(|b| !b.is_ascii())?;
    match std::str::from_utf8(&line[start..]) {
        Err(e) => Some((Evidence::NotUtf8, start + e.valid_up_to())),
        Ok(_) => line[start..]
            .iter()
            .any(|&b| b >= 0xe0)
            .then_some((Evidence::Utf8, start)),
    }
}

/// The offset of the first byte GB18030 cannot decode, in bytes that have one.
pub(super) fn first_undecodable_gb18030(bytes: &[u8]) -> usize {
    use encoding_rs::DecoderResult;
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut scratch = String::with_capacity(64 * 1024);
    let mut read = 0;
    loop {
        scratch.clear();
        let (result, consumed) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut scratch, true);
        read += consumed;
        match result {
            DecoderResult::OutputFull => {}
            DecoderResult::InputEmpty => return bytes.len(),
            DecoderResult::Malformed(bad, after) => {
                return read - usize::from(bad) - usize::from(after)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_means_utf8() {
        let (text, encoding) = decode_text("\u{feff}指标代码".as_bytes()).unwrap();
        assert_eq!(encoding, TextEncoding::Utf8);
        assert_eq!(text, "指标代码");
    }

    #[test]
    fn valid_utf8_without_bom_is_utf8() {
        let (text, encoding) = decode_text("年份,2024".as_bytes()).unwrap();
        assert_eq!((text.as_ref(), encoding), ("年份,2024", TextEncoding::Utf8));
    }

    #[test]
    fn other_bytes_are_read_as_gb18030() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("指标代码,本年数值\n研发,3.4");
        let (text, encoding) = decode_text(&bytes).unwrap();
        assert_eq!(encoding, TextEncoding::Gb18030);
        assert_eq!(text, "指标代码,本年数值\n研发,3.4");
    }

    #[test]
    fn undecodable_and_utf16_files_are_refused() {
        assert!(decode_text(b"\xff\xfe\x41\x00").is_err());
        assert!(decode_text(b"code\x80\xff").is_err());
        assert!(decode_text(b"\xef\xbb\xbfcode\xff").is_err());
    }

    #[test]
    fn a_file_mixing_utf8_and_gb18030_is_refused_at_the_first_disagreeing_row() {
        let (gb, _, _) = encoding_rs::GB18030.encode("研发经费,统计年报");
        let mut bytes = "code,source\nrd,统计年报\nrd2,".as_bytes().to_vec();
        let offset = bytes.len();
        bytes.extend_from_slice(&gb);
        let error = decode_text(&bytes).unwrap_err();
        assert_eq!(error.row, 3, "{error:?}");
        assert!(
            error.message.contains(&format!("byte {offset} ")),
            "{error:?}"
        );
        assert!(error.message.contains("row 2 is UTF-8"), "{error:?}");

        let mut bytes = b"code,source\nrd,".to_vec();
        bytes.extend_from_slice(&gb);
        bytes.extend_from_slice("\nrd2,统计年报\n".as_bytes());
        let error = decode_text(&bytes).unwrap_err();
        assert_eq!(error.row, 3, "{error:?}");
        assert!(error.message.contains("row 2 is not UTF-8"), "{error:?}");
    }

    #[test]
    fn a_bom_file_with_other_bytes_names_the_row_of_the_first() {
        let error = decode_text(b"\xef\xbb\xbfcode\nrd\n\xff").unwrap_err();
        assert_eq!(error.row, 3);
        assert!(error.message.contains("byte 11 "), "{error:?}");
    }

    #[test]
    fn an_undecodable_byte_is_named() {
        let error = decode_text(b"code\nrd,\xff\n").unwrap_err();
        assert_eq!((error.row, error.message.contains("byte 8 ")), (2, true));
        // Past the first buffer the search decodes into.
        let mut bytes = encoding_rs::GB18030
            .encode(&"研发\n".repeat(50_000))
            .0
            .into_owned();
        let at = bytes.len();
        bytes.extend_from_slice(b"\xff");
        let error = decode_text(&bytes).unwrap_err();
        assert_eq!(error.row, 50_001);
        assert!(error.message.contains(&format!("byte {at} ")), "{error:?}");
    }
}
