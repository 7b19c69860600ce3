// The UI's language: its texts in French (the default) and English, and the switch between them.
//
// Elements carry `data-i18n="key"` (text content), optionally `data-i18n-vars='{"name":"…"}'`
// for placeholders, and `data-i18n-attr="attribute:key;…"` for translated attributes.
// `translate()` renders them all again whenever the language changes.

const STORAGE_KEY = 'sel.lang';
const LANGUAGES = ['fr', 'en'];
const DEFAULT_LANGUAGE = 'fr';

// The texts themselves are data, one file per language (`public/i18n/fr.json`, `en.json`): a
// text is a string with `{name}` placeholders, or `{"one": …, "other": …}` chosen by `{n}`. Both
// load before any page module runs (top-level await), so `t()` stays synchronous and switching
// language needs no further request.
const DICTIONARY = Object.fromEntries(
  await Promise.all(
    LANGUAGES.map(async (language) => {
      const response = await fetch(new URL(`../i18n/${language}.json`, import.meta.url));
      if (!response.ok) throw new Error(`The ${language} texts did not load (${response.status})`);
      return [language, await response.json()];
    }),
  ),
);

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
  const text = typeof entry === 'string' ? entry : Number(vars.n) === 1 ? entry.one : entry.other;
  return text.replace(/\{(\w+)\}/g, (placeholder, name) => (name in vars ? String(vars[name]) : placeholder));
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
