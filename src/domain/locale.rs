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
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_is_the_default_language() {
        assert_eq!(Locale::from_accept_language(""), Locale::Fr);
        assert_eq!(Locale::from_accept_language("de-DE,es"), Locale::Fr);
    }

    #[test]
    fn the_preferred_of_french_and_english_wins() {
        assert_eq!(
            Locale::from_accept_language("en-CA,en;q=0.9,fr;q=0.8"),
            Locale::En
        );
        assert_eq!(Locale::from_accept_language("en;q=0.5, fr-CA"), Locale::Fr);
        assert_eq!(Locale::from_accept_language("de, en;q=0.3"), Locale::En);
    }

    #[test]
    fn locale_codes_parse_case_insensitively() {
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("fr-CA"), Some(Locale::Fr));
        assert_eq!(Locale::parse("es"), None);
    }
}
