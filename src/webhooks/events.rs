//! The domain events an endpoint may subscribe to.

use crate::domain::fields::Problem;

/// Every event type a webhook endpoint can ask for, in the order the API lists them.
pub const EVENT_TYPES: [&str; 11] = [
    "authorization.granted",
    "authorization.changed",
    "authorization.revoked",
    "authorization.expiring",
    "authorization.expired",
    "contact.linked",
    "contact.revoked",
    "access_request.created",
    "access_request.answered",
    "monthly_report.transmitted",
    "monthly_report.corrected",
];

/// The event types one endpoint wants: at least one, each known, none twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypes(Vec<&'static str>);

impl EventTypes {
    pub fn parse(requested: &[&str]) -> Result<EventTypes, Problem> {
        if requested.is_empty() {
            return Err(Problem::Required);
        }
        let mut types = Vec::with_capacity(requested.len());
        for wanted in requested {
            let known = EVENT_TYPES
                .iter()
                .find(|known| *known == wanted)
                .ok_or(Problem::InvalidChoice)?;
            if types.contains(known) {
                return Err(Problem::DuplicateChoice);
            }
            types.push(*known);
        }
        Ok(EventTypes(types))
    }

    /// As stored: a JSON array of strings.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("a list of strings serializes")
    }

    pub fn as_slice(&self) -> &[&'static str] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_event_types_are_accepted_in_the_order_given() {
        let types = EventTypes::parse(&["contact.linked", "authorization.granted"]).unwrap();
        assert_eq!(
            types.as_slice(),
            &["contact.linked", "authorization.granted"]
        );
        assert_eq!(
            types.to_json(),
            r#"["contact.linked","authorization.granted"]"#
        );
    }

    #[test]
    fn an_empty_unknown_or_repeated_choice_is_refused() {
        assert_eq!(EventTypes::parse(&[]), Err(Problem::Required));
        assert_eq!(
            EventTypes::parse(&["authorization.*"]),
            Err(Problem::InvalidChoice)
        );
        assert_eq!(
            EventTypes::parse(&["Contact.Linked"]),
            Err(Problem::InvalidChoice),
            "types are exact"
        );
        assert_eq!(
            EventTypes::parse(&["contact.linked", "contact.linked"]),
            Err(Problem::DuplicateChoice)
        );
    }
}
