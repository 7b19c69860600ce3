use super::*;
use crate::domain::authorization::{Level, Service};
use crate::domain::email::Email;
use crate::domain::organisation::FileNumber;
use crate::domain::time::Day;
use crate::domain::Millis;
use crate::json;
use serde_json::Value;

const NOW: Millis = 1_795_790_000_000; // 2026-11-27, Montreal

fn relation(overrides: Value) -> Value {
    let mut base = json!({
        "type": "relation", "legacy_id": "R-1", "employer_file_number": "2000001",
        "firm_file_number": "1000001", "contact_email": "marie@cabinet.example",
        "services": ["GMO", "rm"], "level": "consultation", "starts_on": "2020-01-01", "ends_on": null,
    });
    for (key, value) in overrides.as_object().unwrap() {
        base[key] = value.clone();
    }
    base
}

fn refusal(value: Value) -> Option<(Reason, Option<&'static str>)> {
    ParsedLine::read(1, &value)
        .record
        .err()
        .map(|r| (r.reason, r.field))
}

#[test]
fn legacy_service_codes_map_to_services_ignoring_case() {
    assert_eq!(service_of_code("GMO"), Some(Service::Workforce));
    assert_eq!(service_of_code(" idc "), Some(Service::SiteIdentification));
    assert_eq!(service_of_code("Les"), Some(Service::StatusLetter));
    assert_eq!(service_of_code("rm"), Some(Service::MonthlyReport));
    assert_eq!(
        service_of_code("monthly_report"),
        Some(Service::MonthlyReport)
    );
    assert_eq!(service_of_code("PAIE"), None);
    assert_eq!(service_of_code(""), None);
}

#[test]
fn services_come_as_a_list_or_a_separated_string_and_repeat_harmlessly() {
    for (services, bits) in [
        (json!(["GMO", "RM"]), 9),
        (json!("GMO;RM"), 9),
        (json!("gmo, idc | les/rm"), 15),
        (json!(["RM", "rm"]), 8),
    ] {
        let parsed = ParsedLine::read(1, &relation(json!({ "services": services })));
        let Ok(Record::Relation(record)) = parsed.record else {
            panic!("{services} should parse: {:?}", parsed.record)
        };
        assert_eq!(record.services.bits(), bits, "{services}");
    }
    for services in [
        json!([]),
        json!("GMO,PAIE"),
        json!([1]),
        json!(null),
        json!({}),
    ] {
        assert_eq!(
            refusal(relation(json!({ "services": services }))),
            Some((Reason::UnknownService, Some("services"))),
            "{services}"
        );
    }
}

#[test]
fn a_relation_record_parses_into_typed_values() {
    let parsed = ParsedLine::read(
        7,
        &relation(
            json!({ "level": "Transmission", "ends_on": "2030-06-30", "contact_email": " Marie@Cabinet.example " }),
        ),
    );
    assert_eq!(parsed.kind, Kind::Relation);
    assert_eq!(parsed.key.as_deref(), Some("R-1"));
    let Ok(Record::Relation(record)) = parsed.record else {
        panic!("{:?}", parsed.record)
    };
    assert_eq!(record.level, Level::Transmission);
    assert_eq!(record.employer.as_str(), "2000001");
    assert_eq!(
        record.contact.email.as_ref().map(Email::as_str),
        Some("marie@cabinet.example")
    );
    assert_eq!(
        record.contact.firm.as_ref().map(FileNumber::as_str),
        Some("1000001")
    );
    assert_eq!(record.starts_on.to_iso(), "2020-01-01");
    assert_eq!(
        record.ends_on.map(Day::to_iso).as_deref(),
        Some("2030-06-30")
    );
    let numeric = ParsedLine::read(1, &relation(json!({ "legacy_id": 4242 })));
    assert_eq!(numeric.relation.unwrap().legacy_id.as_deref(), Some("4242"));
}

