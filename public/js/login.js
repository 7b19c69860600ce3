// Login page (/): email and password; an unverified account is sent to code entry. An account
// with a second factor then answers a challenge with a code of its authenticator app (or a
// recovery code), or with a passkey when the account has one. A passkey also signs in alone,
// without the password. A signed-in person goes where the API's `next` says: linking a file,
// choosing a profile, setting up a second factor, or home.

import { get, post } from './api.js';
import { clearErrors, focusElement, initPage, readyToSubmit, setBusy, showAlert, showApiError } from './ui.js';
import { nextPage } from './session.js';
import { proofOf } from './step-up.js';
import { startVerification } from './verification.js';
import { getPasskey, passkeyProblem, passkeysSupported } from './webauthn.js';

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
    askForFactor(result.data.challenge_id, result.data.methods);
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

const factorPasskey = document.getElementById('factor-passkey');
const passkeyForm = document.getElementById('passkey-form');

function askForFactor(id, methods = []) {
  challengeId = id;
  setBusy(submit, false);
  form.hidden = true;
  passkeyForm.hidden = true;
  factorPasskey.hidden = !(methods.includes('passkey') && passkeysSupported());
  factorForm.hidden = false;
  focusElement(document.getElementById('factor-heading'));
}

/** Asks the authenticator for an assertion of `optionsPath`; null (with the problem shown) if none. */
async function passkeyAssertion(target, optionsPath, body) {
  const options = await post(optionsPath, body);
  if (!options.ok) {
    showApiError(target, options.error);
    return null;
  }
  try {
    return await getPasskey(options.data);
  } catch (error) {
    showAlert(target, [{ key: passkeyProblem(error) }]);
    return null;
  }
}

factorPasskey.addEventListener('click', async () => {
  clearErrors(factorForm);
  setBusy(factorPasskey, true, 'login.busy');
  const credential = await passkeyAssertion(factorForm, '/api/session/mfa/passkey/options', { challenge_id: challengeId });
  if (!credential) {
    setBusy(factorPasskey, false);
    return;
  }
  await answerChallenge({ credential }, factorPasskey);
});

factorForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(factorForm, ['code'])) return;
  setBusy(factorSubmit, true, 'login.busy');
  await answerChallenge(proofOf(factorForm.elements.code.value), factorSubmit);
});

async function answerChallenge(proof, button) {
  const result = await post('/api/session/mfa', { challenge_id: challengeId, ...proof });
  if (result.ok) {
    location.assign(nextPage(result.data?.next));
    return;
  }
  setBusy(button, false);
  factorForm.elements.code.value = '';
  if (result.error.fields?.recovery_code) result.error.fields = { code: result.error.fields.recovery_code };
  if (result.status === 410 || result.status === 404) {
    // The challenge is over: start again from the password.
    factorForm.hidden = true;
    form.hidden = false;
    passkeyForm.hidden = !passkeysSupported();
    form.elements.password.value = '';
    showApiError(form, result.error);
    return;
  }
  const left = Number(result.error.attempts_left);
  showApiError(factorForm, result.error, Number.isInteger(left) ? [{ key: 'login.factor_attempts_left', vars: { n: left } }] : []);
}

passkeyForm.hidden = !passkeysSupported();
passkeyForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(passkeyForm);
  const button = passkeyForm.querySelector('button[type="submit"]');
  setBusy(button, true, 'login.busy');
  const credential = await passkeyAssertion(passkeyForm, '/api/session/passkey/options');
  const result = credential && (await post('/api/session/passkey', { credential }));
  if (result?.ok) {
    location.assign(nextPage(result.data?.next));
    return;
  }
  setBusy(button, false);
  if (result) showApiError(passkeyForm, result.error);
});

const me = await get('/api/me');
if (me.ok) location.replace('/home');
