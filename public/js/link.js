// Linking a file ("Liaison d'un profil", /link): a short wizard, as in the commission's guide.
// Step 1 says what linking is; step 2 picks the method; step 3 is that method's form: link
// credentials (identifier and link code), the former online services' credentials, or a request
// from known facts (file number and postal code; the code goes to the address on file, never to
// the requester). A link ends on a confirmation naming the file, whose button makes that
// profile the active one and goes home.

import { post, put } from './api.js';
import { startSession } from './session.js';
import {
  clearErrors, focusElement, initPage, isBusy, readyToSubmit, reportClientErrors, setBusy, setFieldError, setText,
  showAlert, showApiError, showScreen, whileBusy,
} from './ui.js';

initPage('link.title');

const main = document.getElementById('main');
const screen = (id) => document.getElementById(id);
const screens = ['link-intro', 'link-method', 'link-credentials', 'link-legacy', 'link-facts', 'link-facts-sent', 'link-done'].map(screen);
const methodForm = document.getElementById('method-form');
const credentialsForm = document.getElementById('credentials-form');
const legacyForm = document.getElementById('legacy-form');
const factsForm = document.getElementById('facts-form');
const doneForm = document.getElementById('done-form');
const METHOD_SCREENS = { credentials: 'link-credentials', legacy: 'link-legacy', facts: 'link-facts' };
const METHOD_FORMS = { credentials: credentialsForm, legacy: legacyForm, facts: factsForm };

let linkedProfile = null;

function go(id, { focus = true } = {}) {
  showScreen(screens, screen(id), { focus });
  document.getElementById('link-aside').hidden = id === 'link-done' || id === 'link-facts-sent';
}

// ---- Formats (the API checks them again; these only catch typing slips early) ----

/** "sel 7kq2m9xd" → "SEL-7KQ2-M9XD"; null when it cannot be an identifier. */
export function normalizeIdentifier(value) {
  const compact = value.toUpperCase().replace(/[\s-]/g, '');
  if (!/^SEL[0-9A-Z]{8}$/.test(compact)) return null;
  return `SEL-${compact.slice(3, 7)}-${compact.slice(7)}`;
}

/** "4f7hkqw2zp" or "4F7HK-QW2ZP" → "4F7HK-QW2ZP"; null when it cannot be a link code. */
export function normalizeLinkCode(value) {
  const compact = value.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[0-9A-Z]{10}$/.test(compact)) return null;
  return `${compact.slice(0, 5)}-${compact.slice(5)}`;
}

// ---- Steps 1 and 2 ----

document.getElementById('link-start').addEventListener('click', () => {
  clearErrors(methodForm);
  go('link-method');
});

for (const back of document.querySelectorAll('[data-back]')) {
  back.addEventListener('click', () => {
    if (back.form) clearErrors(back.form);
    go(back.getAttribute('data-back'));
  });
}

methodForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(methodForm);
  const method = methodForm.elements.method.value;
  if (!METHOD_SCREENS[method]) {
    setFieldError(methodForm, 'method', { key: 'link.method_required' });
    reportClientErrors(methodForm);
    return;
  }
  clearErrors(METHOD_FORMS[method]);
  go(METHOD_SCREENS[method]);
});

// ---- Step 3a: link credentials ----

const CREDENTIAL_HINTS = {
  link_locked: { key: 'link.hint_reissue' },
  link_expired: { key: 'link.hint_reissue' },
  link_used: [{ key: 'link.hint_used' }, { key: 'link.choose_profile', href: '/profiles' }],
  contact_revoked: { key: 'link.hint_revoked' },
};

credentialsForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(credentialsForm, ['identifier', 'code'])) return;
  const identifier = normalizeIdentifier(credentialsForm.elements.identifier.value);
  const code = normalizeLinkCode(credentialsForm.elements.code.value);
  if (!identifier) setFieldError(credentialsForm, 'identifier', { key: 'link.identifier_format' });
  if (!code) setFieldError(credentialsForm, 'code', { key: 'link.code_format' });
  if (!identifier || !code) {
    reportClientErrors(credentialsForm);
    return;
  }

  const submit = credentialsForm.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post('/api/links/credentials', { identifier, code }), 'link.busy');
  if (result.ok) {
    showDone(result.data?.profile);
    return;
  }

  const { error } = result;
  const codeInput = credentialsForm.elements.code;
  if (error.code === 'invalid_link_code') {
    const pieces = [String(error.fields?.code ?? error.message)];
    if (Number.isInteger(error.attempts_left)) pieces.push({ key: 'link.attempts_left', vars: { n: error.attempts_left } });
    setFieldError(credentialsForm, 'code', pieces);
    showAlert(credentialsForm, [error.message], { focus: false });
    focusElement(codeInput);
    codeInput.select();
    return;
  }
  if (error.code === 'link_not_found' && !error.fields) {
    setFieldError(credentialsForm, 'identifier', [error.message, { key: 'link.hint_not_found' }]);
    showAlert(credentialsForm, [error.message], { focus: false });
    focusElement(credentialsForm.elements.identifier);
    return;
  }
  if (['link_locked', 'link_expired', 'link_used', 'contact_revoked'].includes(error.code)) codeInput.value = '';
  const hint = CREDENTIAL_HINTS[error.code];
  showApiError(credentialsForm, error, hint ? [hint] : []);
});

