//! The emails of the portal, in French and English, as text and HTML.

use crate::domain::authorization::{value_label, Services};
use crate::domain::code::CODE_LIFETIME;
use crate::domain::linking::LINK_LIFETIME;
use crate::domain::locale::Locale;
use crate::domain::MINUTE;
use serde_json::Value;

const LINK_DAYS: i64 = LINK_LIFETIME / (24 * crate::domain::HOUR);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// The code that proves a new account's address.
    SignupCode,
    /// Someone tried to create an account with an address that already has one.
    AccountExists,
    /// The code that lets the owner of an address choose a new password.
    PasswordResetCode,
    /// The password was just changed: a warning in case it was not the owner.
    PasswordChanged,
    /// Personal link credentials of a contact, sent by the organisation's responsible (or the
    /// operator): the identifier in the params, the code in the queue message.
    LinkCredentials,
    /// Link credentials requested by proving known facts, sent to the address on file.
    KnownFactsLinkCode,
    /// To an employer's administrators: a firm's contact asks for access to the file.
    AccessRequested,
    /// To the contact who asked: the employer approved, with the terms it chose.
    AccessApproved,
    /// To the contact who asked: the employer declined.
    AccessDeclined,
    /// To a contact: an employer authorized them on its file.
    AuthorizationGranted,
    /// To a contact: their authorization on an employer's file ends in 30 or 7 days.
    AuthorizationExpiring,
    /// To an employer's administrators: an authorization on its file ends in 30 or 7 days.
    AuthorizationExpiringEmployer,
    /// To an organisation's responsables: one of its webhook endpoints was disabled.
    WebhookDisabled,
    /// The code that proves the new address of an account changing its email.
    EmailChangeCode,
    /// To the owner of an address someone else asked to move their account to.
    EmailTaken,
    /// To the old address: the account's email was changed.
    EmailChanged,
    /// The account was closed by its owner.
    AccountClosed,
    /// To the account's owner: its second factor was set up, removed, or got new recovery codes
    /// (`change`: enabled | disabled | recovery_codes), in case it was not them.
    SecondFactorChanged,
    /// To a firm's contact authorized to transmit: the files whose report of the last month over
    /// is not transmitted, five days before it is due.
    MonthlyReportDue,
    /// To an employer's responsable: its own report of the last month over is not transmitted.
    MonthlyReportDueEmployer,
    /// To the account's owner: a sign-in from a browser never seen for the account (`at` in
    /// Montreal, `device` from the user agent, `network` the coarse address).
    NewDeviceSignIn,
    /// To the address on file, when it belongs to a contact already linked: someone proved known
    /// facts to link to the file; no credentials are sent.
    KnownFactsAlreadyLinked,
}

