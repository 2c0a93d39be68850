//! The numbers of a manifest and of a row digest: unsigned LEB128, and signed
//! numbers zigzag-encoded so that small negatives stay short. A leaf, so that
//! the digest and the manifest can both use it without using each other.

/// Writes `value` as an unsigned LEB128 number into `out` (room for 10
/// bytes); returns how many bytes it took.
pub(super) fn write_varint(out: &mut [u8], mut value: u64) -> usize {
    let mut used = 0;
    while value >= 0x80 {
        out[used] = (value as u8) | 0x80;
        value >>= 7;
        used += 1;
    }
    out[used] = value as u8;
    used + 1
}

/// A signed number as an unsigned one, so that small negatives stay short.
pub(super) fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// Appends `value` as an unsigned LEB128 number.
pub(super) fn put_varint(out: &mut Vec<u8>, value: u64) {
    let mut bytes = [0; 10];
    let used = write_varint(&mut bytes, value);
    out.extend_from_slice(&bytes[..used]);
}

/// Appends a signed number, zigzag-encoded.
pub(super) fn put_signed(out: &mut Vec<u8>, value: i64) {
    put_varint(out, zigzag(value));
}
