// Forgotten password (/forgot-password): ask for a code by email, then choose a new password with
// it. Resending asks /api/password/forgot again with the same address, which answers a new reset id.

import { post } from './api.js';
import { showCodeError } from './code-errors.js';
import {
  clearErrors, countdown, focusElement, initPage, isBusy, normalizeCode, readyToSubmit, setBusy, setFieldError, setText,
  showApiError, showScreen, showStatus, whileBusy,
} from './ui.js';
import { DEFAULT_RESEND_AFTER_SECONDS } from './verification.js';

initPage('forgot.title');

const requestScreen = document.getElementById('forgot-request');
const resetScreen = document.getElementById('forgot-reset');
const doneScreen = document.getElementById('forgot-done');
const screens = [requestScreen, resetScreen, doneScreen];
const requestForm = document.getElementById('request-form');
const resetForm = document.getElementById('reset-form');
const resend = document.getElementById('reset-resend');

const RESTART = { key: 'forgot.restart_hint' };
const HINTS = {
  code_expired: RESTART,
  code_exhausted: RESTART,
  code_used: RESTART,
  reset_not_found: RESTART,
  verification_not_found: RESTART,
};

let email = '';
let resetId = null;
let stopCooldown = () => {};

function startCooldown(seconds) {
  stopCooldown();
  const wait = Number(seconds) > 0 ? Number(seconds) : DEFAULT_RESEND_AFTER_SECONDS;
  stopCooldown = countdown(resend, Date.now() + wait * 1000, 'verify.resend', 'verify.resend_wait');
}

function acceptResetStarted(data) {
  resetId = data.reset_id;
  startCooldown(data.resend_after);
}

requestForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(requestForm, ['email'])) return;

  const submit = requestForm.querySelector('button[type="submit"]');
  const requestedEmail = requestForm.elements.email.value.trim();
  const result = await whileBusy(submit, () => post('/api/password/forgot', { email: requestedEmail }));

  if (!result.ok) {
    showApiError(requestForm, result.error);
    return;
  }
  email = requestedEmail;
  acceptResetStarted(result.data || {});
  resetForm.reset();
  clearErrors(resetForm);
  setText(document.getElementById('forgot-sent-to'), 'forgot.sent_to', { email });
  showScreen(screens, resetScreen);
});

resend.addEventListener('click', async () => {
  if (isBusy(resetForm) || resend.disabled) return;
  clearErrors(resetForm);
  stopCooldown();
  const result = await whileBusy(resend, () => post('/api/password/forgot', { email }));

  if (result.ok) {
    acceptResetStarted(result.data || {});
    resetForm.elements.code.value = '';
    showStatus(resetForm, [{ key: 'verify.resent' }]);
    focusElement(resetForm.elements.code);
    return;
  }
  startCooldown(result.error.retry_after || 1);
  showApiError(resetForm, result.error);
});

resetForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = normalizeCode(resetForm.elements.code.value);
  const codeWellFormed = () => {
    if (!code || /^\d{6}$/.test(code)) return true;
    setFieldError(resetForm, 'code', { key: 'verify.code_format' });
    return false;
  };
  if (!readyToSubmit(resetForm, ['code', 'new_password', 'new_password_confirmation'], codeWellFormed)) return;

  const submit = resetForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post('/api/password/reset', {
    reset_id: resetId,
    code,
    new_password: resetForm.elements.new_password.value,
    new_password_confirmation: resetForm.elements.new_password_confirmation.value,
  });
  setBusy(submit, false);

  if (result.ok) {
    stopCooldown();
    resetForm.reset();
    document.getElementById('forgot-aside').hidden = true;
    showScreen(screens, doneScreen);
    return;
  }
  showCodeError(resetForm, result.error, HINTS);
});

document.getElementById('reset-other-email').addEventListener('click', () => {
  stopCooldown();
  clearErrors(requestForm);
  showScreen(screens, requestScreen);
});
