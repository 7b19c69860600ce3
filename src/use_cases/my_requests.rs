//! "Mes demandes": the person's own requests and their state, newest first, a page at a time.

use super::account::parse_activity_cursor;
use super::sessions::Authenticated;
use super::KeysetPage;
use crate::domain::authorization::Services;
use crate::domain::fields::Problem;
use crate::domain::request::RequestKind;
use crate::domain::Millis;
use crate::infra::{App, InfraError};
use crate::storage::my_requests::{self as store, RequestRow};

pub const PAGE: i64 = 20;

/// The kind the list is narrowed to; an empty one is as unknown as any other.
pub fn parse_kind(raw: &str) -> Result<RequestKind, Problem> {
    RequestKind::parse(raw).map_err(|_| Problem::InvalidChoice)
}

/// A keyset position: the last request shown, as `<at>_<id>`.
pub fn parse_cursor(raw: &str) -> Option<(Millis, String)> {
    parse_activity_cursor(raw)
}

pub async fn list(
    app: &App,
    who: &Authenticated,
    kind: Option<RequestKind>,
    after: Option<(Millis, String)>,
) -> Result<KeysetPage<RequestRow>, InfraError> {
    let items = store::list(
        &app.db,
        &who.user.id,
        kind,
        after.as_ref().map(|(at, id)| (*at, id.as_str())),
        app.now,
        PAGE + 1,
    )
    .await?;
    Ok(KeysetPage::of(items, PAGE, |r| (r.at, &r.id)))
}

/// The service codes of a stored set, in the portal's order.
pub fn service_codes(bits: Option<i64>) -> Vec<&'static str> {
    bits.map(Services::codes_of).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_kinds_narrow_the_list() {
        for kind in [
            RequestKind::AccessRequest,
            RequestKind::LinkRequest,
            RequestKind::MonthlyReport,
        ] {
            assert_eq!(parse_kind(kind.as_str()), Ok(kind));
        }
        for bad in ["", "Access_request", "report", "access_request "] {
            assert_eq!(parse_kind(bad), Err(Problem::InvalidChoice), "{bad:?}");
        }
    }

    #[test]
    fn services_read_as_their_codes_and_nothing_when_absent() {
        assert_eq!(service_codes(Some(9)), vec!["workforce", "monthly_report"]);
        assert!(service_codes(None).is_empty());
        assert!(service_codes(Some(0)).is_empty());
    }
}
