// Code entry (/verify?id=<verification_id>): validates the emailed code, or sends a new one once
// the cooldown is over. Reached after signup, or after a login with an unverified email. A valid
// code signs the person in; the API's `next` then says where to go (linking a file, usually).

import { post } from './api.js';
import { showCodeError } from './code-errors.js';
import {
  clearErrors, countdown, focusElement, initPage, isBusy, normalizeCode, readyToSubmit, reportClientErrors, setBusy,
  setFieldError, setText, showApiError, showStatus, whileBusy,
} from './ui.js';
import { nextPage } from './session.js';
import { forgetVerification, resendUntil, setResendAfter, verificationEmail } from './verification.js';

initPage('verify.title');

const LOGIN_LINK = { key: 'signup.login', href: '/' };
const RESTART = [{ key: 'verify.restart_hint' }, { key: 'login.create', href: '/signup' }, LOGIN_LINK];
const HINTS = {
  code_expired: { key: 'verify.resend_hint' },
  code_exhausted: { key: 'verify.resend_hint' },
  code_used: [{ key: 'verify.used_hint' }, LOGIN_LINK],
  verification_not_found: RESTART,
};

const verificationId = new URLSearchParams(location.search).get('id');

if (verificationId) {
  setUpCodeEntry(verificationId);
} else {
  document.getElementById('verify-pending').hidden = true;
  document.getElementById('verify-missing').hidden = false;
}

function setUpCodeEntry(id) {
  const form = document.getElementById('verify-form');
  const codeInput = form.elements.code;
  const submit = form.querySelector('button[type="submit"]');
  const resend = document.getElementById('verify-resend');

  const email = verificationEmail();
  if (email) setText(document.getElementById('verify-sent-to'), 'verify.sent_to', { email });

  const startCooldown = (until) => countdown(resend, until, 'verify.resend', 'verify.resend_wait');
  let stopCooldown = startCooldown(resendUntil(id));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!readyToSubmit(form, ['code'])) return;
    const code = normalizeCode(codeInput.value);
    if (!/^\d{6}$/.test(code)) {
      setFieldError(form, 'code', { key: 'verify.code_format' });
      reportClientErrors(form);
      return;
    }

    setBusy(submit, true);
    const result = await post('/api/signup/verify', { verification_id: id, code });
    if (result.ok) {
      forgetVerification(id);
      location.assign(nextPage(result.data?.next));
      return;
    }
    setBusy(submit, false);
    showCodeError(form, result.error, HINTS);
  });

  resend.addEventListener('click', async () => {
    if (isBusy(form) || resend.disabled) return;
    clearErrors(form);
    stopCooldown();
    const result = await whileBusy(resend, () => post('/api/signup/resend', { verification_id: id }));

    if (result.ok) {
      stopCooldown = startCooldown(setResendAfter(id, result.data?.retry_after));
      codeInput.value = '';
      showStatus(form, [{ key: 'verify.resent' }]);
      focusElement(codeInput);
      return;
    }
    const retryAfter = Number(result.error.retry_after);
    stopCooldown = startCooldown(retryAfter > 0 ? setResendAfter(id, retryAfter) : resendUntil(id));
    showApiError(form, result.error, HINTS[result.error.code] ? [HINTS[result.error.code]] : []);
  });
}
