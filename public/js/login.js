// Login page (/): email and password; an unverified account is sent to code entry. A signed-in
// person goes where the API's `next` says: linking a file, choosing a profile, or home.

import { get, post } from './api.js';
import { initPage, readyToSubmit, setBusy, showApiError } from './ui.js';
import { nextPage } from './session.js';
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

const me = await get('/api/me');
if (me.ok) location.replace('/home');
