// "Mon compte" (/account): the signed-in person's own account. Name and language, password (the
// other sessions end, this one continues), email address (a code to the new address), live
// sessions (end one, or every other), security activity (20 at a time), a copy of one's data,
// and closing the account. "Sécurité de connexion" (the second factor) is its own page, /mfa.

import { del, get, patch, post } from './api.js';
import { showCodeError } from './code-errors.js';
import { timeElement } from './format.js';
import { setLang } from './i18n.js';
import { handledUnauthenticated, signedIn } from './session.js';
import { actionButton, keySpan, textSpan } from './table.js';
import {
  $, clearErrors, focusElement, initPage, normalizeCode, readyToSubmit, setFieldError, setText, showApiError,
  showStatus, t, whileBusy,
} from './ui.js';

initPage('account.title');

const profileForm = $('profile-form');
const passwordForm = $('password-form');
const emailForm = $('email-form');
const codeForm = $('email-code-form');
const sessionsForm = $('sessions-form');
const activityForm = $('activity-form');
const closeForm = $('close-form');

// The actions the activity names in words; any other shows as the trail writes it.
const ACTIONS = [
  'login.succeeded', 'login.new_device', 'login.failed', 'logout', 'signup.verified', 'password.changed', 'password.reset',
  'password.reset_requested', 'password.check_failed', 'email.change_requested', 'email.changed',
  'account.updated', 'session.revoked', 'sessions.revoked_others', 'profile.selected', 'signup.address_taken',
  'mfa.passkey_added', 'mfa.passkey_removed',
];

let verificationId = null;
let activityCursor = null;

/** An API answer that failed: 401 goes to the login page, anything else shows in `form`. */
function failed(form, result, show = showApiError) {
  if (handledUnauthenticated(result)) return;
  show(form, result.error);
}

function showAccount(me) {
  profileForm.elements.first_name.value = me.first_name;
  profileForm.elements.last_name.value = me.last_name;
  profileForm.elements.locale.value = me.locale;
  $('email-current').textContent = me.email;
  document.getElementById('user-email').textContent = me.email;
}

// --- Name and language ---------------------------------------------------------------------------

profileForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(profileForm, ['first_name', 'last_name'])) return;
  const submit = profileForm.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => patch('/api/me', {
    first_name: profileForm.elements.first_name.value,
    last_name: profileForm.elements.last_name.value,
    locale: profileForm.elements.locale.value,
  }));
  if (!result.ok) {
    failed(profileForm, result);
    return;
  }
  showAccount(result.data);
  setLang(result.data.locale);
  showStatus(profileForm, [{ key: 'account.saved' }]);
});

// --- Password -------------------------------------------------------------------------------------

passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const names = ['current_password', 'new_password', 'new_password_confirmation'];
  if (!readyToSubmit(passwordForm, names)) return;
  const submit = passwordForm.querySelector('button[type="submit"]');
  const body = Object.fromEntries(names.map((name) => [name, passwordForm.elements[name].value]));
  const result = await whileBusy(submit, () => post('/api/me/password', body));
  if (!result.ok) {
    failed(passwordForm, result);
    return;
  }
  passwordForm.reset();
  showStatus(passwordForm, [{ key: 'account.password_changed' }]);
  loadSessions();
  loadActivity();
});

// --- Email ----------------------------------------------------------------------------------------

emailForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(emailForm, ['new_email', 'current_password'])) return;
  const submit = emailForm.querySelector('button[type="submit"]');
  const newEmail = emailForm.elements.new_email.value.trim();
  const result = await whileBusy(submit, () => post('/api/me/email', {
    new_email: newEmail, current_password: emailForm.elements.current_password.value,
  }));
  if (!result.ok) {
    failed(emailForm, result);
    return;
  }
  verificationId = result.data.verification_id;
  emailForm.reset();
  emailForm.hidden = true;
  codeForm.hidden = false;
  clearErrors(codeForm);
  setText($('email-sent-to'), 'account.email_sent_to', { email: newEmail });
  focusElement(codeForm.elements.code);
});

codeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = normalizeCode(codeForm.elements.code.value);
  const wellFormed = () => {
    if (!code || /^\d{6}$/.test(code)) return true;
    setFieldError(codeForm, 'code', { key: 'verify.code_format' });
    return false;
  };
  if (!readyToSubmit(codeForm, ['code'], wellFormed)) return;
  const submit = codeForm.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post('/api/me/email/confirm', { verification_id: verificationId, code }));
  if (!result.ok) {
    failed(codeForm, result, showCodeError);
    return;
  }
  showAccount(result.data);
  codeForm.reset();
  codeForm.hidden = true;
  emailForm.hidden = false;
  showStatus(emailForm, [{ key: 'account.email_changed', vars: { email: result.data.email } }]);
  loadActivity();
});

$('email-cancel').addEventListener('click', () => {
  verificationId = null;
  codeForm.reset();
  codeForm.hidden = true;
  emailForm.hidden = false;
  focusElement(emailForm.elements.new_email);
});

// --- Sessions -------------------------------------------------------------------------------------

function sessionItem(session) {
  const item = document.createElement('li');
  item.className = 'session-list__item';
  const title = document.createElement('p');
  title.className = 'session-list__device';
  title.append(session.device ? textSpan(session.device) : keySpan('account.device_unknown'));
  if (session.current) {
    title.append(' ');
    const badge = keySpan('account.session_current', {}, 'badge badge--active');
    title.append(badge);
  }
  const times = document.createElement('p');
  times.className = 'session-list__times';
  times.append(keySpan('account.session_created'), ' ', timeElement(session.created_at), ' · ',
    keySpan('account.session_seen'), ' ', timeElement(session.last_seen_at));
  item.append(title, times);
  if (!session.current) {
    const end = actionButton('account.session_end', session.device ?? t('account.device_unknown'));
    end.addEventListener('click', async () => {
      clearErrors(sessionsForm);
      end.disabled = true;
      const result = await del(`/api/me/sessions/${encodeURIComponent(session.id)}`);
      end.disabled = false;
      if (!result.ok) {
        failed(sessionsForm, result);
        return;
      }
      showStatus(sessionsForm, [{ key: 'account.session_ended' }]);
      await loadSessions();
      focusElement($('sessions-heading'));
    });
    item.append(end);
  }
  return item;
}

async function loadSessions() {
  const result = await get('/api/me/sessions');
  if (!result.ok) {
    failed(sessionsForm, result);
    return;
  }
  const list = $('sessions-list');
  list.replaceChildren(...result.data.items.map(sessionItem));
  $('sessions-others').hidden = !result.data.items.some((s) => !s.current);
}

$('sessions-others').addEventListener('click', async () => {
  const button = $('sessions-others');
  clearErrors(sessionsForm);
  const result = await whileBusy(button, () => del('/api/me/sessions'));
  if (!result.ok) {
    failed(sessionsForm, result);
    return;
  }
  showStatus(sessionsForm, [{ key: 'account.sessions_ended', vars: { n: result.data.revoked } }]);
  await loadSessions();
  loadActivity();
});

// --- Activity -------------------------------------------------------------------------------------

function activityItem(event) {
  const item = document.createElement('li');
  item.className = 'activity-list__item';
  item.append(timeElement(event.at), ' — ');
  item.append(ACTIONS.includes(event.action) ? keySpan(`account.action.${event.action}`) : textSpan(event.action));
  if (event.ip) item.append(' ', textSpan(`(${event.ip})`, 'activity-list__ip'));
  return item;
}

async function loadActivity({ more = false } = {}) {
  const path = more && activityCursor ? `/api/me/activity?cursor=${encodeURIComponent(activityCursor)}` : '/api/me/activity';
  const result = await get(path);
  if (!result.ok) {
    failed(activityForm, result);
    return;
  }
  const list = $('activity-list');
  const items = result.data.items.map(activityItem);
  if (more) list.append(...items); else list.replaceChildren(...items);
  activityCursor = result.data.next_cursor;
  $('activity-more').hidden = !activityCursor;
  $('activity-empty').hidden = list.children.length > 0;
}

$('activity-more').addEventListener('click', () => loadActivity({ more: true }));

// --- Closing the account --------------------------------------------------------------------------

closeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(closeForm, ['current_password', 'confirm'])) return;
  const submit = closeForm.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => del('/api/me', { current_password: closeForm.elements.current_password.value }));
  if (!result.ok) {
    failed(closeForm, result);
    return;
  }
  location.replace('/');
});

// --- Start ----------------------------------------------------------------------------------------

const me = await signedIn($('account-loading'));
if (me) {
  showAccount(me);
  $('account-loading').hidden = true;
  $('account-view').hidden = false;
  await Promise.all([loadSessions(), loadActivity()]);
}
