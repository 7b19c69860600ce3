//! The two languages of the portal: French first, English available.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub fn parse(value: &str) -> Option<Locale> {
        match value.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-ca" => Some(Locale::Fr),
            "en" | "en-ca" => Some(Locale::En),
            _ => None,
        }
    }

    /// The text of this language among a French and an English one.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// The preferred of the two languages in an `Accept-Language` header, French when neither
    /// is named (the portal speaks French first).
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(u64, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(quality))
                .unwrap_or(ONE);
            let primary = tag.split('-').next().unwrap_or("");
            let Some(locale) = Locale::parse(primary) else {
                continue;
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, locale)| locale).unwrap_or_default()
    }
}

/// A quality of 1 in [`quality`]'s unit.
const ONE: u64 = 1_000_000_000;

/// A `q=` value (`0.8`, `1`, `.5`) in billionths, exactly: decimal digits with at most one point.
/// Parsed by hand because a float parser brings its tables into the worker for this one header.
fn quality(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole = whole.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    let fraction = (0..9).fold(0u64, |n, i| {
        n * 10
            + fraction
                .as_bytes()
                .get(i)
                .map_or(0, |b| u64::from(b - b'0'))
    });
    Some(whole.saturating_mul(ONE).saturating_add(fraction))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each header and the language it picks, with why.
    fn picks(cases: &[(&str, Locale, &str)]) {
        for (header, expected, why) in cases {
            assert_eq!(
                Locale::from_accept_language(header),
                *expected,
                "{why}: {header:?}"
            );
        }
    }

    #[test]
    fn french_is_the_default_language() {
        picks(&[
            ("", Locale::Fr, "no header"),
            ("de-DE,es", Locale::Fr, "neither language"),
        ]);
    }

    #[test]
    fn the_preferred_of_french_and_english_wins() {
        picks(&[
            ("en-CA,en;q=0.9,fr;q=0.8", Locale::En, "English first"),
            ("en;q=0.5, fr-CA", Locale::Fr, "French at quality 1"),
            ("de, en;q=0.3", Locale::En, "English the only one named"),
        ]);
    }

    #[test]
    fn qualities_compare_as_decimals_and_an_unreadable_one_counts_as_one() {
        picks(&[
            ("en;q=0.8, fr;q=0.85", Locale::Fr, "0.85 above 0.8"),
            ("fr;q=0.25, en;q=.5", Locale::En, "a leading dot"),
            ("en;q=1.0, fr;q=0.999", Locale::En, "1.0 above 0.999"),
            ("en;q=0.9, fr;q=0.8x", Locale::Fr, "unreadable: one"),
            ("fr;q=0, en;q=.", Locale::En, "zero is never picked"),
        ]);
        assert_eq!(quality("0.5"), Some(ONE / 2));
        assert_eq!(quality("1"), Some(ONE));
        assert_eq!(quality("-1"), None);
    }

    #[test]
    fn locale_codes_parse_case_insensitively() {
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("fr-CA"), Some(Locale::Fr));
        assert_eq!(Locale::parse("es"), None);
    }
}