const ALL: [Template; 22] = [
    Template::SignupCode,
    Template::AccountExists,
    Template::PasswordResetCode,
    Template::PasswordChanged,
    Template::LinkCredentials,
    Template::KnownFactsLinkCode,
    Template::AccessRequested,
    Template::AccessApproved,
    Template::AccessDeclined,
    Template::AuthorizationGranted,
    Template::AuthorizationExpiring,
    Template::AuthorizationExpiringEmployer,
    Template::WebhookDisabled,
    Template::EmailChangeCode,
    Template::EmailTaken,
    Template::EmailChanged,
    Template::AccountClosed,
    Template::SecondFactorChanged,
    Template::MonthlyReportDue,
    Template::MonthlyReportDueEmployer,
    Template::NewDeviceSignIn,
    Template::KnownFactsAlreadyLinked,
];

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Template {
    pub fn name(self) -> &'static str {
        match self {
            Template::SignupCode => "signup_code",
            Template::AccountExists => "account_exists",
            Template::PasswordResetCode => "password_reset_code",
            Template::PasswordChanged => "password_changed",
            Template::LinkCredentials => "link_credentials",
            Template::KnownFactsLinkCode => "known_facts_link_code",
            Template::AccessRequested => "access_requested",
            Template::AccessApproved => "access_approved",
            Template::AccessDeclined => "access_declined",
            Template::AuthorizationGranted => "authorization_granted",
            Template::AuthorizationExpiring => "authorization_expiring",
            Template::AuthorizationExpiringEmployer => "authorization_expiring_employer",
            Template::WebhookDisabled => "webhook_disabled",
            Template::EmailChangeCode => "email_change_code",
            Template::EmailTaken => "email_taken",
            Template::EmailChanged => "email_changed",
            Template::AccountClosed => "account_closed",
            Template::SecondFactorChanged => "second_factor_changed",
            Template::MonthlyReportDue => "monthly_report_due",
            Template::MonthlyReportDueEmployer => "monthly_report_due_employer",
            Template::NewDeviceSignIn => "new_device_sign_in",
            Template::KnownFactsAlreadyLinked => "known_facts_already_linked",
        }
    }

    pub fn from_name(name: &str) -> Option<Template> {
        ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether the template shows a one-time code, which must then come with the message.
    pub fn needs_code(self) -> bool {
        matches!(
            self,
            Template::SignupCode
                | Template::PasswordResetCode
                | Template::LinkCredentials
                | Template::KnownFactsLinkCode
                | Template::EmailChangeCode
        )
    }

    pub fn render(self, locale: Locale, params: &Value, code: Option<&str>) -> Rendered {
        let first_name = params
            .get("first_name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let text_param = |name: &str| {
            params
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let (organisation, file_number, identifier) = (
            text_param("organisation_name"),
            text_param("file_number"),
            text_param("identifier"),
        );
        let (employer, firm, requester, message, reason) = (
            text_param("employer_name"),
            text_param("firm_name"),
            text_param("requester_name"),
            text_param("message"),
            text_param("reason"),
        );
        let url = text_param("url");
        let (device, network) = (text_param("device"), text_param("network"));
        let other_sessions_only =
            params.get("other_sessions_only").and_then(Value::as_bool) == Some(true);
        let new_email = text_param("new_email");
        let gone = text_param("reason") == "gone";
        let services = services_text(params, locale);
        let level = value_label(&text_param("level"), locale);
        let until = match (text_param("ends_on"), locale) {
            (end, _) if end.is_empty() => locale
                .pick("sans date de fin", "with no end date")
                .to_owned(),
            (end, Locale::Fr) => format!("jusqu'au {end} inclusivement"),
            (end, Locale::En) => format!("until {end} inclusive"),
        };
        let contact = text_param("contact_name");
        let (last_day, days_left) = (
            text_param("ends_on"),
            params
                .get("days_before")
                .and_then(Value::as_i64)
                .unwrap_or(0),
        );
        let minutes = CODE_LIFETIME / MINUTE;
        let code = code.unwrap_or("");
        let fr = locale == Locale::Fr;
        let greeting = match (fr, first_name.is_empty()) {
            (true, true) => "Bonjour,".to_owned(),
            (true, false) => format!("Bonjour {first_name},"),
            (false, true) => "Hello,".to_owned(),
            (false, false) => format!("Hello {first_name},"),
        };
        if let Some(digest) = reminder_digest(self, locale, params) {
            return finish(locale, &greeting, &digest.0, &digest.1);
        }
        let (subject, paragraphs): (&str, Vec<String>) = match (self, fr) {
            (Template::MonthlyReportDue | Template::MonthlyReportDueEmployer, _) => {
                let (subject, paragraphs) = report_due(self, locale, params);
                return finish(locale, &greeting, &subject, &paragraphs);
            }
            (Template::SignupCode, true) => ("Votre code de validation SEL", vec![
                "Voici le code qui valide votre adresse courriel et active votre compte SEL :".into(),
                format!("CODE:{code}"),
                format!("Ce code est valide pendant {minutes} minutes et ne peut servir qu'une fois."),
                "Si vous n'avez pas demandé la création d'un compte, ignorez ce courriel.".into(),
            ]),
            (Template::SignupCode, false) => ("Your SEL verification code", vec![
                "Here is the code that verifies your email address and activates your SEL account:".into(),
                format!("CODE:{code}"),
                format!("This code is valid for {minutes} minutes and can be used once."),
                "If you did not ask to create an account, ignore this email.".into(),
            ]),
            (Template::AccountExists, true) => ("Tentative de création de compte avec votre adresse", vec![
                "Quelqu'un a tenté de créer un compte SEL avec votre adresse courriel, qui en possède déjà un.".into(),
                "Si c'était vous, connectez-vous ou choisissez « Mot de passe oublié? » sur la page de connexion.".into(),
                "Sinon, aucune action n'est requise : votre compte n'a pas été modifié.".into(),
            ]),
            (Template::AccountExists, false) => ("Attempt to create an account with your address", vec![
                "Someone tried to create a SEL account with your email address, which already has one.".into(),
                "If it was you, sign in or choose \u{201c}Forgot your password?\u{201d} on the sign-in page.".into(),
                "Otherwise, nothing needs to be done: your account was not changed.".into(),
            ]),
            (Template::PasswordResetCode, true) => ("Votre code de réinitialisation SEL", vec![
                "Voici le code qui vous permet de choisir un nouveau mot de passe :".into(),
                format!("CODE:{code}"),
                format!("Ce code est valide pendant {minutes} minutes et ne peut servir qu'une fois."),
                "Si vous n'avez pas demandé de réinitialisation, ignorez ce courriel : votre mot de passe reste inchangé.".into(),
            ]),
            (Template::PasswordResetCode, false) => ("Your SEL password reset code", vec![
                "Here is the code that lets you choose a new password:".into(),
                format!("CODE:{code}"),
                format!("This code is valid for {minutes} minutes and can be used once."),
                "If you did not ask for a reset, ignore this email: your password is unchanged.".into(),
            ]),
            (Template::PasswordChanged, true) => ("Votre mot de passe SEL a été modifié", vec![
                if other_sessions_only { "Le mot de passe de votre compte SEL vient d'être modifié depuis « Mon compte » ; vos autres sessions ont été fermées.".into() } else { "Le mot de passe de votre compte SEL vient d'être modifié et toutes vos sessions ont été fermées.".into() },
                "Si vous n'êtes pas à l'origine de ce changement, choisissez immédiatement « Mot de passe oublié? » sur la page de connexion.".into(),
            ]),
            (Template::PasswordChanged, false) => ("Your SEL password was changed", vec![
                if other_sessions_only { "The password of your SEL account was just changed from \u{201c}My account\u{201d}; your other sessions were signed out.".into() } else { "The password of your SEL account was just changed and all your sessions were signed out.".into() },
                "If you did not make this change, choose \u{201c}Forgot your password?\u{201d} on the sign-in page right away.".into(),
            ]),
            (Template::LinkCredentials | Template::KnownFactsLinkCode, true) => ("Vos coordonnées de liaison SEL", vec![
                if self == Template::LinkCredentials {
                    format!("Voici vos coordonnées personnelles pour lier votre compte SEL au dossier de {organisation} (numéro {file_number}).")
                } else {
                    format!("Une demande de liaison au dossier de {organisation} (numéro {file_number}) a été faite avec des renseignements connus. Ce courriel est envoyé à l'adresse inscrite au dossier.")
                },
                format!("Identifiant de liaison : {identifier}"),
                format!("Code de liaison : {code}"),
                "Connectez-vous à SEL (ou créez votre compte), choisissez « Liaison d'un profil », puis « Utiliser des coordonnées de liaison ».".into(),
                format!("Ces coordonnées sont personnelles, valides {LINK_DAYS} jours et ne servent qu'une fois. Si vous n'attendiez pas ce courriel, ignorez-le."),
            ]),
            (Template::LinkCredentials | Template::KnownFactsLinkCode, false) => ("Your SEL link credentials", vec![
                if self == Template::LinkCredentials {
                    format!("Here are your personal credentials to link your SEL account to the file of {organisation} (number {file_number}).")
                } else {
                    format!("Someone asked to link to the file of {organisation} (number {file_number}) using known facts. This email goes to the address on file.")
                },
                format!("Link identifier: {identifier}"),
                format!("Link code: {code}"),
                "Sign in to SEL (or create your account), choose \u{201c}Link a profile\u{201d}, then \u{201c}Use link credentials\u{201d}.".into(),
                format!("These credentials are personal, valid for {LINK_DAYS} days and can be used once. If you did not expect this email, ignore it."),
            ]),
            (Template::KnownFactsAlreadyLinked, true) => ("Demande de liaison à votre dossier SEL", vec![
                format!("Quelqu'un a demandé à lier son compte SEL au dossier de {organisation} (numéro {file_number}) en donnant des renseignements connus du dossier. Ce courriel est envoyé à l'adresse inscrite au dossier."),
                "Votre adresse est déjà liée à ce dossier : aucun code de liaison n'a été envoyé et personne n'a obtenu d'accès.".into(),
                "Si cette personne doit agir pour le dossier, le responsable peut l'inviter depuis « Mon organisation ». Si vous ne connaissez pas cette demande, aucune action n'est requise ; vous pouvez la signaler au soutien de la commission.".into(),
            ]),
            (Template::KnownFactsAlreadyLinked, false) => ("Link request to your SEL file", vec![
                format!("Someone asked to link their SEL account to the file of {organisation} (number {file_number}) by giving facts known of the file. This email goes to the address on file."),
                "Your address is already linked to this file: no link code was sent and nobody gained access.".into(),
                "If this person should act for the file, the responsible can invite them from \u{201c}My organisation\u{201d}. If you do not know of this request, nothing needs to be done; you may report it to the commission's support.".into(),
            ]),
            (Template::NewDeviceSignIn, true) => ("Nouvelle connexion à votre compte", vec![
                format!("Une connexion à votre compte SEL vient d'avoir lieu depuis un navigateur qui ne l'avait jamais utilisé, le {} (heure de Montréal).", text_param("at")),
                format!("Appareil : {}", if device.is_empty() { "navigateur non reconnu".to_owned() } else { device.clone() }),
                format!("Réseau : {}", if network.is_empty() { "inconnu".to_owned() } else { network.clone() }),
                "Si c'était vous, aucune action n'est requise.".into(),
                "Sinon, choisissez « Mot de passe oublié? » sur la page de connexion pour changer votre mot de passe, puis fermez les sessions que vous ne reconnaissez pas dans « Mon compte », section « Sessions actives ».".into(),
            ]),
            (Template::NewDeviceSignIn, false) => ("New sign-in to your account", vec![
                format!("Your SEL account was just signed in to from a browser it had never been used in, on {} (Montreal time).", text_param("at")),
                format!("Device: {}", if device.is_empty() { "unrecognised browser".to_owned() } else { device.clone() }),
                format!("Network: {}", if network.is_empty() { "unknown".to_owned() } else { network.clone() }),
                "If it was you, nothing needs to be done.".into(),
                "Otherwise, choose \u{201c}Forgot your password?\u{201d} on the sign-in page to change your password, then sign out the sessions you do not recognise in \u{201c}My account\u{201d}, section \u{201c}Active sessions\u{201d}.".into(),
            ]),
            (Template::AccessRequested, true) => ("Demande d'accès à votre dossier SEL", vec![
                format!("{requester}, de {firm}, demande l'accès au dossier de {employer} (numéro {file_number}) pour : {services}."),
                if message.is_empty() { "Aucun message n'accompagne la demande.".to_owned() } else { format!("Son message : « {message} »") },
                "Connectez-vous à SEL, choisissez le profil de l'employeur, puis « Autorisations » pour l'approuver (en choisissant les services, le niveau et la date de fin) ou la refuser. Sans réponse, la demande expire dans 21 jours.".into(),
            ]),
            (Template::AccessRequested, false) => ("Access request to your SEL file", vec![
                format!("{requester}, of {firm}, asks for access to the file of {employer} (number {file_number}) for: {services}."),
                if message.is_empty() { "No message comes with the request.".to_owned() } else { format!("Their message: \u{201c}{message}\u{201d}") },
                "Sign in to SEL, choose the employer's profile, then \u{201c}Authorizations\u{201d} to approve it (choosing the services, level and end date) or decline it. Without an answer, the request expires in 21 days.".into(),
            ]),
            (Template::AccessApproved | Template::AuthorizationGranted, true) => (
                if self == Template::AccessApproved { "Votre demande d'accès a été approuvée" } else { "Un employeur vous a donné accès à son dossier" },
                vec![
                    format!("{employer} (numéro {file_number}) vous autorise à utiliser : {services}."),
                    format!("Niveau : {level}, {until}."),
                    "Le dossier figure maintenant dans « Mes dossiers autorisés » de votre profil.".into(),
                ],
            ),
            (Template::AccessApproved | Template::AuthorizationGranted, false) => (
                if self == Template::AccessApproved { "Your access request was approved" } else { "An employer gave you access to its file" },
                vec![
                    format!("{employer} (number {file_number}) authorizes you to use: {services}."),
                    format!("Level: {level}, {until}."),
                    "The file is now listed in \u{201c}My authorized files\u{201d} of your profile.".into(),
                ],
            ),
            (Template::AccessDeclined, true) => ("Votre demande d'accès a été refusée", vec![
                format!("{employer} (numéro {file_number}) a refusé votre demande d'accès à son dossier."),
                if reason.is_empty() { "Aucun motif n'a été donné. Communiquez avec votre client au besoin.".to_owned() } else { format!("Motif : « {reason} »") },
            ]),
            (Template::AccessDeclined, false) => ("Your access request was declined", vec![
                format!("{employer} (number {file_number}) declined your request for access to its file."),
                if reason.is_empty() { "No reason was given. Contact your client if needed.".to_owned() } else { format!("Reason: \u{201c}{reason}\u{201d}") },
            ]),
            (Template::AuthorizationExpiring, true) => ("Votre accès à un dossier SEL prend fin bientôt", vec![
                format!("Votre autorisation au dossier de {employer} (numéro {file_number}) pour : {services} prend fin dans {days_left} jours : le {last_day} est le dernier jour."),
                "Le dossier disparaîtra ensuite de « Mes dossiers autorisés ». Seul l'employeur peut prolonger une autorisation : communiquez avec votre client au besoin.".into(),
            ]),
            (Template::AuthorizationExpiring, false) => ("Your access to a SEL file ends soon", vec![
                format!("Your authorization on the file of {employer} (number {file_number}) for: {services} ends in {days_left} days: {last_day} is the last day."),
                "The file will then leave \u{201c}My authorized files\u{201d}. Only the employer can extend an authorization: contact your client if needed.".into(),
            ]),
            (Template::AuthorizationExpiringEmployer, true) => ("Une autorisation à votre dossier SEL prend fin bientôt", vec![
                format!("L'autorisation de {contact}, de {firm}, au dossier de {employer} (numéro {file_number}) pour : {services} prend fin dans {days_left} jours : le {last_day} est le dernier jour."),
                "Pour la prolonger, connectez-vous à SEL, choisissez le profil de l'employeur, puis « Autorisations » et changez sa date de fin. Sinon, elle prendra fin d'elle-même.".into(),
            ]),
            (Template::AuthorizationExpiringEmployer, false) => ("An authorization on your SEL file ends soon", vec![
                format!("The authorization of {contact}, of {firm}, on the file of {employer} (number {file_number}) for: {services} ends in {days_left} days: {last_day} is the last day."),
                "To extend it, sign in to SEL, choose the employer's profile, then \u{201c}Authorizations\u{201d} and change its end date. Otherwise it will end by itself.".into(),
            ]),
            (Template::WebhookDisabled, true) => ("Un webhook de votre organisation a été désactivé", vec![
                format!("Le webhook de {organisation} vers {url} a été désactivé : plus aucun événement ne lui est envoyé."),
                if gone { "Le serveur qui le reçoit a répondu 410 Gone, ce qui demande de ne plus l'appeler.".to_owned() } else { "Ses livraisons échouent depuis environ trois jours malgré les nouvelles tentatives.".to_owned() },
                "Une fois le serveur corrigé, réactivez le webhook dans « Mon organisation » ; vous pourrez renvoyer les livraisons manquées depuis son journal.".into(),
            ]),
            (Template::EmailChangeCode, true) => ("Votre code de changement d'adresse SEL", vec![
                "Voici le code qui confirme cette adresse comme nouvelle adresse courriel de votre compte SEL :".into(),
                format!("CODE:{code}"),
                format!("Ce code est valide pendant {minutes} minutes et ne peut servir qu'une fois."),
                "Si vous n'avez pas demandé ce changement, ignorez ce courriel : rien ne change.".into(),
            ]),
            (Template::EmailChangeCode, false) => ("Your SEL address change code", vec![
                "Here is the code that confirms this address as the new email address of your SEL account:".into(),
                format!("CODE:{code}"),
                format!("This code is valid for {minutes} minutes and can be used once."),
                "If you did not ask for this change, ignore this email: nothing changes.".into(),
            ]),
            (Template::EmailTaken, true) => ("Demande d'utiliser votre adresse pour un autre compte", vec![
                "Quelqu'un a demandé de donner votre adresse courriel à un autre compte SEL. Votre adresse reste celle de votre compte : rien n'a changé.".into(),
                "Si c'était vous, connectez-vous avec cette adresse plutôt. Sinon, aucune action n'est requise.".into(),
            ]),
            (Template::EmailTaken, false) => ("Request to use your address for another account", vec![
                "Someone asked to give your email address to another SEL account. Your address stays with your account: nothing changed.".into(),
                "If it was you, sign in with this address instead. Otherwise, nothing needs to be done.".into(),
            ]),
            (Template::EmailChanged, true) => ("L'adresse courriel de votre compte SEL a été changée", vec![
                format!("L'adresse courriel de votre compte SEL vient d'être remplacée par {new_email}. Les prochains courriels iront à cette adresse."),
                "Si vous n'êtes pas à l'origine de ce changement, communiquez immédiatement avec le soutien de la commission.".into(),
            ]),
            (Template::EmailChanged, false) => ("The email address of your SEL account was changed", vec![
                format!("The email address of your SEL account was just replaced by {new_email}. Future emails will go to that address."),
                "If you did not make this change, contact the commission's support right away.".into(),
            ]),
            (Template::AccountClosed, true) => ("Votre compte SEL est fermé", vec![
                "Votre compte SEL vient d'être fermé à votre demande : vos données personnelles sont effacées, vos profils déliés et vos sessions fermées.".into(),
                "Si vous n'êtes pas à l'origine de cette fermeture, communiquez immédiatement avec le soutien de la commission.".into(),
            ]),
            (Template::AccountClosed, false) => ("Your SEL account is closed", vec![
                "Your SEL account was just closed at your request: your personal data is erased, your profiles unlinked and your sessions signed out.".into(),
                "If you did not close it, contact the commission's support right away.".into(),
            ]),
            (Template::WebhookDisabled, false) => ("A webhook of your organisation was disabled", vec![
                format!("The webhook of {organisation} to {url} was disabled: no more events are sent to it."),
                if gone { "The server receiving it answered 410 Gone, which asks never to call it again.".to_owned() } else { "Its deliveries have been failing for about three days despite retries.".to_owned() },
                "Once the server is fixed, enable the webhook again in \u{201c}My organisation\u{201d}; you can replay missed deliveries from its log.".into(),
            ]),
            (Template::SecondFactorChanged, true) => ("Sécurité de votre compte SEL : second facteur modifié", vec![
                match text_param("change").as_str() {
                    "enabled" => "Une application d'authentification vient d'être configurée comme second facteur de votre compte SEL.",
                    "disabled" => "L'application d'authentification de votre compte SEL vient d'être retirée.",
                    "passkey_added" => "Une clé d'accès vient d'être ajoutée à votre compte SEL.",
                    "passkey_removed" => "Une clé d'accès vient d'être retirée de votre compte SEL.",
                    _ => "De nouveaux codes de récupération viennent d'être générés pour votre compte SEL ; les anciens ne fonctionnent plus.",
                }.into(),
                "Si vous n'êtes pas à l'origine de ce changement, choisissez immédiatement « Mot de passe oublié? » sur la page de connexion.".into(),
            ]),
            (Template::SecondFactorChanged, false) => ("SEL account security: second factor changed", vec![
                match text_param("change").as_str() {
                    "enabled" => "An authenticator app was just set up as the second factor of your SEL account.",
                    "disabled" => "The authenticator app of your SEL account was just removed.",
                    "passkey_added" => "A passkey was just added to your SEL account.",
                    "passkey_removed" => "A passkey was just removed from your SEL account.",
                    _ => "New recovery codes were just generated for your SEL account; the old ones no longer work.",
                }.into(),
                "If you did not make this change, choose \u{201c}Forgot your password?\u{201d} on the sign-in page right away.".into(),
            ]),
        };
        finish(locale, &greeting, subject, &paragraphs)
    }
}

/// The email around its paragraphs: the greeting, the signature; text and HTML.
fn finish(locale: Locale, greeting: &str, subject: &str, paragraphs: &[String]) -> Rendered {
    let signature = locale.pick("Services en ligne (SEL)", "Online services (SEL)");
    let text_paragraph = |p: &String| {
        p.strip_prefix("CODE:")
            .map(str::to_owned)
            .unwrap_or_else(|| p.clone())
    };
    let html_paragraph = |p: &String| match p.strip_prefix("CODE:") {
        Some(code) => format!(
            "<p style=\"font-size:28px;letter-spacing:6px;font-weight:bold\">{}</p>",
            escape_html(code)
        ),
        None => format!("<p>{}</p>", escape_html(p)),
    };
    let text = std::iter::once(greeting.to_owned())
        .chain(paragraphs.iter().map(text_paragraph))
        .chain(std::iter::once(format!("— {signature}")))
        .collect::<Vec<_>>()
        .join("\n\n");
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><body style=\"font-family:sans-serif\"><p>{greeting}</p>{body}<p>— {signature}</p></body></html>",
        lang = locale.code(),
        greeting = escape_html(greeting),
        body = paragraphs.iter().map(html_paragraph).collect::<String>(),
    );
    Rendered {
        subject: subject.to_owned(),
        text,
        html,
    }
}