// ---- Step 3b: the former online services ----

legacyForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(legacyForm, ['username', 'password'])) return;
  const username = legacyForm.elements.username.value.trim();
  if (!/^(ci|er|as|ap)/i.test(username)) {
    setFieldError(legacyForm, 'username', { key: 'link.username_format' });
    reportClientErrors(legacyForm);
    return;
  }

  const submit = legacyForm.querySelector('button[type="submit"]');
  const password = legacyForm.elements.password.value;
  const result = await whileBusy(submit, () => post('/api/links/legacy', { username, password }), 'link.busy');
  if (result.ok) {
    legacyForm.reset();
    showDone(result.data?.profile);
    return;
  }
  if (result.status === 401 || result.error.code === 'link_locked') legacyForm.elements.password.value = '';
  showApiError(legacyForm, result.error, result.error.code === 'link_locked' ? [{ key: 'link.hint_legacy_locked' }] : []);
});

// ---- Step 3c: a request from known facts ----

factsForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(factsForm, ['file_number', 'postal_code'])) return;
  const fileNumber = factsForm.elements.file_number.value.replace(/[\s-]/g, '');
  if (!/^\d{6,10}$/.test(fileNumber)) {
    setFieldError(factsForm, 'file_number', { key: 'link.file_number_format' });
    reportClientErrors(factsForm);
    return;
  }

  const submit = factsForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post('/api/links/known-facts', {
    file_number: fileNumber,
    postal_code: factsForm.elements.postal_code.value.trim().toUpperCase(),
  });
  setBusy(submit, false);
  if (result.ok) {
    factsForm.reset();
    go('link-facts-sent');
    return;
  }
  showApiError(factsForm, result.error);
});

document.getElementById('link-enter-credentials').addEventListener('click', () => {
  methodForm.elements.method.value = 'credentials';
  clearErrors(credentialsForm);
  go('link-credentials');
});

// ---- Linked ----

function showDone(profile) {
  linkedProfile = profile ?? null;
  credentialsForm.reset();
  clearErrors(doneForm);
  const text = document.getElementById('link-done-text');
  const organisation = profile?.organisation;
  if (organisation) {
    setText(text, 'link.done', { name: organisation.name, file_number: organisation.file_number });
    text.hidden = false;
  } else {
    text.hidden = true;
  }
  go('link-done');
}

doneForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (isBusy(doneForm)) return;
  clearErrors(doneForm);
  if (!linkedProfile?.id) {
    location.assign('/home');
    return;
  }
  const submit = doneForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await put('/api/session/profile', { profile_id: linkedProfile.id });
  if (result.ok) {
    location.assign('/home');
    return;
  }
  setBusy(submit, false);
  if (result.status === 401) {
    location.replace('/');
    return;
  }
  if (result.status === 403 && result.error.code === 'mfa_enrolment_required') {
    // This profile needs a second factor: set one up, then the profile is selected.
    location.assign(`/mfa?profile=${encodeURIComponent(linkedProfile.id)}`);
    return;
  }
  showApiError(doneForm, result.error, [{ key: 'link.choose_profile', href: '/profiles' }]);
});

document.getElementById('link-another').addEventListener('click', () => {
  linkedProfile = null;
  for (const form of [methodForm, credentialsForm, legacyForm, factsForm]) {
    form.reset();
    clearErrors(form);
  }
  go('link-method');
});

// ---- Start ----

async function start() {
  const me = await startSession();
  if (!me) return;
  document.getElementById('link-loading').hidden = true;
  if (!me.ok) {
    showAlert(main, [[{ key: 'home.load_failed' }, me.error.message]]);
    return;
  }
  go('link-intro', { focus: false });
}

start();
