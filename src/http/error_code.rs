//! Every error the API answers: its code, its status and its message in French and English.
//! The matches are exhaustive, so a new code cannot miss its status or a translation.

use crate::domain::locale::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    ValidationFailed,
    MalformedJson,
    BodyNotObject,
    BodyTooLarge,
    UnsupportedMediaType,
    CrossSiteRequest,
    NotFound,
    MethodNotAllowed,
    Unauthenticated,
    InvalidCredentials,
    EmailNotVerified,
    TooManyAttempts,
    VerificationNotFound,
    InvalidCode,
    CodeExpired,
    CodeExhausted,
    CodeUsed,
    ResendTooSoon,
    LinkNotFound,
    InvalidLinkCode,
    LinkLocked,
    LinkExpired,
    LinkUsed,
    ContactRevoked,
    ContactAlreadyRevoked,
    InvalidLegacyCredentials,
    ProfileNotFound,
    OrganisationProfileRequired,
    ResponsableRequired,
    ContactExists,
    LastResponsable,
    ContactLinked,
    FileNumberTaken,
    MigrationRunNotFound,
    OperatorTokenRequired,
    EmployerProfileRequired,
    AuthorizationAdminRequired,
    AuthorizationExists,
    AuthorizationInactive,
    NotMigrated,
    AccessRequestExpired,
    AccessRequestAnswered,
    AccessRequestUnmatched,
    AccessRequestPending,
    AlreadyAuthorized,
    ServiceNotAuthorized,
    ServiceNotStarted,
    TokenInvalid,
    TokenExpired,
    TokenRevoked,
    TokenScopeMissing,
    TooManyRequests,
    ServiceUnavailable,
    ExportTooLarge,
    WebhookLimitReached,
    WebhookDisabled,
    EmailTaken,
    SessionNotFound,
    LastResponsableAccount,
    TransmissionNotAuthorized,
    MonthlyReportTransmitted,
    MonthlyReportNoDraft,
    MonthlyReportNothingToCorrect,
    MonthlyReportCorrectionOpen,
    MonthlyReportMonthNotOver,
    MonthlyReportEmpty,
    MonthlyReportNoActivityWithLines,
    MonthlyReportTooManyLines,
    CsvRequired,
    CsvNotUtf8,
    MfaChallengeNotFound,
    MfaChallengeExpired,
    MfaChallengeExhausted,
    MfaChallengeUsed,
    TotpAlreadyEnabled,
    TotpNotPending,
    MfaNotEnabled,
    MfaEnrolmentRequired,
    StepUpRequired,
    PasskeyRejected,
    PasskeyLimitReached,
    PasskeyAlreadyRegistered,
    InternalError,
}

