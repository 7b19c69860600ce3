// Login page (/): email and password; an unverified account is sent to code entry. An account
// with a second factor then answers a challenge with a code of its authenticator app (or a
// recovery code). A signed-in person goes where the API's `next` says: linking a file, choosing a
// profile, setting up a second factor, or home.

import { get, post } from './api.js';
import { focusElement, initPage, readyToSubmit, setBusy, showApiError } from './ui.js';
import { nextPage } from './session.js';
import { proofOf } from './step-up.js';
import { startVerification } from './verification.js';

initPage('login.title');

const form = document.getElementById('login-form');
const submit = form.querySelector('button[type="submit"]');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(form, ['email', 'password'])) return;

  const email = form.elements.email.value.trim();
  setBusy(submit, true, 'login.busy');
  const result = await post('/api/session', { email, password: form.elements.password.value });

  if (result.ok && result.data?.mfa_required) {
    askForFactor(result.data.challenge_id);
    return;
  }
  if (result.ok) {
    location.assign(nextPage(result.data?.next));
    return;
  }
  if (result.status === 403 && result.error.code === 'email_not_verified' && result.error.verification_id) {
    location.assign(startVerification(result.error.verification_id, email));
    return;
  }
  setBusy(submit, false);
  if (result.status === 401) form.elements.password.value = '';
  showApiError(form, result.error);
});

const factorForm = document.getElementById('factor-form');
const factorSubmit = factorForm.querySelector('button[type="submit"]');
let challengeId = null;

function askForFactor(id) {
  challengeId = id;
  setBusy(submit, false);
  form.hidden = true;
  factorForm.hidden = false;
  focusElement(document.getElementById('factor-heading'));
}

factorForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(factorForm, ['code'])) return;
  setBusy(factorSubmit, true, 'login.busy');
  const result = await post('/api/session/mfa', { challenge_id: challengeId, ...proofOf(factorForm.elements.code.value) });
  if (result.ok) {
    location.assign(nextPage(result.data?.next));
    return;
  }
  setBusy(factorSubmit, false);
  factorForm.elements.code.value = '';
  if (result.error.fields?.recovery_code) result.error.fields = { code: result.error.fields.recovery_code };
  if (result.status === 410 || result.status === 404) {
    // The challenge is over: start again from the password.
    factorForm.hidden = true;
    form.hidden = false;
    form.elements.password.value = '';
    showApiError(form, result.error);
    return;
  }
  const left = Number(result.error.attempts_left);
  showApiError(factorForm, result.error, Number.isInteger(left) ? [{ key: 'login.factor_attempts_left', vars: { n: left } }] : []);
});

const me = await get('/api/me');
if (me.ok) location.replace('/home');
