//! Field-level validation problems, collected so one answer can list every wrong field.

/// Why one field was rejected. The HTTP layer turns each into a sentence in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    NotAString,
    NotABoolean,
    TooLong,
    InvalidEmail,
    PasswordTooShort,
    PasswordTooLong,
    PasswordTooCommon,
    PasswordContainsEmail,
    PasswordMismatch,
    InvalidName,
    TermsNotAccepted,
    InvalidLocale,
    InvalidCode,
    InvalidId,
    InvalidChoice,
    InvalidLinkIdentifier,
    InvalidLinkCode,
    InvalidFileNumber,
    InvalidPostalCode,
    InvalidLegacyUsername,
    InvalidSearch,
    /// A search longer than a database pattern allows (bytes, after folding and escaping).
    SearchTooLong,
    DuplicateChoice,
    NotAList,
    InvalidDate,
    EndBeforeStart,
    DateInPast,
    InvalidCursor,
    NotYourOrganisation,
    UnknownContact,
    UnknownFileNumber,
    InvalidText,
    EmployersOnly,
    TooFarAhead,
    InvalidImportItem,
    InvalidSyncCursor,
    InvalidSyncLimit,
    InvalidUrl,
    HttpsRequired,
    AddressNotAllowed,
    /// A webhook URL on a port other than 443 or 8443.
    PortNotAllowed,
    WrongPassword,
    SameEmail,
    InvalidMonth,
    FutureMonth,
    InvalidCredential,
}

/// Every rejected field of one request, by field name (ordered, for stable answers). A sorted
/// list rather than a `BTreeMap`: a request rejects a handful of fields, and the map's code for
/// this one key and value type weighed more in the wasm than the search below.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, Problem)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        if let Err(at) = self.0.binary_search_by(|(name, _)| name.cmp(&field)) {
            self.0.insert(at, (field, problem));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Problem)> + '_ {
        self.0.iter().copied()
    }

    pub fn get(&self, field: &str) -> Option<Problem> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, problem)| *problem)
    }

    /// Keeps the value when valid, records the problem under `field` otherwise.
    pub fn take<T>(&mut self, field: &'static str, result: Result<T, Problem>) -> Option<T> {
        result.map_err(|problem| self.add(field, problem)).ok()
    }

    /// `Ok(value)` when no field was rejected.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// A number as typed (a code, a file number): spaces and hyphens forgiven; `count` digits in
/// all, or `invalid`.
pub fn digits(
    raw: &str,
    count: std::ops::RangeInclusive<usize>,
    invalid: Problem,
) -> Result<String, Problem> {
    let digits: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.is_empty() {
        return Err(Problem::Required);
    }
    if !count.contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid);
    }
    Ok(digits)
}

/// Rejects text that would render misleadingly: control characters and bidirectional overrides.
pub fn has_hidden_characters(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
    })
}

/// A short free text (a message, a reason): at most 500 characters, nothing hidden.
pub fn free_text(raw: &str) -> Result<String, Problem> {
    let text = raw.trim();
    if text.chars().count() > 500 {
        Err(Problem::TooLong)
    } else if has_hidden_characters(text.replace(['\n', '\r', '\t'], " ").as_str()) {
        Err(Problem::InvalidText)
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_problem_of_a_field_is_the_one_kept() {
        let mut errors = FieldErrors::default();
        errors.add("email", Problem::Required);
        errors.add("email", Problem::InvalidEmail);
        assert_eq!(errors.get("email"), Some(Problem::Required));
    }

    #[test]
    fn problems_are_listed_by_field_name_whatever_the_order_they_were_found_in() {
        let mut one = FieldErrors::default();
        one.add("password", Problem::Required);
        one.add("email", Problem::InvalidEmail);
        one.add("name", Problem::TooLong);
        let mut other = FieldErrors::default();
        other.add("name", Problem::TooLong);
        other.add("email", Problem::InvalidEmail);
        other.add("password", Problem::Required);
        assert_eq!(one, other);
        let names: Vec<&str> = one.iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["email", "name", "password"]);
        assert_eq!(one.get("name"), Some(Problem::TooLong));
        assert_eq!(one.get("missing"), None);
    }

    #[test]
    fn hidden_characters_are_detected() {
        assert!(has_hidden_characters("abc\u{202E}def"));
        assert!(has_hidden_characters("a\u{0000}b"));
        assert!(has_hidden_characters("zero\u{200B}width"));
        assert!(!has_hidden_characters("Hélène Côté-Ouellet"));
    }
}