#[test]
fn a_refused_relation_says_why_and_which_field_in_the_documented_order() {
    use Reason::*;
    let cases = [
        (r#"{"legacy_id": null}"#, InvalidRelation, "legacy_id"),
        (r#"{"legacy_id": "R\u202e1"}"#, InvalidRelation, "legacy_id"),
        (r#"{"level": "admin"}"#, InvalidRelation, "level"),
        (
            r#"{"services": "XYZ", "starts_on": "hier"}"#,
            UnknownService,
            "services",
        ),
        (r#"{"starts_on": null}"#, InvalidDates, "starts_on"),
        (r#"{"starts_on": "2020-02-30"}"#, InvalidDates, "starts_on"),
        (r#"{"ends_on": "2019-12-31"}"#, InvalidDates, "ends_on"),
        (r#"{"ends_on": 20200101}"#, InvalidDates, "ends_on"),
        (r#"{"contact_email": ""}"#, MissingEmail, "contact_email"),
        (
            r#"{"contact_email": "inconnu"}"#,
            MissingEmail,
            "contact_email",
        ),
        (
            r#"{"contact_email": null, "employer_file_number": "x"}"#,
            MissingEmail,
            "contact_email",
        ),
        (
            r#"{"employer_file_number": "12"}"#,
            UnknownEmployer,
            "employer_file_number",
        ),
        (
            r#"{"firm_file_number": "abc"}"#,
            UnknownContact,
            "firm_file_number",
        ),
        (
            r#"{"contact_username": "zz99"}"#,
            UnknownContact,
            "contact_username",
        ),
    ];
    for (overrides, reason, field) in cases {
        let overrides: Value = serde_json::from_str(overrides).unwrap();
        assert_eq!(
            refusal(relation(overrides.clone())),
            Some((reason, Some(field))),
            "{overrides}"
        );
    }
}

#[test]
fn lines_without_a_known_type_or_too_long_are_refused_as_unknown() {
    for value in [
        json!(42),
        json!([]),
        json!({}),
        json!({ "type": "invoice" }),
        json!({ "type": "unknown" }),
    ] {
        let parsed = ParsedLine::read(3, &value);
        assert_eq!(parsed.kind, Kind::Unknown, "{value}");
        assert_eq!(
            parsed.record.unwrap_err().reason,
            Reason::InvalidRecord,
            "{value}"
        );
    }
    let long = relation(json!({ "note": "x".repeat(MAX_RECORD_BYTES) }));
    assert_eq!(
        ParsedLine::read(3, &long).record.unwrap_err().reason,
        Reason::RecordTooLarge
    );
}

#[test]
fn organisation_contact_and_credential_records_name_their_faulty_field() {
    let organisation = json!({ "type": "organisation", "kind": "employer", "name": "Boréal inc.", "file_number": "2000001", "postal_code": "G1K 3A1", "email": "info@boreal.example" });
    assert!(matches!(
        ParsedLine::read(1, &organisation).record,
        Ok(Record::Organisation(_))
    ));
    let mut bad = organisation.clone();
    bad["postal_code"] = json!("99999");
    assert_eq!(
        refusal(bad),
        Some((Reason::InvalidOrganisation, Some("postal_code")))
    );

    let contact = json!({ "type": "contact", "file_number": "1000001", "first_name": "Émile", "last_name": "Côté", "email": "emile@cabinet.example", "role": "membre" });
    assert!(matches!(
        ParsedLine::read(1, &contact).record,
        Ok(Record::Contact(_))
    ));
    let mut bad = contact.clone();
    bad["role"] = json!(7);
    assert_eq!(refusal(bad), Some((Reason::InvalidContact, Some("role"))));
    let mut bad = contact;
    bad["file_number"] = json!("n/a");
    assert_eq!(
        refusal(bad),
        Some((Reason::UnknownFileNumber, Some("file_number")))
    );

    let credential = json!({ "username": "ER123456", "password_hash": "md5$x", "file_number": "1000001",
        "contact": { "first_name": "A", "last_name": "B", "email": "a@b.example", "role": "membre" } });
    let parsed = ParsedLine::read_legacy_credential(0, &credential);
    assert_eq!(parsed.kind, Kind::LegacyCredential);
    assert_eq!(parsed.key.as_deref(), Some("ER123456"));
    assert_eq!(parsed.record.unwrap_err().reason, Reason::UnsupportedHash);
}

#[test]
fn the_fingerprint_of_a_relation_ignores_member_order_but_not_content() {
    let a = ParsedLine::read(
        1,
        &json!({ "type": "relation", "legacy_id": "R-1", "level": "consultation" }),
    );
    let b = ParsedLine::read(
        9,
        &json!({ "level": "consultation", "legacy_id": "R-1", "type": "relation" }),
    );
    let c = ParsedLine::read(
        1,
        &json!({ "type": "relation", "legacy_id": "R-1", "level": "transmission" }),
    );
    let fingerprint = |p: &ParsedLine| p.relation.as_ref().unwrap().fingerprint.clone();
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_ne!(fingerprint(&a), fingerprint(&c));
}

// --- Deciding ----------------------------------------------------------------------------

fn organisation(id: &str, kind: &str, number: &str) -> KnownOrganisation {
    KnownOrganisation {
        id: id.into(),
        kind: kind.into(),
        name: format!("Organisation {id}"),
        file_number: number.into(),
    }
}

fn contact(id: &str, organisation_id: &str, email: &str) -> KnownContact {
    KnownContact {
        id: id.into(),
        organisation_id: organisation_id.into(),
        email: email.into(),
        revoked: false,
    }
}

/// An employer (2000001), two firms (1000001, 1000002) and some contacts.
fn known() -> Known {
    let mut known = Known::default();
    for (id, kind, number) in [
        ("employer", "employer", "2000001"),
        ("firm", "accounting_firm", "1000001"),
        ("other-firm", "accounting_firm", "1000002"),
    ] {
        known
            .organisations
            .insert(number.into(), organisation(id, kind, number));
    }
    known.contacts = vec![
        contact("marie", "firm", "marie@cabinet.example"),
        contact("luc", "firm", "luc@cabinet.example"),
        contact("luc-ailleurs", "other-firm", "luc@cabinet.example"),
        contact("patron", "employer", "patron@boreal.example"),
    ];
    known.usernames.insert(
        "ci100".into(),
        contact("luc", "firm", "luc@cabinet.example"),
    );
    known
}

fn decide(values: &[Value], known: &mut Known) -> (Vec<Outcome>, Plan) {
    let lines = values
        .iter()
        .enumerate()
        .map(|(i, v)| ParsedLine::read(i as u64 + 1, v))
        .collect();
    let mut serial = 0;
    let plan = plan(lines, known, NOW, &mut || {
        serial += 1;
        format!("id-{serial}")
    });
    (plan.decisions.iter().map(|d| d.outcome).collect(), plan)
}

fn rejected(reason: Reason) -> impl Fn(&Outcome) -> bool {
    move |outcome| matches!(outcome, Outcome::Rejected(r) if r.reason == reason)
}

#[test]
fn a_relation_to_a_known_contact_becomes_a_migrated_authorization() {
    let mut known = known();
    let (outcomes, plan) = decide(&[relation(json!({}))], &mut known);
    assert_eq!(outcomes, vec![Outcome::Created]);
    let created = &plan.authorizations[0];
    assert_eq!(
        (
            created.employer.id.as_str(),
            created.contact_id.as_str(),
            created.firm_id.as_str()
        ),
        ("employer", "marie", "firm")
    );
    assert_eq!(
        created.services.codes(),
        vec!["workforce", "monthly_report"]
    );
    assert!(!created.ended);
    assert!(known.active.contains(&("employer".into(), "marie".into())));
}

#[test]
fn a_relation_whose_end_is_past_is_migrated_as_ended() {
    let (outcomes, plan) = decide(
        &[relation(json!({ "ends_on": "2021-12-31" }))],
        &mut known(),
    );
    assert_eq!(outcomes, vec![Outcome::Created]);
    assert!(plan.authorizations[0].ended);
}

#[test]
fn each_relation_that_cannot_be_migrated_has_its_reason() {
    use Reason::*;
    let cases = [
        (
            "employer number unknown",
            r#"{"employer_file_number": "2999999"}"#,
            UnknownEmployer,
        ),
        (
            "employer number is a firm's",
            r#"{"employer_file_number": "1000002"}"#,
            UnknownEmployer,
        ),
        (
            "no such email in the firm",
            r#"{"contact_email": "x@cabinet.example"}"#,
            UnknownContact,
        ),
        (
            "firm unknown",
            r#"{"firm_file_number": "1999999"}"#,
            UnknownContact,
        ),
        (
            "contact revoked",
            r#"{"contact_email": "gone@cabinet.example"}"#,
            UnknownContact,
        ),
        (
            "email in two firms, no firm",
            r#"{"firm_file_number": null, "contact_email": "luc@cabinet.example"}"#,
            AmbiguousContact,
        ),
        (
            "username and email differ",
            r#"{"contact_username": "ci100"}"#,
            AmbiguousContact,
        ),
        (
            "username of another firm",
            r#"{"contact_email": null, "contact_username": "CI100", "firm_file_number": "1000002"}"#,
            AmbiguousContact,
        ),
        (
            "the employer's own contact",
            r#"{"firm_file_number": "2000001", "contact_email": "patron@boreal.example"}"#,
            SelfAuthorization,
        ),
    ];
    for (why, overrides, reason) in cases {
        let mut known = known();
        let mut gone = contact("gone", "firm", "gone@cabinet.example");
        gone.revoked = true;
        known.contacts.push(gone);
        let overrides: Value = serde_json::from_str(overrides).unwrap();
        let (outcomes, plan) = decide(&[relation(overrides)], &mut known);
        assert!(rejected(reason)(&outcomes[0]), "{why}: {:?}", outcomes[0]);
        assert!(plan.authorizations.is_empty(), "{why}");
        assert_eq!(
            plan.refused_relations.len(),
            1,
            "{why}: the refusal is kept"
        );
    }
}

#[test]
fn a_username_alone_or_with_its_own_email_finds_the_contact() {
    for overrides in [
        json!({ "contact_email": null, "firm_file_number": null, "contact_username": "ci100" }),
        json!({ "contact_email": "LUC@cabinet.example", "firm_file_number": null, "contact_username": "ci100" }),
    ] {
        let (outcomes, plan) = decide(&[relation(overrides.clone())], &mut known());
        assert_eq!(outcomes, vec![Outcome::Created], "{overrides}");
        assert_eq!(plan.authorizations[0].contact_id, "luc");
    }
}

#[test]
fn the_same_legacy_id_twice_is_already_present_when_equal_and_a_duplicate_otherwise() {
    let mut known = known();
    let (outcomes, _) = decide(
        &[
            relation(json!({})),
            relation(json!({})),
            relation(json!({ "level": "transmission" })),
        ],
        &mut known,
    );
    assert_eq!(outcomes[0], Outcome::Created);
    assert_eq!(outcomes[1], Outcome::AlreadyPresent);
    assert!(rejected(Reason::Duplicate)(&outcomes[2]));

    let (again, plan) = decide(&[relation(json!({}))], &mut known);
    assert_eq!(
        again,
        vec![Outcome::AlreadyPresent],
        "a later run finds it migrated"
    );
    assert!(plan.authorizations.is_empty());
}

#[test]
fn a_relation_for_a_pair_already_authorized_is_a_duplicate_unless_it_already_ended() {
    let mut known = known();
    known.active.insert(("employer".into(), "marie".into()));
    let (outcomes, _) = decide(
        &[
            relation(json!({ "legacy_id": "R-2" })),
            relation(json!({ "legacy_id": "R-3", "ends_on": "2021-01-01" })),
        ],
        &mut known,
    );
    assert!(rejected(Reason::Duplicate)(&outcomes[0]));
    assert_eq!(
        outcomes[1],
        Outcome::Created,
        "an ended relation is history, not a second grant"
    );
}

#[test]
fn a_legacy_id_refused_earlier_in_the_run_with_other_content_is_a_duplicate() {
    let mut known = known();
    known.refused_in_run.push(EarlierLine {
        legacy_id: "R-1".into(),
        line: 0,
        fingerprint: "other".into(),
    });
    let (outcomes, _) = decide(&[relation(json!({ "services": "PAIE" }))], &mut known);
    assert!(
        rejected(Reason::Duplicate)(&outcomes[0]),
        "{:?}",
        outcomes[0]
    );
    known.refused_in_run[0].line = 5;
    let (outcomes, _) = decide(&[relation(json!({}))], &mut known);
    assert_eq!(
        outcomes,
        vec![Outcome::Created],
        "a later line does not make an earlier one a duplicate"
    );
}

#[test]
fn records_can_rely_on_what_earlier_lines_of_the_batch_create() {
    let mut known = Known::default();
    let lines = [
        json!({ "type": "organisation", "kind": "employer", "name": "Boréal", "file_number": "2000009", "postal_code": "G1K 3A1", "email": "info@boreal.example" }),
        json!({ "type": "organisation", "kind": "accounting_firm", "name": "Cabinet", "file_number": "1000009", "postal_code": "H2X 1Y4", "email": "info@cabinet.example" }),
        json!({ "type": "contact", "file_number": "1000009", "first_name": "Marie", "last_name": "Tremblay", "email": "marie@cabinet.example", "role": "responsable" }),
        json!({ "type": "legacy_credential", "username": "ci9", "password_hash": "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=", "file_number": "1000009",
                "contact": { "first_name": "Marie", "last_name": "Tremblay", "email": "marie@cabinet.example", "role": "responsable" } }),
        relation(
            json!({ "employer_file_number": "2000009", "firm_file_number": null, "contact_email": null, "contact_username": "ci9" }),
        ),
        json!({ "type": "contact", "file_number": "1000009", "first_name": "Marie", "last_name": "Tremblay", "email": "MARIE@cabinet.example", "role": "membre" }),
    ];
    let (outcomes, plan) = decide(&lines, &mut known);
    assert_eq!(
        outcomes,
        vec![
            Outcome::Created,
            Outcome::Created,
            Outcome::Created,
            Outcome::Created,
            Outcome::Created,
            Outcome::AlreadyPresent
        ]
    );
    assert_eq!(
        plan.contacts.len(),
        1,
        "the credential reuses the contact of line 3"
    );
    assert_eq!(plan.credentials[0].contact_id, plan.contacts[0].id);
    assert_eq!(plan.authorizations[0].contact_id, plan.contacts[0].id);
    assert_eq!(plan.authorizations[0].employer.id, plan.organisations[0].id);
}

#[test]
fn a_known_username_is_already_present_and_an_unknown_organisation_refused() {
    let mut known = known();
    let credential = |username: &str, number: &str| {
        json!({ "type": "legacy_credential", "username": username,
        "password_hash": "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=", "file_number": number,
        "contact": { "first_name": "Luc", "last_name": "G", "email": "luc@cabinet.example", "role": "membre" } })
    };
    let (outcomes, plan) = decide(
        &[
            credential("CI100", "1000001"),
            credential("ci200", "1999999"),
            credential("ci300", "1000001"),
        ],
        &mut known,
    );
    assert_eq!(outcomes[0], Outcome::AlreadyPresent);
    assert!(rejected(Reason::UnknownFileNumber)(&outcomes[1]));
    assert_eq!(outcomes[2], Outcome::Created);
    assert!(
        plan.contacts.is_empty(),
        "luc is already a contact of the firm"
    );
    assert_eq!(plan.credentials[0].contact_id, "luc");
}

#[test]
fn every_reason_and_kind_has_a_distinct_name_that_parses_back() {
    for reason in Reason::ALL {
        assert_eq!(Reason::parse(reason.as_str()), Ok(reason));
    }
    for kind in Kind::ALL {
        assert_eq!(Kind::parse(kind.as_str()), Ok(kind));
    }
    assert!(Reason::parse("nope").is_err());
}
