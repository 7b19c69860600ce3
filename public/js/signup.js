// Account creation (/signup): screen 1 checks the credentials with the API, screen 2 takes the
// name and the terms and creates the account, then the code-entry page takes over.

import { post } from './api.js';
import {
  clearErrors, getLang, initPage, readyToSubmit, setBusy, showApiError, showScreen, t, whileBusy,
} from './ui.js';
import { startVerification } from './verification.js';

initPage('signup.title');

const CREDENTIAL_FIELDS = ['email', 'password', 'password_confirmation'];

const credentialsScreen = document.getElementById('signup-credentials');
const identityScreen = document.getElementById('signup-identity');
const screens = [credentialsScreen, identityScreen];
const credentialsForm = document.getElementById('credentials-form');
const identityForm = document.getElementById('identity-form');

function credentials() {
  return {
    email: credentialsForm.elements.email.value.trim(),
    password: credentialsForm.elements.password.value,
    password_confirmation: credentialsForm.elements.password_confirmation.value,
  };
}

credentialsForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(credentialsForm, CREDENTIAL_FIELDS)) return;

  const submit = credentialsForm.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post('/api/signup/validate', credentials()));

  if (result.ok) {
    clearErrors(identityForm);
    showScreen(screens, identityScreen);
  } else {
    showApiError(credentialsForm, result.error);
  }
});

document.getElementById('signup-previous').addEventListener('click', () => {
  showScreen(screens, credentialsScreen);
});

identityForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(identityForm, ['first_name', 'last_name', 'accept_terms'])) return;

  const submit = identityForm.querySelector('button[type="submit"]');
  const account = credentials();
  setBusy(submit, true);
  const result = await post('/api/signup', {
    ...account,
    first_name: identityForm.elements.first_name.value.trim(),
    last_name: identityForm.elements.last_name.value.trim(),
    accept_terms: identityForm.elements.accept_terms.checked,
    locale: getLang(),
  });

  if (result.ok && result.data?.verification_id) {
    location.assign(startVerification(result.data.verification_id, account.email, result.data.resend_after));
    return;
  }
  setBusy(submit, false);

  const fields = result.error?.fields || {};
  if (CREDENTIAL_FIELDS.some((name) => name in fields)) {
    // The credentials changed meaning since screen 1 (say, the rules): fix them where they were typed.
    clearErrors(credentialsForm);
    showScreen(screens, credentialsScreen, { focus: false });
    showApiError(credentialsForm, result.error);
  } else {
    showApiError(identityForm, result.ok ? { code: 'unexpected', message: t('common.unexpected') } : result.error);
  }
});
