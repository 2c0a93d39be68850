//! A small stable hash for the identifiers that must not depend on the run.

/// 64-bit FNV-1a hash: a small, stable hash for deterministic identifiers
/// (the file ID and the font subset tag), which must not depend on the run.
pub(crate) fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
