//! Organisations, their contacts and who may do what with them.

use super::fields::Problem;

text_enum! {
    pub enum OrganisationKind {
        AccountingFirm = "accounting_firm",
        Employer = "employer",
        Association = "association",
    }
}

text_enum! {
    pub enum Role {
        Responsable = "responsable",
        Membre = "membre",
    }
}

text_enum! {
    /// Where a contact stands: invited (credentials sent, no account yet), linked to an account,
    /// or revoked by a responsable.
    pub enum ContactStatus {
        Invited = "invited",
        Linked = "linked",
        Revoked = "revoked",
    }
}

impl Role {
    /// Only responsables invite, reissue credentials, change roles and revoke.
    pub fn may_manage_contacts(self) -> bool {
        self == Role::Responsable
    }
}

/// A change that would leave an organisation without any active responsable is refused.
pub fn leaves_a_responsable(active_responsables: i64, target_is_active_responsable: bool) -> bool {
    !target_is_active_responsable || active_responsables > 1
}

/// The commission's file number: digits only (spaces and hyphens forgiven), 6 to 10 of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNumber(String);

impl FileNumber {
    pub fn parse(raw: &str) -> Result<FileNumber, Problem> {
        super::fields::digits(raw, 6..=10, Problem::InvalidFileNumber).map(FileNumber)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Canadian postal code, stored without space in upper case: `H2X1Y4`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(raw: &str) -> Result<PostalCode, Problem> {
        let text: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if text.is_empty() {
            return Err(Problem::Required);
        }
        let shape_ok = text.len() == 6
            && text.chars().enumerate().all(|(i, c)| {
                if i % 2 == 0 {
                    c.is_ascii_uppercase()
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shape_ok {
            return Err(Problem::InvalidPostalCode);
        }
        Ok(PostalCode(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A legacy online-services username: `ci…` (worker), `er…` (employer), `as…`/`ap…` (association).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyUsername(String);

impl LegacyUsername {
    pub fn parse(raw: &str) -> Result<LegacyUsername, Problem> {
        let text = raw.trim().to_ascii_lowercase();
        if text.is_empty() {
            return Err(Problem::Required);
        }
        let known_prefix = ["ci", "er", "as", "ap"].iter().any(|p| text.starts_with(p));
        let rest_ok = text.len() > 2
            && text.len() <= 40
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        if !known_prefix || !rest_ok {
            return Err(Problem::InvalidLegacyUsername);
        }
        Ok(LegacyUsername(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::refuses;

    #[test]
    fn only_responsables_manage_contacts() {
        assert!(Role::Responsable.may_manage_contacts());
        assert!(!Role::Membre.may_manage_contacts());
    }

    #[test]
    fn the_last_responsable_cannot_be_removed() {
        assert!(!leaves_a_responsable(1, true));
        assert!(leaves_a_responsable(2, true));
        assert!(
            leaves_a_responsable(1, false),
            "changing a member never matters"
        );
    }

    #[test]
    fn file_numbers_are_digits() {
        assert_eq!(
            FileNumber::parse(" 123-456 789 ").unwrap().as_str(),
            "123456789"
        );
        assert_eq!(FileNumber::parse(""), Err(Problem::Required));
        let invalid = [
            ("12345", "too short"),
            ("12345678901", "too long"),
            ("12345a", "a letter"),
            ("١٢٣٤٥٦", "Arabic-Indic digits"),
        ];
        refuses(FileNumber::parse, Problem::InvalidFileNumber, &invalid);
    }

    #[test]
    fn postal_codes_are_normalised() {
        assert_eq!(PostalCode::parse("h2x 1y4").unwrap().as_str(), "H2X1Y4");
        assert_eq!(PostalCode::parse("H2X-1Y4").unwrap().as_str(), "H2X1Y4");
        assert_eq!(PostalCode::parse("12345"), Err(Problem::InvalidPostalCode));
        assert_eq!(PostalCode::parse("HHX1Y4"), Err(Problem::InvalidPostalCode));
    }

    #[test]
    fn legacy_usernames_need_a_known_prefix() {
        assert_eq!(
            LegacyUsername::parse(" ER123456 ").unwrap().as_str(),
            "er123456"
        );
        for ok in ["ci1234", "as.jean", "ap_99"] {
            assert!(LegacyUsername::parse(ok).is_ok(), "{ok}");
        }
        let invalid = [
            ("xx1234", "unknown prefix"),
            ("er", "a prefix alone"),
            ("er 12", "a space"),
            ("ér123", "an accent"),
        ];
        refuses(
            LegacyUsername::parse,
            Problem::InvalidLegacyUsername,
            &invalid,
        );
    }

    #[test]
    fn a_stored_status_reads_back_as_the_enum_it_was_written_from() {
        for status in [
            ContactStatus::Invited,
            ContactStatus::Linked,
            ContactStatus::Revoked,
        ] {
            let text = serde_json::to_string(&status).unwrap();
            assert_eq!(text, format!("\"{}\"", status.as_str()));
            assert_eq!(
                serde_json::from_str::<ContactStatus>(&text).unwrap(),
                status
            );
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        assert!(
            serde_json::from_str::<ContactStatus>("\"archived\"").is_err(),
            "a value outside the column's CHECK fails the row instead of passing as a string"
        );
    }

    #[test]
    fn kinds_and_roles_parse_from_their_api_names() {
        assert_eq!(
            OrganisationKind::parse("employer"),
            Ok(OrganisationKind::Employer)
        );
        assert_eq!(OrganisationKind::parse("bank"), Err(Problem::InvalidChoice));
        assert_eq!(Role::parse("membre"), Ok(Role::Membre));
        assert_eq!(Role::parse("admin"), Err(Problem::InvalidChoice));
    }
}
