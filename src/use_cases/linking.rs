//! "Liaison d'un profil": linking an account to an organisation's contact with personal link
//! credentials, with legacy credentials, or by proving known facts (which emails credentials to
//! the address on file).

use super::codes::{self, EmailPurpose};
use super::{stored_email, Requester};
use crate::domain::email::Email;
use crate::domain::legacy;
use crate::domain::linking::{
    LinkCode, LinkIdentifier, LinkRejection, LINK_LIFETIME, MAX_WRONG_CODES,
};
use crate::domain::locale::Locale;
use crate::domain::organisation::{ContactStatus, Role};
use crate::domain::organisation::{FileNumber, LegacyUsername, PostalCode};
use crate::domain::secrets::KeyPurpose;
use crate::domain::throttle::{
    ip_subject, HOUR_BUDGET_KNOWN_FACTS, LEGACY_PER_ACCOUNT, LEGACY_PER_IP,
};
use crate::email::templates::Template;
use crate::email::{self, EmailMessage};
use crate::infra::{random_id, slow_step, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts::{self, ContactRow, NewContact, ProfileRow};
use crate::storage::db::{Run, Statement};
use crate::storage::link_credentials::{self, NewCredentials};
use crate::storage::my_requests;
use crate::storage::organisations::{self, OrganisationRow};
use crate::storage::rate_limits::Refused;
use crate::storage::{
    atomically, domain_events, legacy_credentials, rate_limits, wrote, WrittenNow,
};

/// New credentials for a contact: the statements that supersede the old ones and store the new,
/// and the email that carries them (identifier in the outbox, code only in the queue message).
pub struct IssuedCredentials {
    pub identifier: LinkIdentifier,
    pub code: LinkCode,
    pub statements: Vec<Statement>,
    pub message: EmailMessage,
}

pub fn issue_credentials(
    app: &App,
    organisation: &OrganisationRow,
    contact_id: &str,
    send_to: &Email,
    first_name: &str,
    template: Template,
) -> Result<IssuedCredentials, InfraError> {
    let identifier = LinkIdentifier::generate(&mut OsEntropy);
    let code = LinkCode::generate(&mut OsEntropy);
    let code_hash = code.keyed_hash(&app.config.secrets.key(KeyPurpose::CodeHash), &identifier);
    let pending = email::prepare(
        app,
        send_to,
        template,
        Locale::Fr,
        Some(&code.display()),
        json!({ "first_name": first_name, "organisation_name": organisation.name, "file_number": organisation.file_number, "identifier": identifier.as_str() }),
    )?;
    let statements = vec![
        link_credentials::supersede_all_of(&app.db, contact_id, app.now)?,
        link_credentials::insert(
            &app.db,
            &NewCredentials {
                id: &random_id(),
                contact_id,
                identifier: identifier.as_str(),
                code_hash: &code_hash,
                expires_at: app.now + LINK_LIFETIME,
            },
            app.now,
        )?,
        pending.insert,
    ];
    Ok(IssuedCredentials {
        identifier,
        code,
        statements,
        message: pending.message,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("linking: not found")]
    NotFound,
    #[error("linking: invalid code (attempts left {attempts_left:?})")]
    InvalidCode { attempts_left: i64 },
    #[error("linking: rejected: {0:?}")]
    Rejected(LinkRejection),
    #[error("linking: contact revoked")]
    ContactRevoked,
    #[error("linking: invalid legacy credentials")]
    InvalidLegacyCredentials,
    #[error("linking: throttled (retry after {retry_after:?})")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Method (a): the identifier and code a responsible sent. Linking a file already linked is harmless.
pub async fn with_credentials(
    app: &App,
    user_id: &str,
    identifier: &LinkIdentifier,
    code: &LinkCode,
    requester: &Requester,
) -> Result<ProfileRow, LinkError> {
    let credentials = link_credentials::find_by_identifier(&app.db, identifier.as_str())
        .await?
        .ok_or(LinkError::NotFound)?;
    credentials
        .state()
        .check_usable(app.now)
        .map_err(LinkError::Rejected)?;
    if credentials.contact_status == ContactStatus::Revoked {
        return Err(LinkError::ContactRevoked);
    }
    // The try takes its slot before the comparison: concurrent tries cannot exceed the cap.
    let Some(attempts) =
        link_credentials::reserve_attempt(&app.db, &credentials.id, app.now).await?
    else {
        return Err(LinkError::Rejected(LinkRejection::Locked));
    };
    if !code.matches(
        &app.config.secrets.accepted_keys(KeyPurpose::CodeHash),
        identifier,
        &credentials.code_hash,
    ) {
        atomically(
            &app.db,
            vec![
                link_credentials::lock_if_exhausted(&app.db, &credentials.id, app.now)?,
                audit::append(
                    &app.db,
                    &link_event(
                        "link.failed",
                        user_id,
                        &credentials.organisation_id,
                        &credentials.contact_id,
                        requester,
                        "credentials",
                    ),
                    app.now,
                )?,
            ],
            "Failed to count a wrong link code",
        )
        .await?;
        return Err(LinkError::InvalidCode {
            attempts_left: (MAX_WRONG_CODES - attempts).max(0),
        });
    }
    // Linking a file the user is already linked to is harmless: the existing profile answers and
    // these credentials stay usable by the person they were meant for.
    if contacts::linked_contact_of_user_in(&app.db, &credentials.organisation_id, user_id)
        .await?
        .is_some()
    {
        link_credentials::release_attempt(&app.db, &credentials.id)
            .execute("Failed to release a link code try")
            .await?;
        return profile_in(app, user_id, &credentials.organisation_id).await;
    }
    let nonce = random_id();
    let statements = vec![
        link_credentials::mark_used(&app.db, &credentials.id, &nonce, app.now)?,
        contacts::link_user_if_credentials_used_by(
            &app.db,
            &credentials.contact_id,
            user_id,
            &nonce,
            app.now,
        )?,
        audit::append_if_credentials_used_by(
            &app.db,
            &link_event(
                "contact.linked",
                user_id,
                &credentials.organisation_id,
                &credentials.contact_id,
                requester,
                "credentials",
            ),
            &credentials.id,
            &nonce,
            app.now,
        )?,
        domain_events::append_contact_event_if_written(
            &app.db,
            "contact.linked",
            &linked_now(&credentials.contact_id),
            app.now,
        )?,
    ];
    let results = atomically(&app.db, statements, "Failed to link an account").await?;
    if !results.first().is_some_and(wrote) {
        return Err(LinkError::Rejected(LinkRejection::Used));
    }
    profile_in(app, user_id, &credentials.organisation_id).await
}

/// Method (b): a username and password of the legacy online services. Every try first takes its
/// slot from the account's and the IP address's hourly budgets (across usernames) and from the
/// username's five tries; an unknown, locked or exhausted username then costs and answers exactly
/// like a wrong password.
pub async fn with_legacy(
    app: &App,
    user_id: &str,
    username: &LegacyUsername,
    password: &str,
    requester: &Requester,
) -> Result<ProfileRow, LinkError> {
    let ip_key = LEGACY_PER_IP.key(&ip_subject(requester.ip.as_deref().unwrap_or("unknown")));
    let account_key = LEGACY_PER_ACCOUNT.key(user_id);
    let limits = [
        (&LEGACY_PER_IP, ip_key.as_str()),
        (&LEGACY_PER_ACCOUNT, account_key.as_str()),
    ];
    if let Err(Refused { retry_after }) = rate_limits::take(&app.db, app.now, &limits).await? {
        return Err(LinkError::Throttled { retry_after });
    }
    let reserved = legacy_credentials::reserve_attempt(&app.db, username.as_str(), app.now).await?;
    let found = legacy_credentials::find(&app.db, username.as_str()).await?;
    let legacy = match found {
        Some(legacy) if reserved => legacy,
        Some(locked) => {
            // The same work as a wrong password, so neither the answer nor its time tells a
            // locked username (checked against its own hash, the outcome ignored) from one.
            slow_step(|| legacy::verify(password, &locked.password_hash)).await;
            return Err(LinkError::InvalidLegacyCredentials);
        }
        None => {
            let decoy = decoy_legacy_hash(app).await?;
            slow_step(|| legacy::verify(password, &decoy)).await;
            return Err(LinkError::InvalidLegacyCredentials);
        }
    };
    if !slow_step(|| legacy::verify(password, &legacy.password_hash)).await {
        legacy_credentials::lock_if_exhausted(&app.db, &legacy.username, app.now)
            .execute("Failed to lock legacy credentials")
            .await?;
        return Err(LinkError::InvalidLegacyCredentials);
    }
    atomically(
        &app.db,
        vec![
            legacy_credentials::forget_attempts(&app.db, &legacy.username)?,
            rate_limits::release(&app.db, &ip_key)?,
            rate_limits::release(&app.db, &account_key)?,
        ],
        "Failed to forget legacy tries",
    )
    .await?;
    if legacy.contact_status == ContactStatus::Revoked {
        return Err(LinkError::ContactRevoked);
    }
    if contacts::linked_contact_of_user_in(&app.db, &legacy.organisation_id, user_id)
        .await?
        .is_some()
    {
        return profile_in(app, user_id, &legacy.organisation_id).await;
    }
    if legacy.contact_status == ContactStatus::Linked {
        // Someone else already linked with these legacy credentials.
        return Err(LinkError::Rejected(LinkRejection::Used));
    }
    let results = atomically(
        &app.db,
        vec![
            contacts::link_user(&app.db, &legacy.contact_id, user_id, app.now)?,
            audit::append(
                &app.db,
                &link_event(
                    "contact.linked",
                    user_id,
                    &legacy.organisation_id,
                    &legacy.contact_id,
                    requester,
                    "legacy",
                ),
                app.now,
            )?,
            domain_events::append_contact_event_if_written(
                &app.db,
                "contact.linked",
                &linked_now(&legacy.contact_id),
                app.now,
            )?,
        ],
        "Failed to link an account with legacy credentials",
    )
    .await?;
    if !results.first().is_some_and(wrote) {
        return Err(LinkError::Rejected(LinkRejection::Used));
    }
    profile_in(app, user_id, &legacy.organisation_id).await
}

/// The hash an unknown username is checked against: of the format and cost of the median
/// imported hash, so that its time does not tell an unknown username from a known one (bcrypt 10,
/// a typical legacy cost, before anything is imported).
async fn decoy_legacy_hash(app: &App) -> Result<String, InfraError> {
    let costs = legacy_credentials::hash_costs(&app.db).await?;
    let (format, cost) = legacy::median_cost(&costs).unwrap_or((legacy::LegacyFormat::Bcrypt, 10));
    if app.config.development {
        // Lets the end-to-end tests see which decoy ran, without timing anything.
        worker::console_log!("legacy decoy: {format:?} cost {cost}");
    }
    Ok(legacy::decoy_hash(format, cost))
}

/// Method (c): a file number and a fact on record. When they match, credentials go to the
/// address on file, or, when that address is a contact already linked, a notice that someone
/// asked (no credentials: the file's contact knows, and its responsables see it in the trail);
/// the answer never says whether they matched.
pub async fn by_known_facts(
    app: &App,
    user_id: &str,
    file_number: &FileNumber,
    postal_code: &PostalCode,
    requester: &Requester,
) -> Result<(), LinkError> {
    let budget = &HOUR_BUDGET_KNOWN_FACTS;
    let key = budget.key(file_number.as_str());
    // The request takes its slot before anything is compared: a burst cannot exceed the budget.
    if let Err(Refused { retry_after }) =
        rate_limits::take(&app.db, app.now, &[(budget, &key)]).await?
    {
        return Err(LinkError::Throttled { retry_after });
    }
    // Kept for "Mes demandes" whether the facts match or not, as the answer says nothing either.
    let mut statements = vec![my_requests::record_known_facts(
        &app.db,
        &random_id(),
        user_id,
        file_number.as_str(),
        app.now,
        app.now + LINK_LIFETIME,
    )?];
    let organisation = organisations::find_by_file_number(&app.db, file_number.as_str())
        .await?
        .filter(|o| o.postal_code == postal_code.as_str());
    let mut message = None;
    if let Some(organisation) = organisation {
        let on_file = stored_email(&organisation.email_on_file, &organisation.id)?;
        // What the facts led to, for one of the organisation's contacts, in its trail.
        let audit_of = |action: &str, contact_id: &str| {
            let event = AuditEvent {
                action,
                user_id: Some(user_id),
                organisation_id: Some(&organisation.id),
                contact_id: Some(contact_id),
                ip: requester.ip.as_deref(),
                details: json!({}),
                counterpart_organisation_id: None,
            };
            audit::append(&app.db, &event, app.now)
        };
        // The address on file gets at most one set of credentials a minute and five an hour.
        let within_budget = codes::reserve_email(app, EmailPurpose::KnownFacts, on_file.as_str())
            .await?
            .is_ok();
        let contact =
            contacts::find_by_email_in(&app.db, &organisation.id, on_file.as_str()).await?;
        if let (true, Some(linked)) = (
            within_budget,
            contact
                .as_ref()
                .filter(|c| c.status == ContactStatus::Linked),
        ) {
            let notice = email::prepare(
                app,
                &on_file,
                Template::KnownFactsAlreadyLinked,
                linked.locale(),
                None,
                json!({
                    "first_name": linked.first_name,
                    "organisation_name": organisation.name,
                    "file_number": organisation.file_number,
                }),
            )?;
            statements.push(notice.insert);
            statements.push(audit_of("link.known_facts_already_linked", &linked.id)?);
            message = Some(notice.message);
        }
        let contact_id = match &contact {
            _ if !within_budget => None,
            Some(ContactRow { status, .. }) if *status != ContactStatus::Invited => None,
            Some(existing) => Some(existing.id.clone()),
            None => {
                let id = random_id();
                let role =
                    if contacts::count_active_responsables(&app.db, &organisation.id).await? == 0 {
                        Role::Responsable
                    } else {
                        Role::Membre
                    };
                statements.push(contacts::insert(
                    &app.db,
                    &NewContact {
                        id: &id,
                        organisation_id: &organisation.id,
                        first_name: "Contact",
                        last_name: "au dossier",
                        email: on_file.as_str(),
                        role,
                    },
                    app.now,
                )?);
                Some(id)
            }
        };
        if let Some(contact_id) = contact_id {
            let issued = issue_credentials(
                app,
                &organisation,
                &contact_id,
                &on_file,
                "",
                Template::KnownFactsLinkCode,
            )?;
            statements.extend(issued.statements);
            statements.push(audit_of("link.known_facts_sent", &contact_id)?);
            message = Some(issued.message);
        }
    }
    if !statements.is_empty() {
        atomically(
            &app.db,
            statements,
            "Failed to record a known-facts request",
        )
        .await?;
    }
    if let Some(message) = message {
        email::dispatch(app, message).await?;
    }
    Ok(())
}

/// The contact this batch links (its `linked_at` is the batch's now).
fn linked_now(contact_id: &str) -> WrittenNow<'_> {
    WrittenNow {
        table: "contacts",
        column: "linked_at",
        id: contact_id,
    }
}

fn link_event<'a>(
    action: &'a str,
    user_id: &'a str,
    organisation_id: &'a str,
    contact_id: &'a str,
    requester: &'a Requester,
    method: &str,
) -> AuditEvent<'a> {
    AuditEvent {
        action,
        user_id: Some(user_id),
        organisation_id: Some(organisation_id),
        contact_id: Some(contact_id),
        ip: requester.ip.as_deref(),
        details: json!({ "method": method }),
        counterpart_organisation_id: None,
    }
}

async fn profile_in(
    app: &App,
    user_id: &str,
    organisation_id: &str,
) -> Result<ProfileRow, LinkError> {
    contacts::profiles_of(&app.db, user_id)
        .await?
        .into_iter()
        .find(|p| p.organisation_id == organisation_id)
        .ok_or(LinkError::ContactRevoked)
}
