//! Every sentence the API says to a person, in French and English.

use crate::domain::fields::Problem;
use crate::domain::locale::Locale;

/// The message of an error code.
pub fn error_message(code: &str, locale: Locale) -> &'static str {
    let (fr, en) = match code {
        "validation_failed" => ("Certains champs sont à corriger.", "Some fields need to be corrected."),
        "malformed_json" => ("Le corps de la requête n'est pas un JSON valide.", "The request body is not valid JSON."),
        "body_not_object" => ("Le corps de la requête doit être un objet JSON.", "The request body must be a JSON object."),
        "body_too_large" => ("Le corps de la requête est trop volumineux.", "The request body is too large."),
        "unsupported_media_type" => ("Le corps de la requête doit être envoyé en JSON (Content-Type: application/json).", "The request body must be sent as JSON (Content-Type: application/json)."),
        "cross_site_request" => ("Requête refusée : elle ne provient pas du portail.", "Request refused: it does not come from the portal."),
        "not_found" => ("Cette ressource n'existe pas.", "This resource does not exist."),
        "method_not_allowed" => ("Cette méthode n'est pas permise sur cette ressource.", "This method is not allowed on this resource."),
        "unauthenticated" => ("Vous devez vous connecter.", "You must sign in."),
        "invalid_credentials" => ("Adresse courriel ou mot de passe invalide.", "Invalid email address or password."),
        "email_not_verified" => ("Votre adresse courriel n'est pas encore validée. Un nouveau code vient de vous être envoyé.", "Your email address is not verified yet. A new code was just sent to you."),
        "too_many_attempts" => ("Trop de tentatives. Réessayez plus tard.", "Too many attempts. Try again later."),
        "verification_not_found" => ("Cette demande de code est introuvable. Recommencez la démarche.", "This code request cannot be found. Please start over."),
        "invalid_code" => ("Le code est invalide.", "The code is invalid."),
        "code_expired" => ("Le code est expiré. Demandez-en un nouveau.", "The code has expired. Ask for a new one."),
        "code_exhausted" => ("Trop de codes erronés : ce code n'est plus valide. Demandez-en un nouveau.", "Too many wrong codes: this code is no longer valid. Ask for a new one."),
        "code_used" => ("Ce code a déjà été utilisé.", "This code has already been used."),
        "resend_too_soon" => ("Veuillez patienter avant de demander un nouveau code.", "Please wait before asking for a new code."),
        "link_not_found" => ("Ces coordonnées de liaison sont introuvables ou ne sont plus valides. Vérifiez l'identifiant ou demandez-en de nouvelles à votre responsable.", "These link credentials cannot be found or are no longer valid. Check the identifier or ask your responsible for new ones."),
        "invalid_link_code" => ("Le code de liaison est invalide.", "The link code is invalid."),
        "link_locked" => ("Trop d'essais erronés : ces coordonnées sont verrouillées. Demandez à votre responsable de vous en envoyer de nouvelles.", "Too many wrong attempts: these credentials are locked. Ask your responsible to send you new ones."),
        "link_expired" => ("Ces coordonnées de liaison sont expirées. Demandez-en de nouvelles à votre responsable.", "These link credentials have expired. Ask your responsible for new ones."),
        "link_used" => ("Ces coordonnées de liaison ont déjà été utilisées.", "These link credentials have already been used."),
        "contact_revoked" => ("L'accès de ce contact a été révoqué par son organisation.", "This contact's access was revoked by their organisation."),
        "invalid_legacy_credentials" => ("Nom d'utilisateur ou mot de passe des anciens services invalide.", "Invalid legacy username or password."),
        "profile_not_found" => ("Ce profil n'existe pas ou ne vous est plus accessible.", "This profile does not exist or is no longer available to you."),
        "organisation_profile_required" => ("Sélectionnez d'abord le profil d'une organisation.", "Select an organisation's profile first."),
        "responsable_required" => ("Seuls les responsables de l'organisation peuvent faire ce changement.", "Only the organisation's responsibles can make this change."),
        "contact_exists" => ("Cette adresse courriel est déjà celle d'un contact de l'organisation.", "This email address already belongs to a contact of the organisation."),
        "last_responsable" => ("L'organisation doit conserver au moins un responsable.", "The organisation must keep at least one responsible."),
        "contact_linked" => ("Ce contact a déjà lié son compte.", "This contact has already linked their account."),
        "file_number_taken" => ("Une organisation porte déjà ce numéro de dossier.", "An organisation already has this file number."),
        "migration_run_not_found" => ("Aucune migration ne porte cet identifiant.", "No migration run has this identifier."),
        "operator_token_required" => ("Un jeton d'opérateur valide est requis.", "A valid operator token is required."),
        "employer_profile_required" => ("Sélectionnez d'abord le profil d'un employeur.", "Select an employer's profile first."),
        "authorization_admin_required" => ("Seuls le responsable de l'employeur et les contacts qu'il a désignés peuvent gérer les autorisations.", "Only the employer's responsible and the contacts they designated can manage authorizations."),
        "authorization_exists" => ("Ce contact a déjà une autorisation active sur votre dossier : modifiez-la plutôt.", "This contact already has an active authorization on your file: change it instead."),
        "authorization_inactive" => ("Cette autorisation n'est plus active.", "This authorization is no longer active."),
        "not_migrated" => ("Seules les relations migrées de l'ancien système se confirment.", "Only relations migrated from the legacy system are confirmed."),
        "access_request_expired" => ("Cette demande d'accès a expiré (21 jours sans réponse).", "This access request has expired (21 days without an answer)."),
        "access_request_answered" => ("Cette demande d'accès a déjà reçu une réponse ou a été annulée.", "This access request was already answered or cancelled."),
        "access_request_unmatched" => ("Aucun dossier d'employeur ne correspond à ce numéro et à ce code postal. Vérifiez-les auprès de votre client.", "No employer file matches this number and postal code. Check them with your client."),
        "access_request_pending" => ("Une demande d'accès à ce dossier attend déjà la réponse de l'employeur.", "An access request for this file is already awaiting the employer's answer."),
        "already_authorized" => ("Vous avez déjà accès à ce dossier : il figure dans « Mes dossiers autorisés ».", "You already have access to this file: it is in \u{201c}My authorized files\u{201d}."),
        "service_not_authorized" => ("L'employeur ne vous a pas autorisé à utiliser ce service pour ce dossier.", "The employer has not authorized you to use this service for this file."),
        "service_not_started" => ("Votre autorisation pour ce service n'est pas encore commencée.", "Your authorization for this service has not started yet."),
        "token_invalid" => ("Jeton d'API invalide : vérifiez l'en-tête Authorization: Bearer sel_….", "Invalid API token: check the Authorization: Bearer sel_… header."),
        "token_expired" => ("Ce jeton d'API est expiré. Demandez-en un nouveau au responsable de l'organisation.", "This API token has expired. Ask the organisation's responsible for a new one."),
        "token_revoked" => ("Ce jeton d'API a été révoqué par l'organisation.", "This API token was revoked by the organisation."),
        "token_scope_missing" => ("Ce jeton d'API ne donne pas accès à cette ressource (portée manquante).", "This API token does not give access to this resource (missing scope)."),
        "too_many_requests" => ("Trop de requêtes avec ce jeton. Réessayez dans un instant.", "Too many requests with this token. Try again in a moment."),
        "service_unavailable" => ("Le service est momentanément indisponible. Réessayez dans un instant.", "The service is temporarily unavailable. Try again in a moment."),
        "export_too_large" => ("Cette exportation dépasse 10 000 événements : choisissez des dates plus rapprochées.", "This export exceeds 10,000 events: choose closer dates."),
        "webhook_limit_reached" => ("L'organisation a atteint le nombre maximal de webhooks : supprimez-en un d'abord.", "The organisation has reached the maximum number of webhooks: delete one first."),
        "webhook_disabled" => ("Ce webhook est désactivé : réactivez-le avant de renvoyer une livraison.", "This webhook is disabled: enable it again before replaying a delivery."),
        _ => ("Une erreur inattendue est survenue. Réessayez plus tard.", "An unexpected error occurred. Try again later."),
    };
    pick(locale, fr, en)
}