impl ErrorCode {
    /// The stable, machine-readable code of the JSON error body.
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::BodyNotObject => "body_not_object",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::CrossSiteRequest => "cross_site_request",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::EmailNotVerified => "email_not_verified",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::VerificationNotFound => "verification_not_found",
            ErrorCode::InvalidCode => "invalid_code",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::CodeExhausted => "code_exhausted",
            ErrorCode::CodeUsed => "code_used",
            ErrorCode::ResendTooSoon => "resend_too_soon",
            ErrorCode::LinkNotFound => "link_not_found",
            ErrorCode::InvalidLinkCode => "invalid_link_code",
            ErrorCode::LinkLocked => "link_locked",
            ErrorCode::LinkExpired => "link_expired",
            ErrorCode::LinkUsed => "link_used",
            ErrorCode::ContactRevoked => "contact_revoked",
            ErrorCode::ContactAlreadyRevoked => "contact_revoked",
            ErrorCode::InvalidLegacyCredentials => "invalid_legacy_credentials",
            ErrorCode::ProfileNotFound => "profile_not_found",
            ErrorCode::OrganisationProfileRequired => "organisation_profile_required",
            ErrorCode::ResponsableRequired => "responsable_required",
            ErrorCode::ContactExists => "contact_exists",
            ErrorCode::LastResponsable => "last_responsable",
            ErrorCode::ContactLinked => "contact_linked",
            ErrorCode::FileNumberTaken => "file_number_taken",
            ErrorCode::MigrationRunNotFound => "migration_run_not_found",
            ErrorCode::OperatorTokenRequired => "operator_token_required",
            ErrorCode::EmployerProfileRequired => "employer_profile_required",
            ErrorCode::AuthorizationAdminRequired => "authorization_admin_required",
            ErrorCode::AuthorizationExists => "authorization_exists",
            ErrorCode::AuthorizationInactive => "authorization_inactive",
            ErrorCode::NotMigrated => "not_migrated",
            ErrorCode::AccessRequestExpired => "access_request_expired",
            ErrorCode::AccessRequestAnswered => "access_request_answered",
            ErrorCode::AccessRequestUnmatched => "access_request_unmatched",
            ErrorCode::AccessRequestPending => "access_request_pending",
            ErrorCode::AlreadyAuthorized => "already_authorized",
            ErrorCode::ServiceNotAuthorized => "service_not_authorized",
            ErrorCode::ServiceNotStarted => "service_not_started",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenRevoked => "token_revoked",
            ErrorCode::TokenScopeMissing => "token_scope_missing",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::ExportTooLarge => "export_too_large",
            ErrorCode::WebhookLimitReached => "webhook_limit_reached",
            ErrorCode::WebhookDisabled => "webhook_disabled",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::SessionNotFound => "session_not_found",
            ErrorCode::LastResponsableAccount => "last_responsable",
            ErrorCode::TransmissionNotAuthorized => "transmission_not_authorized",
            ErrorCode::MonthlyReportTransmitted => "monthly_report_transmitted",
            ErrorCode::MonthlyReportNoDraft => "monthly_report_no_draft",
            ErrorCode::MonthlyReportNothingToCorrect => "monthly_report_nothing_to_correct",
            ErrorCode::MonthlyReportCorrectionOpen => "monthly_report_correction_open",
            ErrorCode::MonthlyReportMonthNotOver => "monthly_report_month_not_over",
            ErrorCode::MonthlyReportEmpty => "monthly_report_empty",
            ErrorCode::MonthlyReportNoActivityWithLines => "monthly_report_no_activity_with_lines",
            ErrorCode::MonthlyReportTooManyLines => "monthly_report_too_many_lines",
            ErrorCode::CsvRequired => "csv_required",
            ErrorCode::CsvNotUtf8 => "csv_not_utf8",
            ErrorCode::MfaChallengeNotFound => "mfa_challenge_not_found",
            ErrorCode::MfaChallengeExpired => "mfa_challenge_expired",
            ErrorCode::MfaChallengeExhausted => "mfa_challenge_exhausted",
            ErrorCode::MfaChallengeUsed => "mfa_challenge_used",
            ErrorCode::TotpAlreadyEnabled => "totp_already_enabled",
            ErrorCode::TotpNotPending => "totp_not_pending",
            ErrorCode::MfaNotEnabled => "mfa_not_enabled",
            ErrorCode::MfaEnrolmentRequired => "mfa_enrolment_required",
            ErrorCode::StepUpRequired => "step_up_required",
            ErrorCode::PasskeyRejected => "passkey_rejected",
            ErrorCode::PasskeyLimitReached => "passkey_limit_reached",
            ErrorCode::PasskeyAlreadyRegistered => "passkey_already_registered",
            ErrorCode::InternalError => "internal_error",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            ErrorCode::MalformedJson | ErrorCode::BodyNotObject => 400,
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::InvalidLegacyCredentials
            | ErrorCode::OperatorTokenRequired
            | ErrorCode::TokenInvalid
            | ErrorCode::TokenExpired
            | ErrorCode::TokenRevoked => 401,
            ErrorCode::CrossSiteRequest
            | ErrorCode::EmailNotVerified
            | ErrorCode::ContactRevoked
            | ErrorCode::OrganisationProfileRequired
            | ErrorCode::ResponsableRequired
            | ErrorCode::EmployerProfileRequired
            | ErrorCode::AuthorizationAdminRequired
            | ErrorCode::ServiceNotAuthorized
            | ErrorCode::ServiceNotStarted
            | ErrorCode::TokenScopeMissing
            | ErrorCode::MfaEnrolmentRequired
            | ErrorCode::StepUpRequired => 403,
            ErrorCode::NotFound
            | ErrorCode::VerificationNotFound
            | ErrorCode::LinkNotFound
            | ErrorCode::ProfileNotFound
            | ErrorCode::MigrationRunNotFound
            | ErrorCode::SessionNotFound => 404,
            ErrorCode::MfaChallengeNotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::ContactAlreadyRevoked
            | ErrorCode::ContactExists
            | ErrorCode::LastResponsable
            | ErrorCode::ContactLinked
            | ErrorCode::FileNumberTaken
            | ErrorCode::AuthorizationExists
            | ErrorCode::AuthorizationInactive
            | ErrorCode::NotMigrated
            | ErrorCode::AccessRequestAnswered
            | ErrorCode::AccessRequestPending
            | ErrorCode::AlreadyAuthorized
            | ErrorCode::WebhookLimitReached
            | ErrorCode::WebhookDisabled
            | ErrorCode::EmailTaken
            | ErrorCode::LastResponsableAccount => 409,
            ErrorCode::TotpAlreadyEnabled
            | ErrorCode::TotpNotPending
            | ErrorCode::MfaNotEnabled
            | ErrorCode::PasskeyLimitReached
            | ErrorCode::PasskeyAlreadyRegistered => 409,
            ErrorCode::CodeExpired
            | ErrorCode::CodeExhausted
            | ErrorCode::CodeUsed
            | ErrorCode::LinkExpired
            | ErrorCode::LinkUsed
            | ErrorCode::AccessRequestExpired
            | ErrorCode::MfaChallengeExpired
            | ErrorCode::MfaChallengeExhausted
            | ErrorCode::MfaChallengeUsed => 410,
            ErrorCode::BodyTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::ValidationFailed
            | ErrorCode::InvalidCode
            | ErrorCode::InvalidLinkCode
            | ErrorCode::AccessRequestUnmatched
            | ErrorCode::ExportTooLarge
            | ErrorCode::PasskeyRejected => 422,
            ErrorCode::LinkLocked => 423,
            ErrorCode::TooManyAttempts | ErrorCode::ResendTooSoon | ErrorCode::TooManyRequests => {
                429
            }
            ErrorCode::TransmissionNotAuthorized => 403,
            ErrorCode::MonthlyReportTransmitted
            | ErrorCode::MonthlyReportNoDraft
            | ErrorCode::MonthlyReportNothingToCorrect
            | ErrorCode::MonthlyReportCorrectionOpen
            | ErrorCode::MonthlyReportMonthNotOver => 409,
            ErrorCode::MonthlyReportEmpty
            | ErrorCode::MonthlyReportNoActivityWithLines
            | ErrorCode::MonthlyReportTooManyLines
            | ErrorCode::CsvNotUtf8 => 422,
            ErrorCode::CsvRequired => 415,
            ErrorCode::InternalError => 500,
            ErrorCode::ServiceUnavailable => 503,
        }
    }

    pub fn message(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            ErrorCode::ValidationFailed => ("Certains champs sont à corriger.", "Some fields need to be corrected."),
            ErrorCode::MalformedJson => ("Le corps de la requête n'est pas un JSON valide.", "The request body is not valid JSON."),
            ErrorCode::BodyNotObject => ("Le corps de la requête doit être un objet JSON.", "The request body must be a JSON object."),
            ErrorCode::BodyTooLarge => ("Le corps de la requête est trop volumineux.", "The request body is too large."),
            ErrorCode::UnsupportedMediaType => ("Le corps de la requête doit être envoyé en JSON (Content-Type: application/json).", "The request body must be sent as JSON (Content-Type: application/json)."),
            ErrorCode::CrossSiteRequest => ("Requête refusée : elle ne provient pas du portail.", "Request refused: it does not come from the portal."),
            ErrorCode::NotFound => ("Cette ressource n'existe pas.", "This resource does not exist."),
            ErrorCode::MethodNotAllowed => ("Cette méthode n'est pas permise sur cette ressource.", "This method is not allowed on this resource."),
            ErrorCode::Unauthenticated => ("Vous devez vous connecter.", "You must sign in."),
            ErrorCode::InvalidCredentials => ("Adresse courriel ou mot de passe invalide.", "Invalid email address or password."),
            ErrorCode::EmailNotVerified => ("Votre adresse courriel n'est pas encore validée. Entrez le dernier code reçu par courriel (un nouveau code est envoyé au plus une fois par minute).", "Your email address is not verified yet. Enter the latest code you received by email (a new one is sent at most once a minute)."),
            ErrorCode::TooManyAttempts => ("Trop de tentatives. Réessayez plus tard.", "Too many attempts. Try again later."),
            ErrorCode::VerificationNotFound => ("Cette demande de code est introuvable. Recommencez la démarche.", "This code request cannot be found. Please start over."),
            ErrorCode::InvalidCode => ("Le code est invalide.", "The code is invalid."),
            ErrorCode::CodeExpired => ("Le code est expiré. Demandez-en un nouveau.", "The code has expired. Ask for a new one."),
            ErrorCode::CodeExhausted => ("Trop de codes erronés : ce code n'est plus valide. Demandez-en un nouveau.", "Too many wrong codes: this code is no longer valid. Ask for a new one."),
            ErrorCode::CodeUsed => ("Ce code a déjà été utilisé.", "This code has already been used."),
            ErrorCode::ResendTooSoon => ("Veuillez patienter avant de demander un nouveau code.", "Please wait before asking for a new code."),
            ErrorCode::LinkNotFound => ("Ces coordonnées de liaison sont introuvables ou ne sont plus valides. Vérifiez l'identifiant ou demandez-en de nouvelles à votre responsable.", "These link credentials cannot be found or are no longer valid. Check the identifier or ask your responsible for new ones."),
            ErrorCode::InvalidLinkCode => ("Le code de liaison est invalide.", "The link code is invalid."),
            ErrorCode::LinkLocked => ("Trop d'essais erronés : ces coordonnées sont verrouillées. Demandez à votre responsable de vous en envoyer de nouvelles.", "Too many wrong attempts: these credentials are locked. Ask your responsible to send you new ones."),
            ErrorCode::LinkExpired => ("Ces coordonnées de liaison sont expirées. Demandez-en de nouvelles à votre responsable.", "These link credentials have expired. Ask your responsible for new ones."),
            ErrorCode::LinkUsed => ("Ces coordonnées de liaison ont déjà été utilisées.", "These link credentials have already been used."),
            ErrorCode::ContactRevoked => ("L'accès de ce contact a été révoqué par son organisation.", "This contact's access was revoked by their organisation."),
            ErrorCode::ContactAlreadyRevoked => ("L'accès de ce contact a été révoqué par son organisation.", "This contact's access was revoked by their organisation."),
            ErrorCode::InvalidLegacyCredentials => ("Nom d'utilisateur ou mot de passe des anciens services invalide.", "Invalid legacy username or password."),
            ErrorCode::ProfileNotFound => ("Ce profil n'existe pas ou ne vous est plus accessible.", "This profile does not exist or is no longer available to you."),
            ErrorCode::OrganisationProfileRequired => ("Sélectionnez d'abord le profil d'une organisation.", "Select an organisation's profile first."),
            ErrorCode::ResponsableRequired => ("Seuls les responsables de l'organisation peuvent faire ce changement.", "Only the organisation's responsibles can make this change."),
            ErrorCode::ContactExists => ("Cette adresse courriel est déjà celle d'un contact de l'organisation.", "This email address already belongs to a contact of the organisation."),
            ErrorCode::LastResponsable => ("L'organisation doit conserver au moins un responsable.", "The organisation must keep at least one responsible."),
            ErrorCode::ContactLinked => ("Ce contact a déjà lié son compte.", "This contact has already linked their account."),
            ErrorCode::FileNumberTaken => ("Une organisation porte déjà ce numéro de dossier.", "An organisation already has this file number."),
            ErrorCode::MigrationRunNotFound => ("Aucune migration ne porte cet identifiant.", "No migration run has this identifier."),
            ErrorCode::OperatorTokenRequired => ("Un jeton d'opérateur valide est requis.", "A valid operator token is required."),
            ErrorCode::EmployerProfileRequired => ("Sélectionnez d'abord le profil d'un employeur.", "Select an employer's profile first."),
            ErrorCode::AuthorizationAdminRequired => ("Seuls le responsable de l'employeur et les contacts qu'il a désignés peuvent gérer les autorisations.", "Only the employer's responsible and the contacts they designated can manage authorizations."),
            ErrorCode::AuthorizationExists => ("Ce contact a déjà une autorisation active sur votre dossier : modifiez-la plutôt.", "This contact already has an active authorization on your file: change it instead."),
            ErrorCode::AuthorizationInactive => ("Cette autorisation n'est plus active.", "This authorization is no longer active."),
            ErrorCode::NotMigrated => ("Seules les relations migrées de l'ancien système se confirment.", "Only relations migrated from the legacy system are confirmed."),
            ErrorCode::AccessRequestExpired => ("Cette demande d'accès a expiré (21 jours sans réponse).", "This access request has expired (21 days without an answer)."),
            ErrorCode::AccessRequestAnswered => ("Cette demande d'accès a déjà reçu une réponse ou a été annulée.", "This access request was already answered or cancelled."),
            ErrorCode::AccessRequestUnmatched => ("Aucun dossier d'employeur ne correspond à ce numéro et à ce code postal. Vérifiez-les auprès de votre client.", "No employer file matches this number and postal code. Check them with your client."),
            ErrorCode::AccessRequestPending => ("Une demande d'accès à ce dossier attend déjà la réponse de l'employeur.", "An access request for this file is already awaiting the employer's answer."),
            ErrorCode::AlreadyAuthorized => ("Vous avez déjà accès à ce dossier : il figure dans « Mes dossiers autorisés ».", "You already have access to this file: it is in \u{201c}My authorized files\u{201d}."),
            ErrorCode::ServiceNotAuthorized => ("L'employeur ne vous a pas autorisé à utiliser ce service pour ce dossier.", "The employer has not authorized you to use this service for this file."),
            ErrorCode::ServiceNotStarted => ("Votre autorisation pour ce service n'est pas encore commencée.", "Your authorization for this service has not started yet."),
            ErrorCode::TokenInvalid => ("Jeton d'API invalide : vérifiez l'en-tête Authorization: Bearer sel_….", "Invalid API token: check the Authorization: Bearer sel_… header."),
            ErrorCode::TokenExpired => ("Ce jeton d'API est expiré. Demandez-en un nouveau au responsable de l'organisation.", "This API token has expired. Ask the organisation's responsible for a new one."),
            ErrorCode::TokenRevoked => ("Ce jeton d'API a été révoqué par l'organisation.", "This API token was revoked by the organisation."),
            ErrorCode::TokenScopeMissing => ("Ce jeton d'API ne donne pas accès à cette ressource (portée manquante).", "This API token does not give access to this resource (missing scope)."),
            ErrorCode::TooManyRequests => ("Trop de requêtes avec ce jeton. Réessayez dans un instant.", "Too many requests with this token. Try again in a moment."),
            ErrorCode::ServiceUnavailable => ("Le service est momentanément indisponible. Réessayez dans un instant.", "The service is temporarily unavailable. Try again in a moment."),
            ErrorCode::ExportTooLarge => ("Cette exportation dépasse 10 000 événements : choisissez des dates plus rapprochées.", "This export exceeds 10,000 events: choose closer dates."),
            ErrorCode::WebhookLimitReached => ("L'organisation a atteint le nombre maximal de webhooks : supprimez-en un d'abord.", "The organisation has reached the maximum number of webhooks: delete one first."),
            ErrorCode::WebhookDisabled => ("Ce webhook est désactivé : réactivez-le avant de renvoyer une livraison.", "This webhook is disabled: enable it again before replaying a delivery."),
            ErrorCode::EmailTaken => ("Cette adresse courriel est maintenant celle d'un autre compte : choisissez-en une autre.", "This email address now belongs to another account: choose another one."),
            ErrorCode::SessionNotFound => ("Cette session n'existe pas ou est déjà fermée.", "This session does not exist or is already signed out."),
            ErrorCode::LastResponsableAccount => ("Vous êtes le dernier responsable d'une organisation : désignez un autre responsable dans « Mon organisation » avant de fermer votre compte.", "You are the last responsible of an organisation: designate another responsible in \u{201c}My organisation\u{201d} before closing your account."),
            ErrorCode::TransmissionNotAuthorized => ("Votre autorisation pour ce dossier est en consultation seulement : vous ne pouvez pas modifier ni transmettre le rapport mensuel.", "Your authorization for this file is consultation only: you cannot change or transmit the monthly report."),
            ErrorCode::MonthlyReportTransmitted => ("Ce rapport mensuel est déjà transmis. Ouvrez une correction pour le modifier.", "This monthly report has already been transmitted. Open a correction to change it."),
            ErrorCode::MonthlyReportNoDraft => ("Ce mois n'a pas de brouillon à transmettre. Saisissez ou importez ses lignes, ou déclarez qu'il n'y a eu aucune activité.", "This month has no draft to transmit. Enter or import its lines, or declare that there was no activity."),
            ErrorCode::MonthlyReportNothingToCorrect => ("Ce rapport mensuel n'a pas encore été transmis : il n'y a rien à corriger.", "This monthly report has not been transmitted yet: there is nothing to correct."),
            ErrorCode::MonthlyReportCorrectionOpen => ("Une correction de ce rapport mensuel est déjà en cours.", "A correction of this monthly report is already in progress."),
            ErrorCode::MonthlyReportMonthNotOver => ("Ce mois n'est pas terminé : son rapport pourra être transmis à partir du premier jour du mois suivant.", "This month is not over: its report can be transmitted from the first day of the next month."),
            ErrorCode::MonthlyReportEmpty => ("Ce rapport n'a aucune ligne. Ajoutez ses lignes ou déclarez qu'il n'y a eu aucune activité ce mois-ci.", "This report has no lines. Add its lines or declare that there was no activity this month."),
            ErrorCode::MonthlyReportNoActivityWithLines => ("Un rapport qui déclare « aucune activité » ne peut pas avoir de lignes.", "A report that declares \"no activity\" cannot have lines."),
            ErrorCode::MonthlyReportTooManyLines => ("Un rapport mensuel compte au plus 2 000 lignes.", "A monthly report has at most 2,000 lines."),
            ErrorCode::CsvRequired => ("Le fichier doit être envoyé en CSV (Content-Type: text/csv).", "The file must be sent as CSV (Content-Type: text/csv)."),
            ErrorCode::CsvNotUtf8 => ("Le fichier n'est pas encodé en UTF-8. Enregistrez-le en « CSV UTF-8 » et importez-le de nouveau.", "The file is not UTF-8 encoded. Save it as \"CSV UTF-8\" and import it again."),
            ErrorCode::MfaChallengeNotFound => ("Cette vérification de connexion n'existe pas. Reconnectez-vous.", "This sign-in check does not exist. Sign in again."),
            ErrorCode::MfaChallengeExpired => ("La vérification de connexion a expiré. Reconnectez-vous.", "The sign-in check has expired. Sign in again."),
            ErrorCode::MfaChallengeExhausted => ("Trop de codes erronés. Reconnectez-vous.", "Too many wrong codes. Sign in again."),
            ErrorCode::MfaChallengeUsed => ("Cette vérification de connexion a déjà servi. Reconnectez-vous.", "This sign-in check has already been used. Sign in again."),
            ErrorCode::TotpAlreadyEnabled => ("Une application d'authentification est déjà configurée.", "An authenticator app is already set up."),
            ErrorCode::TotpNotPending => ("Aucune configuration d'application d'authentification n'est en cours.", "No authenticator app setup is in progress."),
            ErrorCode::MfaNotEnabled => ("Aucun second facteur n'est configuré pour ce compte.", "No second factor is set up for this account."),
            ErrorCode::MfaEnrolmentRequired => ("Configurez un second facteur pour utiliser ce profil.", "Set up a second factor to use this profile."),
            ErrorCode::StepUpRequired => ("Confirmez votre identité avec votre second facteur (moins de 10 minutes) pour faire ce changement.", "Confirm your identity with your second factor (within 10 minutes) to make this change."),
            ErrorCode::PasskeyRejected => ("Cette clé d'accès n'a pas été acceptée. Recommencez depuis le portail, avec une clé d'accès enregistrée pour ce compte.", "This passkey was not accepted. Start again from the portal, with a passkey registered for this account."),
            ErrorCode::PasskeyLimitReached => ("Un compte a au plus 10 clés d'accès : retirez-en une avant d'en ajouter une autre.", "An account has at most 10 passkeys: remove one before adding another."),
            ErrorCode::PasskeyAlreadyRegistered => ("Cette clé d'accès est déjà enregistrée.", "This passkey is already registered."),
            ErrorCode::InternalError => ("Une erreur inattendue est survenue. Réessayez plus tard.", "An unexpected error occurred. Try again later."),
        };
        locale.pick(fr, en)
    }
}
