// Every piece of UI text, in French (the default) and English, and the language switch.
//
// Elements carry `data-i18n="key"` (text content), optionally `data-i18n-vars='{"name":"…"}'`
// for placeholders, and `data-i18n-attr="attribute:key;…"` for translated attributes.
// `translate()` renders them all again whenever the language changes.

const STORAGE_KEY = 'sel.lang';
const LANGUAGES = ['fr', 'en'];
const DEFAULT_LANGUAGE = 'fr';

const plural = (one, other) => ({ n }) => (Number(n) === 1 ? one : other).replace('{n}', String(n));

const DICTIONARY = {
  fr: {
    'site.name': 'Services en ligne',
    'site.tagline': 'Industrie de la construction du Québec',
    'site.home_link': 'Services en ligne – accueil',
    'lang.switch': 'English',
    'common.skip': 'Passer au contenu principal',
    'common.busy': 'Veuillez patienter…',
    'common.required': 'Ce champ est obligatoire.',
    'common.fix_errors': 'Le formulaire contient des erreurs. Veuillez les corriger.',
    'common.network_error': 'Le service est injoignable. Vérifiez votre connexion, puis réessayez.',
    'common.unexpected': 'Une erreur inattendue est survenue. Veuillez réessayer.',
    'common.retry_in_seconds': plural('Vous pourrez réessayer dans {n} seconde.', 'Vous pourrez réessayer dans {n} secondes.'),
    'common.retry_in_minutes': plural('Vous pourrez réessayer dans {n} minute.', 'Vous pourrez réessayer dans {n} minutes.'),
    'common.back_to_login': 'Retour à la connexion',
    'footer.terms': "Conditions d'utilisation",
    'footer.copyright': 'SEL – Services en ligne',

    'password.rules_title': 'Le mot de passe doit :',
    'password.rule_length': 'compter de 12 à 128 caractères;',
    'password.rule_common': 'ne pas être un mot de passe courant;',
    'password.rule_email': "ne pas contenir la partie de l'adresse courriel qui précède le « @ ».",

    'login.title': 'Se connecter',
    'login.intro': 'Accédez aux services en ligne avec votre compte utilisateur.',
    'login.email': 'Adresse courriel',
    'login.password': 'Mot de passe',
    'login.forgot': 'Mot de passe oublié?',
    'login.submit': 'Connexion',
    'login.busy': 'Connexion en cours…',
    'login.no_account': "Vous n'avez pas de compte?",
    'login.create': 'Créer un compte',

    'signup.title': 'Créer un compte',
    'signup.step1': 'Étape 1 de 2 – Identifiants de connexion',
    'signup.step2': 'Étape 2 de 2 – Renseignements personnels',
    'signup.email': 'Adresse courriel',
    'signup.password': 'Mot de passe',
    'signup.password_confirmation': 'Confirmation du mot de passe',
    'signup.next': 'Suivant',
    'signup.first_name': 'Prénom',
    'signup.last_name': 'Nom',
    'signup.terms': "J'ai lu et j'approuve les conditions d'utilisation",
    'signup.terms_link': "Consulter les conditions d'utilisation (nouvel onglet)",
    'signup.terms_required': "Vous devez approuver les conditions d'utilisation.",
    'signup.submit': 'Créer mon compte',
    'signup.previous': 'Précédent',
    'signup.have_account': 'Vous avez déjà un compte?',
    'signup.login': 'Se connecter',

    'verify.title': 'Valider votre adresse courriel',
    'verify.sent_to': 'Un code à 6 chiffres a été envoyé à {email}.',
    'verify.sent_to_unknown': 'Un code à 6 chiffres a été envoyé à votre adresse courriel.',
    'verify.validity': 'Le code est valide pendant 10 minutes. Vérifiez aussi vos courriels indésirables.',
    'verify.code': 'Code de vérification',
    'verify.code_hint': 'Le code compte 6 chiffres.',
    'verify.code_format': 'Le code doit compter exactement 6 chiffres.',
    'verify.submit': 'Valider le code',
    'verify.resend': 'Renvoyer le code',
    'verify.resend_wait': 'Renvoyer le code dans {s} s',
    'verify.resent': 'Un nouveau code a été envoyé.',
    'verify.attempts_left': plural('Il vous reste {n} tentative.', 'Il vous reste {n} tentatives.'),
    'verify.resend_hint': 'Demandez un nouveau code avec le bouton « Renvoyer le code ».',
    'verify.used_hint': 'Si votre compte est déjà activé, connectez-vous.',
    'verify.restart_hint': "Recommencez la création du compte ou connectez-vous : un nouveau code vous sera envoyé si l'adresse n'est pas encore validée.",
    'verify.missing': 'Aucune validation en cours. Créez un compte ou connectez-vous.',

    'forgot.title': 'Mot de passe oublié',
    'forgot.request_heading': 'Recevoir un code',
    'forgot.intro': "Entrez l'adresse courriel de votre compte. S'il existe, vous recevrez un code à 6 chiffres pour choisir un nouveau mot de passe.",
    'forgot.email': 'Adresse courriel',
    'forgot.send': 'Recevoir un code',
    'forgot.reset_heading': 'Choisir un nouveau mot de passe',
    'forgot.sent_to': "Si un compte existe pour {email}, un code à 6 chiffres y a été envoyé. Il est valide pendant 10 minutes.",
    'forgot.code': 'Code de vérification',
    'forgot.new_password': 'Nouveau mot de passe',
    'forgot.new_password_confirmation': 'Confirmation du nouveau mot de passe',
    'forgot.submit': 'Modifier le mot de passe',
    'forgot.other_email': 'Utiliser une autre adresse courriel',
    'forgot.done_heading': 'Mot de passe modifié',
    'forgot.done': 'Votre mot de passe a été modifié. Connectez-vous avec votre nouveau mot de passe.',
    'forgot.restart_hint': 'Demandez un nouveau code avec le bouton « Renvoyer le code » ou utilisez une autre adresse courriel.',

    'home.title': 'Accueil',
    'home.greeting': 'Bonjour, {name}',
    'home.intro': 'Choisissez une section dans le menu.',
    'home.menu': 'Menu principal',
    'home.logout': 'Se déconnecter',
    'home.coming': 'Cette section sera offerte dans une prochaine version.',
    'home.back': "Retour à l'accueil",
    'home.load_failed': 'Impossible de charger votre profil.',
    'menu.organisation': 'Mon organisation',
    'menu.organisation_text': 'Les renseignements et les contacts de votre organisation.',
    'menu.catalogue': 'Catalogue de services',
    'menu.catalogue_text': 'Les services en ligne offerts par la commission.',
    'menu.knowledge': 'Base de connaissances',
    'menu.knowledge_text': 'Des guides et des réponses aux questions fréquentes.',
    'menu.requests': 'Mes demandes',
    'menu.requests_text': 'Le suivi des demandes que vous avez faites.',
    'menu.files': 'Mes dossiers autorisés',
    'menu.files_text': "Les dossiers d'employeurs qui vous ont autorisé.",

    'conditions.title': "Conditions d'utilisation",
    'conditions.p1': "Les services en ligne (SEL) permettent aux employeurs, aux firmes comptables et à leurs membres de transmettre et de consulter des renseignements liés à l'industrie de la construction.",
    'conditions.p2': "Votre compte est personnel. Gardez votre mot de passe confidentiel et ne le communiquez à personne, même à un collègue.",
    'conditions.p3': "Vous vous engagez à transmettre des renseignements exacts et à n'utiliser que les dossiers et les services pour lesquels vous avez été autorisé.",
    'conditions.p4': "Les renseignements personnels recueillis servent uniquement à la gestion de votre compte et des services en ligne. Les actions importantes sont consignées à des fins de sécurité.",
    'conditions.p5': "Ces conditions peuvent être modifiées. La version en vigueur est toujours celle publiée sur cette page.",
    'conditions.back': 'Aller à la page de connexion',
  },
  en: {
    'site.name': 'Online services',
    'site.tagline': 'Québec construction industry',
    'site.home_link': 'Online services – home',
    'lang.switch': 'Français',
    'common.skip': 'Skip to main content',
    'common.busy': 'Please wait…',
    'common.required': 'This field is required.',
    'common.fix_errors': 'The form contains errors. Please correct them.',
    'common.network_error': 'The service cannot be reached. Check your connection, then try again.',
    'common.unexpected': 'An unexpected error occurred. Please try again.',
    'common.retry_in_seconds': plural('You can try again in {n} second.', 'You can try again in {n} seconds.'),
    'common.retry_in_minutes': plural('You can try again in {n} minute.', 'You can try again in {n} minutes.'),
    'common.back_to_login': 'Back to login',
    'footer.terms': 'Terms of use',
    'footer.copyright': 'SEL – Online services',

    'password.rules_title': 'The password must:',
    'password.rule_length': 'be 12 to 128 characters long;',
    'password.rule_common': 'not be a common password;',
    'password.rule_email': 'not contain the part of your email address before the “@”.',

    'login.title': 'Log in',
    'login.intro': 'Access the online services with your user account.',
    'login.email': 'Email address',
    'login.password': 'Password',
    'login.forgot': 'Forgot your password?',
    'login.submit': 'Log in',
    'login.busy': 'Logging in…',
    'login.no_account': "Don't have an account?",
    'login.create': 'Create an account',

    'signup.title': 'Create an account',
    'signup.step1': 'Step 1 of 2 – Login credentials',
    'signup.step2': 'Step 2 of 2 – Personal information',
    'signup.email': 'Email address',
    'signup.password': 'Password',
    'signup.password_confirmation': 'Password confirmation',
    'signup.next': 'Next',
    'signup.first_name': 'First name',
    'signup.last_name': 'Last name',
    'signup.terms': 'I have read and accept the terms of use',
    'signup.terms_link': 'Read the terms of use (new tab)',
    'signup.terms_required': 'You must accept the terms of use.',
    'signup.submit': 'Create my account',
    'signup.previous': 'Previous',
    'signup.have_account': 'Already have an account?',
    'signup.login': 'Log in',

    'verify.title': 'Verify your email address',
    'verify.sent_to': 'A 6-digit code was sent to {email}.',
    'verify.sent_to_unknown': 'A 6-digit code was sent to your email address.',
    'verify.validity': 'The code is valid for 10 minutes. Also check your junk mail.',
    'verify.code': 'Verification code',
    'verify.code_hint': 'The code has 6 digits.',
    'verify.code_format': 'The code must be exactly 6 digits.',
    'verify.submit': 'Validate the code',
    'verify.resend': 'Resend the code',
    'verify.resend_wait': 'Resend the code in {s} s',
    'verify.resent': 'A new code was sent.',
    'verify.attempts_left': plural('You have {n} attempt left.', 'You have {n} attempts left.'),
    'verify.resend_hint': 'Request a new code with the “Resend the code” button.',
    'verify.used_hint': 'If your account is already activated, log in.',
    'verify.restart_hint': 'Create your account again or log in: a new code will be sent if the address is not verified yet.',
    'verify.missing': 'No verification in progress. Create an account or log in.',

    'forgot.title': 'Forgotten password',
    'forgot.request_heading': 'Get a code',
    'forgot.intro': 'Enter the email address of your account. If it exists, you will receive a 6-digit code to choose a new password.',
    'forgot.email': 'Email address',
    'forgot.send': 'Get a code',
    'forgot.reset_heading': 'Choose a new password',
    'forgot.sent_to': 'If an account exists for {email}, a 6-digit code was sent to it. It is valid for 10 minutes.',
    'forgot.code': 'Verification code',
    'forgot.new_password': 'New password',
    'forgot.new_password_confirmation': 'New password confirmation',
    'forgot.submit': 'Change the password',
    'forgot.other_email': 'Use another email address',
    'forgot.done_heading': 'Password changed',
    'forgot.done': 'Your password was changed. Log in with your new password.',
    'forgot.restart_hint': 'Request a new code with the “Resend the code” button or use another email address.',

    'home.title': 'Home',
    'home.greeting': 'Hello, {name}',
    'home.intro': 'Choose a section from the menu.',
    'home.menu': 'Main menu',
    'home.logout': 'Log out',
    'home.coming': 'This section will be available in a future release.',
    'home.back': 'Back to home',
    'home.load_failed': 'Your profile could not be loaded.',
    'menu.organisation': 'My organization',
    'menu.organisation_text': "Your organization's information and contacts.",
    'menu.catalogue': 'Service catalogue',
    'menu.catalogue_text': 'The online services offered by the commission.',
    'menu.knowledge': 'Knowledge base',
    'menu.knowledge_text': 'Guides and answers to frequently asked questions.',
    'menu.requests': 'My requests',
    'menu.requests_text': 'Follow up on the requests you made.',
    'menu.files': 'My authorized files',
    'menu.files_text': 'The employer files that authorized you.',

    'conditions.title': 'Terms of use',
    'conditions.p1': 'The online services (SEL) let employers, accounting firms and their members send and consult information related to the construction industry.',
    'conditions.p2': 'Your account is personal. Keep your password confidential and never share it, not even with a colleague.',
    'conditions.p3': 'You agree to provide accurate information and to use only the files and services you were authorized for.',
    'conditions.p4': 'The personal information collected is used only to manage your account and the online services. Important actions are logged for security purposes.',
    'conditions.p5': 'These terms may change. The version in force is always the one published on this page.',
    'conditions.back': 'Go to the login page',
  },
};

function readStoredLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(stored) ? stored : null;
  } catch {
    return null;
  }
}

let currentLanguage = readStoredLanguage() ?? DEFAULT_LANGUAGE;
const listeners = new Set();

export function getLang() {
  return currentLanguage;
}

/** True once the person picked a language on this browser (the toggle), false for the default. */
export function hasChosenLang() {
  return readStoredLanguage() !== null;
}

export function otherLang() {
  return currentLanguage === 'fr' ? 'en' : 'fr';
}

/** Switches the language; `remember: false` applies it to this page only (not a choice made). */
export function setLang(language, { remember = true } = {}) {
  if (!LANGUAGES.includes(language)) return;
  currentLanguage = language;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, language);
    } catch {
      // Private browsing may refuse storage: the choice then lasts for this page only.
    }
  }
  translate(document);
  for (const listener of listeners) listener(language);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

export function t(key, vars = {}) {
  const entry = DICTIONARY[currentLanguage][key] ?? DICTIONARY[DEFAULT_LANGUAGE][key];
  if (entry === undefined) return key;
  if (typeof entry === 'function') return entry(vars);
  return entry.replace(/\{(\w+)\}/g, (placeholder, name) => (name in vars ? String(vars[name]) : placeholder));
}

function varsOf(element) {
  const raw = element.getAttribute('data-i18n-vars');
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return {};
  }
}

export function translate(root) {
  document.documentElement.lang = currentLanguage;
  const scope = root === document ? document.documentElement : root;
  const withText = [scope, ...scope.querySelectorAll('[data-i18n]')].filter((el) => el.hasAttribute('data-i18n'));
  for (const element of withText) {
    element.textContent = t(element.getAttribute('data-i18n'), varsOf(element));
  }
  const withAttributes = [scope, ...scope.querySelectorAll('[data-i18n-attr]')].filter((el) => el.hasAttribute('data-i18n-attr'));
  for (const element of withAttributes) {
    for (const pair of element.getAttribute('data-i18n-attr').split(';')) {
      const [attribute, key] = pair.split(':').map((part) => part.trim());
      if (attribute && key) element.setAttribute(attribute, t(key));
    }
  }
}
