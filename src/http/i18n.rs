//! The sentences of field problems, in French and English (error codes carry their own, in
//! `error_code.rs`).

use crate::domain::fields::Problem;
use crate::domain::locale::Locale;

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
        Problem::SearchTooLong => (
            "La recherche est trop longue : 48 octets au plus (moins avec des lettres accentuées ou non latines).",
            "The search is too long: 48 bytes at most (fewer with accented or non-Latin letters).",
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
        Problem::InvalidMonth => (
            "Indiquez un mois sous la forme AAAA-MM (par exemple 2026-11).",
            "Give a month as YYYY-MM (for example 2026-11).",
        ),
        Problem::FutureMonth => (
            "Ce mois n'est pas encore commencé : choisissez le mois courant ou un mois passé.",
            "This month has not started yet: choose the current month or a past one.",
        ),
        Problem::InvalidCredential => (
            "Cette réponse de clé d'accès est illisible : recommencez depuis le portail.",
            "This passkey response cannot be read: start again from the portal.",
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
        Problem::PortNotAllowed => (
            "Seuls les ports 443 et 8443 sont permis : retirez le port de l'adresse ou utilisez l'un de ceux-là.",
            "Only ports 443 and 8443 are allowed: remove the port from the URL or use one of them.",
        ),
        Problem::WrongPassword => (
            "Le mot de passe actuel est incorrect.",
            "The current password is incorrect.",
        ),
        Problem::SameEmail => (
            "C'est déjà l'adresse courriel de votre compte.",
            "This is already your account's email address.",
        ),
    };
    pick(locale, fr, en)
}

fn pick(locale: Locale, fr: &'static str, en: &'static str) -> &'static str {
    locale.pick(fr, en)
}

/// One problem of a monthly report's line: where (line, field, column of an imported file),
/// what (`code`) and the sentence to show.
pub fn line_problem_json(
    problem: &crate::domain::monthly_report::LineProblem,
    locale: Locale,
) -> serde_json::Value {
    use crate::domain::monthly_report::Issue;
    let (fr, en): (String, String) = match problem.issue {
        Issue::Required => (
            "Ce champ est obligatoire.".into(),
            "This field is required.".into(),
        ),
        Issue::NotText => (
            "Ce champ doit être du texte.".into(),
            "This field must be text.".into(),
        ),
        Issue::TooLong => (
            "Le nom compte au plus 100 caractères.".into(),
            "The name has at most 100 characters.".into(),
        ),
        Issue::InvalidName => (
            "Le nom doit contenir des lettres et aucun caractère invisible.".into(),
            "The name must contain letters and no invisible characters.".into(),
        ),
        Issue::InvalidWorkerId => (
            "L'identifiant du travailleur compte de 6 à 10 chiffres.".into(),
            "The worker identifier has 6 to 10 digits.".into(),
        ),
        Issue::UnknownTrade => (
            "Ce métier n'est pas dans la liste des métiers et occupations.".into(),
            "This trade is not in the list of trades and occupations.".into(),
        ),
        Issue::UnknownRegion => (
            "Cette région n'est pas une des régions de la construction.".into(),
            "This region is not one of the construction regions.".into(),
        ),
        Issue::InvalidHours => (
            "Indiquez un nombre d'heures positif (par exemple 37,5).".into(),
            "Give a positive number of hours (for example 37.5).".into(),
        ),
        Issue::NotQuarterHour => (
            "Les heures se déclarent au quart d'heure (,25 ,5 ,75).".into(),
            "Hours are declared in quarter hours (.25 .5 .75).".into(),
        ),
        Issue::TooManyHours => (
            "Au plus 300 heures par ligne.".into(),
            "At most 300 hours per line.".into(),
        ),
        Issue::InvalidWages => (
            "Indiquez un salaire brut positif (en cents dans l'API, en dollars dans un fichier)."
                .into(),
            "Give positive gross wages (in cents in the API, in dollars in a file).".into(),
        ),
        Issue::TooMuchWages => (
            "Au plus 10 000 000 $ par ligne.".into(),
            "At most $10,000,000 per line.".into(),
        ),
        Issue::Duplicate(first) => (
            format!("Même travailleur, métier et région qu'à la ligne {first}."),
            format!("Same worker, trade and region as line {first}."),
        ),
        Issue::NotALine => (
            "Chaque ligne doit être un objet JSON.".into(),
            "Each line must be a JSON object.".into(),
        ),
        Issue::UnknownColumn => (
            "Cette colonne n'est pas une colonne du rapport mensuel.".into(),
            "This column is not one of the monthly report's.".into(),
        ),
        Issue::MissingColumn => (
            "Cette colonne manque à l'en-tête.".into(),
            "This column is missing from the header.".into(),
        ),
        Issue::DuplicateColumn => (
            "Cette colonne est nommée deux fois.".into(),
            "This column is named twice.".into(),
        ),
        Issue::WrongCellCount => (
            "Cette ligne n'a pas autant de cellules que l'en-tête.".into(),
            "This line does not have as many cells as the header.".into(),
        ),
        Issue::UnclosedQuote => (
            "Un guillemet ouvert sur cette ligne n'est jamais fermé.".into(),
            "A quote opened on this line is never closed.".into(),
        ),
    };
    let mut json = crate::json!({
        "line": problem.line,
        "field": problem.field.code(),
        "code": problem.issue.code(),
        "message": match locale { Locale::Fr => fr, Locale::En => en },
    });
    if let Issue::Duplicate(first) = problem.issue {
        json["first_line"] = first.into();
    }
    if let Some(column) = &problem.column {
        json["column"] = column.clone().into();
    }
    json
}
