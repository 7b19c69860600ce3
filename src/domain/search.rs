//! Searches that reach SQL as `LIKE` patterns: D1 refuses a pattern longer than 50 bytes, so a
//! search is measured in bytes once `\`, `%` and `_` are escaped, wildcards included.

/// The longest `LIKE` pattern D1 accepts, in bytes.
pub const MAX_LIKE_PATTERN_BYTES: usize = 50;

/// Whether `text`, escaped and surrounded by `wildcards` bytes of `%` (and spaces), makes a
/// pattern D1 accepts.
pub fn fits_like_pattern(text: &str, wildcards: usize) -> bool {
    let escapes = text
        .bytes()
        .filter(|b| matches!(b, b'\\' | b'%' | b'_'))
        .count();
    text.len() + escapes + wildcards <= MAX_LIKE_PATTERN_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_is_measured_in_bytes_not_characters() {
        assert!(fits_like_pattern(&"a".repeat(48), 2));
        assert!(!fits_like_pattern(&"a".repeat(49), 2));
        assert!(fits_like_pattern(&"é".repeat(24), 2), "48 bytes");
        assert!(
            !fits_like_pattern(&"é".repeat(25), 2),
            "25 characters, 50 bytes"
        );
        assert!(!fits_like_pattern(&"漢".repeat(17), 0), "51 bytes");
    }

    #[test]
    fn escaped_characters_count_twice() {
        assert!(fits_like_pattern(&"_".repeat(24), 2));
        assert!(!fits_like_pattern(&format!("{}a", "_".repeat(24)), 2));
        assert!(!fits_like_pattern(&"%".repeat(25), 1));
        assert!(!fits_like_pattern(&"\\".repeat(25), 1));
    }
}
