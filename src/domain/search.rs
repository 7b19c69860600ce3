//! Searches by word prefix and number fragment. They read kept key tables (`authorized_file_keys`,
//! `contact_keys`, `employer_authorization_keys` in schema.sql), which hold the word prefixes of
//! 3 to 20 characters and the number fragments of 3 or 4 digits, each in list order; what those
//! keys cannot answer alone is checked row by row with `LIKE` patterns, which D1 refuses past 50
//! bytes, so a search is also measured in bytes once `\`, `%` and `_` are escaped, wildcards
//! included.

/// The shortest word that reads the keys: a shorter prefix matches so many rows that reading the
/// list in order, until the page is full, costs little.
pub const MIN_KEY_CHARS: usize = 3;
/// The longest number fragment the keys hold: a longer one reads the key of its first digits (a
/// handful of rows at most) and each row is checked against the whole fragment.
pub const MAX_NUMBER_KEY_CHARS: usize = 4;
/// The longest word prefix the keys hold, likewise.
pub const MAX_WORD_KEY_CHARS: usize = 20;

/// The words of a search box (see [`super::authorization::search_words`]): `None` when it is
/// empty or blank, which is no search; otherwise its words, none at all for punctuation alone,
/// which matches nothing.
pub fn words_of_search(query: Option<&str>) -> Option<Vec<String>> {
    query
        .filter(|q| !q.trim().is_empty())
        .map(super::authorization::search_words)
}

/// Whether a search word is all digits: it also matches a fragment of a file number.
pub fn is_number(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
}

/// The search word that reads the keys: the longest, as the longest prefix is likely the rarest.
/// Every word is still checked against each row.
pub fn keyed_word(words: &[String]) -> Option<&str> {
    words
        .iter()
        .map(|w| (w.chars().count(), w))
        .filter(|(chars, _)| *chars >= MIN_KEY_CHARS)
        .max_by_key(|(chars, _)| *chars)
        .map(|(_, w)| w.as_str())
}

/// The key that holds every row a search word matches: the word itself, or its longest prefix
/// the keys hold.
pub fn key_of(word: &str) -> String {
    let longest = if is_number(word) {
        MAX_NUMBER_KEY_CHARS
    } else {
        MAX_WORD_KEY_CHARS
    };
    word.chars().take(longest).collect()
}

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

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_blank_box_is_no_search_and_punctuation_alone_is_a_search_without_words() {
        assert_eq!(words_of_search(None), None);
        assert_eq!(words_of_search(Some(" ")), None);
        assert_eq!(words_of_search(Some("%_")), Some(Vec::new()));
        assert_eq!(
            words_of_search(Some("Hélène CÔTÉ")),
            Some(words(&["helene", "cote"]))
        );
    }

    #[test]
    fn the_longest_word_reads_the_keys() {
        let search = words(&["constr", "queb", "12345"]);
        assert_eq!(keyed_word(&search), Some("constr"));
    }

    #[test]
    fn words_shorter_than_three_characters_read_no_key_unless_a_longer_word_does() {
        for short in [["12"], ["é"], ["ab"]] {
            assert_eq!(keyed_word(&words(&short)), None, "{short:?}");
        }
        assert_eq!(keyed_word(&words(&["12", "élan"])), Some("élan"));
        assert_eq!(keyed_word(&words(&["123"])), Some("123"));
    }

    #[test]
    fn long_fragments_and_long_words_read_the_key_of_their_first_characters() {
        assert_eq!(key_of("12345678"), "1234");
        assert_eq!(key_of(&"é".repeat(25)), "é".repeat(20));
        assert_eq!(key_of("gagne"), "gagne");
    }

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
