//! Unicode normalisation and lower case. In the worker they are the runtime's own
//! (`String.prototype.normalize` and `toLowerCase`, the ICU that V8 already carries), so the wasm
//! does not ship a second copy of the Unicode tables (about 25 KB gzip for normalisation, the case
//! table another 11 KB raw); native builds (unit tests, tools) use the `unicode-normalization`
//! crate and `str::to_lowercase`. Both follow the Unicode standard's canonical forms and default
//! case mapping.

/// The canonical composed form (NFC): "e" + combining acute becomes "é".
pub fn nfc(text: &str) -> String {
    imp::nfc(text)
}

/// Lower case with accents removed ("Québec" → "quebec"), for accent-insensitive search.
pub fn fold_for_search(text: &str) -> String {
    lowercase(&imp::without_marks(text))
}

/// The Unicode default lower case of `text` (what `str::to_lowercase` gives).
pub fn lowercase(text: &str) -> String {
    imp::lowercase(text)
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::{JsString, RegExp};

    pub fn nfc(text: &str) -> String {
        JsString::from(text).normalize("NFC").into()
    }

    pub fn lowercase(text: &str) -> String {
        JsString::from(text).to_lower_case().into()
    }

    /// Decomposed (NFD), then every mark (General_Category M) removed.
    pub fn without_marks(text: &str) -> String {
        let marks = RegExp::new("\\p{M}", "gu");
        JsString::from(text)
            .normalize("NFD")
            .replace_by_pattern(&marks, "")
            .into()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;

    pub fn nfc(text: &str) -> String {
        text.nfc().collect()
    }

    pub fn lowercase(text: &str) -> String {
        text.to_lowercase()
    }

    /// Decomposed (NFD), then every mark (General_Category M) removed.
    pub fn without_marks(text: &str) -> String {
        text.nfd().filter(|c| !is_combining_mark(*c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decomposed_accent_is_composed() {
        assert_eq!(nfc("Que\u{301}bec"), "Québec");
    }

    #[test]
    fn search_folds_case_and_accents_whether_composed_or_not() {
        assert_eq!(fold_for_search("Québec ÉTÉ"), "quebec ete");
        assert_eq!(fold_for_search("Que\u{301}bec"), "quebec");
    }
}