/// The message of a field problem.
pub fn problem_message(problem: Problem, locale: Locale) -> &'static str {
    let (fr, en) = match problem {
        Problem::Required => ("Ce champ est obligatoire.", "This field is required."),
        Problem::NotAString => ("Ce champ doit être du texte.", "This field must be text."),
        Problem::NotABoolean => (
            "Ce champ doit être vrai ou faux.",
            "This field must be true or false.",
        ),
        Problem::TooLong => ("Ce champ est trop long.", "This field is too long."),
        Problem::InvalidEmail => (
            "Entrez une adresse courriel valide, par exemple nom@exemple.com.",
            "Enter a valid email address, for example name@example.com.",
        ),
        Problem::PasswordTooShort => (
            "Le mot de passe doit contenir au moins 12 caractères.",
            "The password must be at least 12 characters long.",
        ),
        Problem::PasswordTooLong => (
            "Le mot de passe doit contenir au plus 128 caractères.",
            "The password must be at most 128 characters long.",
        ),
        Problem::PasswordTooCommon => (
            "Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.",
            "This password is too common. Choose one that is harder to guess.",
        ),
        Problem::PasswordContainsEmail => (
            "Le mot de passe ne doit pas contenir votre adresse courriel.",
            "The password must not contain your email address.",
        ),
        Problem::PasswordMismatch => (
            "Les mots de passe ne correspondent pas.",
            "The passwords do not match.",
        ),
        Problem::InvalidName => (
            "Entrez un nom valide, sans caractères spéciaux invisibles.",
            "Enter a valid name, without invisible special characters.",
        ),
        Problem::TermsNotAccepted => (
            "Vous devez lire et approuver les conditions d'utilisation.",
            "You must read and accept the terms of use.",
        ),
        Problem::InvalidLocale => (
            "La langue doit être « fr » ou « en ».",
            "The language must be \u{201c}fr\u{201d} or \u{201c}en\u{201d}.",
        ),
        Problem::InvalidCode => (
            "Le code doit contenir 6 chiffres.",
            "The code must have 6 digits.",
        ),
        Problem::InvalidId => (
            "Cet identifiant est invalide.",
            "This identifier is invalid.",
        ),
        Problem::InvalidSearch => (
            "La recherche contient des caractères invisibles ou de contrôle.",
            "The search contains invisible or control characters.",
        ),
        Problem::DuplicateChoice => (
            "Chaque valeur ne peut être choisie qu'une fois.",
            "Each value can be chosen only once.",
        ),
        Problem::NotAList => (
            "Ce champ doit être une liste.",
            "This field must be a list.",
        ),
        Problem::InvalidDate => (
            "Entrez une date valide au format AAAA-MM-JJ.",
            "Enter a valid date as YYYY-MM-DD.",
        ),
        Problem::EndBeforeStart => (
            "La date de fin doit suivre la date de début.",
            "The end date must come after the start date.",
        ),
        Problem::DateInPast => (
            "La date de fin ne peut pas être passée.",
            "The end date cannot be in the past.",
        ),
        Problem::InvalidCursor => (
            "Ce lien de pagination n'est plus valide pour cette recherche. Revenez à la première page.",
            "This paging link is not valid for this search. Go back to the first page.",
        ),
        Problem::NotYourOrganisation => (
            "Une organisation ne peut pas s'autoriser elle-même : entrez le dossier d'une autre organisation.",
            "An organisation cannot authorize itself: enter another organisation's file.",
        ),
        Problem::UnknownFileNumber => (
            "Aucune organisation ne porte ce numéro de dossier.",
            "No organisation has this file number.",
        ),
        Problem::InvalidSyncCursor => (
            "since est le next_cursor d'une synchronisation précédente : un nombre entier, 0 pour tout recevoir.",
            "since is the next_cursor of a previous sync: a whole number, 0 to get everything.",
        ),
        Problem::InvalidSyncLimit => (
            "limit est un nombre entier de 1 à 500.",
            "limit is a whole number from 1 to 500.",
        ),
        Problem::TooFarAhead => (
            "Cette date est trop éloignée : un jeton expire au plus tard dans un an.",
            "This date is too far ahead: a token expires within a year at most.",
        ),
        Problem::EmployersOnly => (
            "Seuls les employeurs accordent des autorisations à leurs dossiers.",
            "Only employers grant authorizations on their files.",
        ),
        Problem::InvalidText => (
            "Ce texte contient des caractères invisibles ou de contrôle.",
            "This text contains invisible or control characters.",
        ),
        Problem::UnknownContact => (
            "Aucun contact de cette organisation ne porte cette adresse courriel.",
            "No contact of that organisation has this email address.",
        ),
        Problem::InvalidImportItem => (
            "Chaque élément est un objet {line, record} ou {line, unreadable}, les numéros de ligne en ordre croissant.",
            "Each item is an object {line, record} or {line, unreadable}, with line numbers in increasing order.",
        ),
        Problem::InvalidChoice => (
            "Cette valeur ne fait pas partie des choix permis.",
            "This value is not one of the allowed choices.",
        ),
        Problem::InvalidLinkIdentifier => (
            "L'identifiant de liaison a la forme SEL-XXXX-XXXX.",
            "The link identifier looks like SEL-XXXX-XXXX.",
        ),
        Problem::InvalidLinkCode => (
            "Le code de liaison contient 10 caractères, par exemple 4F7HK-QW2ZP.",
            "The link code has 10 characters, for example 4F7HK-QW2ZP.",
        ),
        Problem::InvalidFileNumber => (
            "Le numéro de dossier contient de 6 à 10 chiffres.",
            "The file number has 6 to 10 digits.",
        ),
        Problem::InvalidPostalCode => (
            "Entrez un code postal valide, par exemple H2X 1Y4.",
            "Enter a valid postal code, for example H2X 1Y4.",
        ),
        Problem::InvalidLegacyUsername => (
            "Le nom d'utilisateur des anciens services commence par ci, er, as ou ap.",
            "The legacy username starts with ci, er, as or ap.",
        ),
        Problem::InvalidUrl => (
            "Entrez une adresse URL complète, sans identifiants, par exemple https://exemple.com/webhooks.",
            "Enter a complete URL, without credentials, for example https://example.com/webhooks.",
        ),
        Problem::HttpsRequired => (
            "L'adresse doit commencer par https://.",
            "The URL must start with https://.",
        ),
        Problem::AddressNotAllowed => (
            "Cette adresse n'est pas joignable depuis Internet (adresse privée, locale ou réservée, ou écrite sous une forme inhabituelle) : indiquez le nom public de votre serveur.",
            "This address is not reachable from the internet (a private, local or reserved address, or one written in an unusual form): give your server's public host name.",
        ),
    };
    pick(locale, fr, en)
}

fn pick(locale: Locale, fr: &'static str, en: &'static str) -> &'static str {
    locale.pick(fr, en)
}
