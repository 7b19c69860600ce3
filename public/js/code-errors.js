// How a rejected one-time code is shown, the same way on the signup and password-reset pages.

import { focusElement, setFieldError, showAlert, showApiError } from './ui.js';

const CODE_IS_DEAD = new Set(['code_expired', 'code_exhausted', 'code_used']);

/**
 * A wrong code stays next to the field with the attempts left; an expired, exhausted or used code
 * is cleared and explained, followed by the page's `hints[error.code]` paragraph, if any.
 */
export function showCodeError(form, error, hints = {}) {
  const codeInput = form.elements.code;
  if (error.code === 'invalid_code') {
    const pieces = [String(error.fields?.code ?? error.message)];
    if (Number.isInteger(error.attempts_left)) {
      pieces.push({ key: 'verify.attempts_left', vars: { n: error.attempts_left } });
    }
    setFieldError(form, 'code', pieces);
    for (const [name, message] of Object.entries(error.fields || {})) {
      if (name !== 'code') setFieldError(form, name, String(message));
    }
    showAlert(form, [error.message], { focus: false });
    focusElement(codeInput);
    codeInput.select();
    return;
  }
  if (CODE_IS_DEAD.has(error.code)) codeInput.value = '';
  const hint = hints[error.code];
  showApiError(form, error, hint ? [hint] : []);
}