/// A monthly report reminder: to a firm's contact, the files whose report of `month` is due on
/// `due_on` (`files`, and `more` not listed); to an employer's responsable, its own report.
fn report_due(template: Template, locale: Locale, params: &Value) -> (String, Vec<String>) {
    let text = |item: &Value, name: &str| {
        item.get(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let (month, due) = (text(params, "month"), text(params, "due_on"));
    if template == Template::MonthlyReportDueEmployer {
        let (employer, file) = (text(params, "employer_name"), text(params, "file_number"));
        return match locale {
            Locale::Fr => (
                format!("Votre rapport mensuel de {month} est dû le {due}"),
                vec![
                    format!("Le rapport mensuel de {month} de {employer} (numéro {file}) n'est pas encore transmis ; il est dû le {due}."),
                    "Connectez-vous à SEL, choisissez le profil de l'employeur, puis « Rapport mensuel » pour le préparer et le transmettre. Si un cabinet comptable le transmet pour vous, aucune action n'est requise.".into(),
                ],
            ),
            Locale::En => (
                format!("Your monthly report for {month} is due on {due}"),
                vec![
                    format!("The monthly report for {month} of {employer} (number {file}) is not transmitted yet; it is due on {due}."),
                    "Sign in to SEL, choose the employer's profile, then \u{201c}Monthly report\u{201d} to prepare and transmit it. If an accounting firm transmits it for you, nothing needs to be done.".into(),
                ],
            ),
        };
    }
    let files = params.get("files").and_then(Value::as_array);
    let more = params.get("more").and_then(Value::as_i64).unwrap_or(0);
    let n = files.map_or(0, Vec::len) as i64 + more;
    let lines = files.into_iter().flatten().map(|item| {
        let (employer, file) = (text(item, "employer_name"), text(item, "file_number"));
        match locale {
            Locale::Fr => format!("• {employer} (numéro {file})"),
            Locale::En => format!("• {employer} (number {file})"),
        }
    });
    let (subject, intro, rest, outro) = match locale {
        Locale::Fr => (
            format!("Rapports mensuels de {month} : {n} à transmettre d'ici le {due}"),
            format!("Le rapport mensuel de {month} des dossiers suivants n'est pas encore transmis ; il est dû le {due} :"),
            format!("… et {more} autres dossiers."),
            "Connectez-vous à SEL, ouvrez « Mes dossiers autorisés » et choisissez « À produire » dans le filtre du rapport pour les retrouver.",
        ),
        Locale::En => (
            format!("Monthly reports for {month}: {n} to transmit by {due}"),
            format!("The monthly report for {month} of the following files is not transmitted yet; it is due on {due}:"),
            format!("… and {more} more files."),
            "Sign in to SEL, open \u{201c}My authorized files\u{201d} and choose \u{201c}To produce\u{201d} in the report filter to find them.",
        ),
    };
    let paragraphs = std::iter::once(intro)
        .chain(lines)
        .chain((more > 0).then_some(rest))
        .chain(std::iter::once(outro.to_owned()))
        .collect();
    (subject, paragraphs)
}

/// A reminder email listing several authorizations (`params.reminders`, each with the fields of a
/// single reminder): its subject and paragraphs, one line per authorization.
fn reminder_digest(
    template: Template,
    locale: Locale,
    params: &Value,
) -> Option<(String, Vec<String>)> {
    let items = params.get("reminders")?.as_array()?;
    let n = items.len();
    let text = |item: &Value, name: &str| {
        item.get(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let line = |item: &Value| {
        let (last_day, days) = (
            text(item, "ends_on"),
            item.get("days_before").and_then(Value::as_i64).unwrap_or(0),
        );
        let services = services_text(item, locale);
        let (file, employer, contact, firm) = (
            text(item, "file_number"),
            text(item, "employer_name"),
            text(item, "contact_name"),
            text(item, "firm_name"),
        );
        match (template, locale) {
            (Template::AuthorizationExpiring, Locale::Fr) => format!("• {employer} (numéro {file}) — {services} — dernier jour le {last_day} (dans {days} jours)"),
            (Template::AuthorizationExpiring, Locale::En) => format!("• {employer} (number {file}) — {services} — last day {last_day} (in {days} days)"),
            (_, Locale::Fr) => format!("• {contact}, de {firm}, au dossier {file} — {services} — dernier jour le {last_day} (dans {days} jours)"),
            (_, Locale::En) => format!("• {contact}, of {firm}, on file {file} — {services} — last day {last_day} (in {days} days)"),
        }
    };
    let lines = items.iter().map(line);
    let (subject, intro, outro) = match (template, locale) {
        (Template::AuthorizationExpiring, Locale::Fr) => (
            format!("Vos accès à {n} dossiers SEL prennent fin bientôt"),
            "Vos autorisations aux dossiers suivants prennent fin bientôt :",
            "Ces dossiers disparaîtront ensuite de « Mes dossiers autorisés ». Seul l'employeur peut prolonger une autorisation : communiquez avec vos clients au besoin.",
        ),
        (Template::AuthorizationExpiring, Locale::En) => (
            format!("Your access to {n} SEL files ends soon"),
            "Your authorizations on the following files end soon:",
            "These files will then leave \u{201c}My authorized files\u{201d}. Only the employer can extend an authorization: contact your clients if needed.",
        ),
        (Template::AuthorizationExpiringEmployer, Locale::Fr) => (
            format!("{n} autorisations à votre dossier SEL prennent fin bientôt"),
            "Les autorisations suivantes à votre dossier prennent fin bientôt :",
            "Pour en prolonger une, connectez-vous à SEL, choisissez le profil de l'employeur, puis « Autorisations » et changez sa date de fin. Sinon, elles prendront fin d'elles-mêmes.",
        ),
        (Template::AuthorizationExpiringEmployer, Locale::En) => (
            format!("{n} authorizations on your SEL file end soon"),
            "The following authorizations on your file end soon:",
            "To extend one, sign in to SEL, choose the employer's profile, then \u{201c}Authorizations\u{201d} and change its end date. Otherwise they will end by themselves.",
        ),
        _ => return None,
    };
    let paragraphs = std::iter::once(intro.to_owned())
        .chain(lines)
        .chain(std::iter::once(outro.to_owned()))
        .collect();
    Some((subject, paragraphs))
}

/// The names of the services listed in `params.services`, joined.
fn services_text(params: &Value, locale: Locale) -> String {
    let codes: Vec<&str> = params
        .get("services")
        .and_then(Value::as_array)
        .map(|codes| codes.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    Services::parse(&codes)
        .map(|set| {
            set.iter()
                .map(|s| s.label(locale))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Text made safe to place in HTML content or attribute values.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn the_signup_code_email_shows_the_code_in_both_languages_and_formats() {
        for locale in [Locale::Fr, Locale::En] {
            let rendered = Template::SignupCode.render(
                locale,
                &json!({"first_name": "Marie"}),
                Some("042917"),
            );
            assert!(rendered.text.contains("042917"), "{locale:?} text");
            assert!(rendered.html.contains("042917"), "{locale:?} html");
            assert!(rendered.text.contains("Marie"));
            assert!(rendered.text.contains("10 minutes"));
        }
        assert_eq!(
            Template::SignupCode
                .render(Locale::Fr, &json!({}), Some("1"))
                .subject,
            "Votre code de validation SEL"
        );
    }

    #[test]
    fn link_credentials_emails_show_the_identifier_and_the_code() {
        let params = json!({"first_name": "Luc", "organisation_name": "Cabinet Tremblay", "file_number": "1234567", "identifier": "SEL-3456-789A"});
        for template in [Template::LinkCredentials, Template::KnownFactsLinkCode] {
            for locale in [Locale::Fr, Locale::En] {
                let rendered = template.render(locale, &params, Some("4F7HK-QW2ZP"));
                assert!(
                    rendered.text.contains("SEL-3456-789A")
                        && rendered.text.contains("4F7HK-QW2ZP"),
                    "{template:?} {locale:?}"
                );
                assert!(rendered.text.contains("Cabinet Tremblay") && rendered.text.contains("30"));
            }
        }
    }

    #[test]
    fn names_are_escaped_in_html() {
        let rendered = Template::AccountExists.render(
            Locale::Fr,
            &json!({"first_name": "<script>x</script>"}),
            None,
        );
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn authorization_emails_name_the_employer_the_services_and_the_terms() {
        let params = json!({"first_name": "Marie", "employer_name": "Construction Boréal inc.", "file_number": "2000001",
            "services": ["monthly_report", "workforce"], "level": "transmission", "ends_on": "2027-03-31"});
        for template in [Template::AccessApproved, Template::AuthorizationGranted] {
            let fr = template.render(Locale::Fr, &params, None);
            assert!(
                fr.text.contains("Construction Boréal inc.")
                    && fr
                        .text
                        .contains("Gestion de la main-d'œuvre, Rapport mensuel")
            );
            assert!(
                fr.text.contains("Consultation et transmission") && fr.text.contains("2027-03-31")
            );
            let en = template.render(Locale::En, &params, None);
            assert!(
                en.text.contains("Workforce management, Monthly report")
                    && en.text.contains("until 2027-03-31")
            );
        }
        let request = json!({"employer_name": "Boréal", "file_number": "2000001", "firm_name": "Cabinet Démo", "requester_name": "Luc Gagnon", "services": ["status_letter"], "message": "<b>Merci</b>"});
        let rendered = Template::AccessRequested.render(Locale::Fr, &request, None);
        assert!(
            rendered.text.contains("Luc Gagnon, de Cabinet Démo")
                && rendered.text.contains("Lettre d'état de situation")
        );
        assert!(
            rendered.html.contains("&lt;b&gt;Merci"),
            "a requester's message is escaped"
        );
        let declined = Template::AccessDeclined.render(
            Locale::En,
            &json!({"employer_name": "Boréal", "reason": "Pas client"}),
            None,
        );
        assert!(declined.text.contains("declined") && declined.text.contains("Pas client"));
    }

    #[test]
    fn a_monthly_report_reminder_lists_the_files_due_and_how_many_more_in_each_language() {
        let params = json!({"first_name": "Luc", "month": "2026-11", "due_on": "2026-12-15",
            "files": [{"employer_name": "Construction Boréal inc.", "file_number": "2000001"}], "more": 3});
        let fr = Template::MonthlyReportDue.render(Locale::Fr, &params, None);
        assert!(
            fr.subject.contains("4 à transmettre") && fr.subject.contains("2026-12-15"),
            "{}",
            fr.subject
        );
        assert!(
            fr.text.contains("Bonjour Luc,")
                && fr
                    .text
                    .contains("• Construction Boréal inc. (numéro 2000001)")
                && fr.text.contains("3 autres"),
            "{}",
            fr.text
        );
        let en = Template::MonthlyReportDue.render(Locale::En, &params, None);
        assert!(
            en.text.contains("(number 2000001)") && en.text.contains("3 more files"),
            "{}",
            en.text
        );
        let own = json!({"month": "2026-11", "due_on": "2026-12-15", "employer_name": "Boréal", "file_number": "2000001"});
        for locale in [Locale::Fr, Locale::En] {
            let rendered = Template::MonthlyReportDueEmployer.render(locale, &own, None);
            assert!(
                rendered.text.contains("Boréal") && rendered.text.contains("2026-12-15"),
                "{}",
                rendered.text
            );
        }
    }

    #[test]
    fn reminders_say_whose_authorization_ends_and_its_last_day() {
        let params = json!({"first_name": "Marie", "employer_name": "Construction Boréal inc.", "file_number": "2000001",
            "contact_name": "Luc Gagnon", "firm_name": "Cabinet Démo", "services": ["monthly_report"],
            "ends_on": "2027-03-31", "days_before": 7});
        for locale in [Locale::Fr, Locale::En] {
            let contact = Template::AuthorizationExpiring.render(locale, &params, None);
            assert!(
                contact.text.contains("Construction Boréal inc.")
                    && contact.text.contains("2027-03-31")
                    && contact.text.contains(" 7 "),
                "{locale:?}: {}",
                contact.text
            );
            let employer = Template::AuthorizationExpiringEmployer.render(locale, &params, None);
            assert!(
                employer.text.contains("Luc Gagnon")
                    && employer.text.contains("Cabinet Démo")
                    && employer.text.contains("2027-03-31"),
                "{locale:?}: {}",
                employer.text
            );
            assert_ne!(contact.subject, employer.subject);
        }
    }

    #[test]
    fn a_reminder_digest_lists_every_authorization_in_one_email() {
        let item = |employer: &str, file: &str, contact: &str, days: i64| {
            json!({"employer_name": employer, "file_number": file, "contact_name": contact,
                "firm_name": "Cabinet Démo", "services": ["monthly_report"], "ends_on": "2027-03-31",
                "days_before": days})
        };
        let params = json!({"first_name": "Marie", "reminders": [
            item("Construction Boréal inc.", "2000001", "Luc Gagnon", 30),
            item("Toitures Laval", "2000002", "Marie <Roy>", 7),
        ]});
        for locale in [Locale::Fr, Locale::En] {
            let contact = Template::AuthorizationExpiring.render(locale, &params, None);
            assert!(
                contact.subject.contains('2'),
                "{locale:?}: {}",
                contact.subject
            );
            assert!(
                contact.text.starts_with("Bonjour Marie,")
                    || contact.text.starts_with("Hello Marie,")
            );
            for (line, days) in [("Construction Boréal inc. (", 30), ("Toitures Laval (", 7)] {
                let listed = contact
                    .text
                    .lines()
                    .find(|l| l.contains(line))
                    .unwrap_or_else(|| panic!("{locale:?}: {line} is listed: {}", contact.text));
                assert!(
                    listed.contains("2027-03-31") && listed.contains(&format!(" {days} ")),
                    "{listed}"
                );
            }
            let employer = Template::AuthorizationExpiringEmployer.render(locale, &params, None);
            assert!(
                employer.text.contains("Luc Gagnon") && employer.text.contains("2000002"),
                "{}",
                employer.text
            );
            assert!(
                employer.html.contains("Marie &lt;Roy&gt;"),
                "names are escaped in HTML"
            );
            assert_ne!(contact.subject, employer.subject);
        }
    }

    #[test]
    fn the_new_device_email_says_when_what_and_where_in_the_owner_language() {
        let params = json!({ "first_name": "Rachel", "at": "2026-12-07 01:29", "device": "Firefox · Linux", "network": "203.0.113.0/24" });
        let fr = Template::NewDeviceSignIn.render(Locale::Fr, &params, None);
        assert_eq!(fr.subject, "Nouvelle connexion à votre compte");
        for part in [
            "2026-12-07 01:29",
            "Firefox · Linux",
            "203.0.113.0/24",
            "Mot de passe oublié",
            "Sessions actives",
        ] {
            assert!(fr.text.contains(part), "{part}: {}", fr.text);
        }
        let en = Template::NewDeviceSignIn.render(
            Locale::En,
            &json!({ "at": "2026-12-07 01:29" }),
            None,
        );
        assert!(en.text.contains("unrecognised browser"), "{}", en.text);
        assert!(en.text.contains("Active sessions"), "{}", en.text);
    }

    #[test]
    fn the_already_linked_email_says_no_code_was_sent() {
        let params = json!({ "organisation_name": "Boréal", "file_number": "2000001" });
        let fr = Template::KnownFactsAlreadyLinked.render(Locale::Fr, &params, None);
        assert!(fr.text.contains("aucun code de liaison"), "{}", fr.text);
        assert!(fr.text.contains("2000001"));
        assert!(!Template::KnownFactsAlreadyLinked.needs_code());
    }

    #[test]
    fn template_names_round_trip() {
        for template in ALL {
            assert_eq!(Template::from_name(template.name()), Some(template));
        }
        assert_eq!(Template::from_name("nope"), None);
    }

    #[test]
    fn the_webhook_disabled_email_names_the_url_and_the_reason() {
        let params = json!({ "first_name": "Rachel", "organisation_name": "Cabinet Nord", "url": "https://hooks.example.com/sel", "reason": "gone" });
        let fr = Template::WebhookDisabled.render(Locale::Fr, &params, None);
        assert!(
            fr.text.contains("https://hooks.example.com/sel"),
            "{}",
            fr.text
        );
        assert!(fr.text.contains("410 Gone"));
        assert!(fr.text.contains("Cabinet Nord"));
        let failing = json!({ "url": "https://hooks.example.com/sel", "reason": "failing" });
        let en = Template::WebhookDisabled.render(Locale::En, &failing, None);
        assert_eq!(en.subject, "A webhook of your organisation was disabled");
        assert!(en.text.contains("three days"), "{}", en.text);
    }
}
