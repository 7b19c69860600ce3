// Step-up: a sensitive action (an API token, a webhook, an authorization, a member's role) answered
// 403 step_up_required because the session has not proved its second factor in the last ten
// minutes. A modal dialog asks for a code of the authenticator app (or a recovery code), or for a
// passkey; once POST /api/session/step-up accepts it, the caller sends its request again.

import { getLang, t } from './i18n.js';
import { getPasskey, passkeyProblem, passkeysSupported } from './webauthn.js';

let pending = null;

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Six digits are a code of the authenticator app; anything else is taken as a recovery code. */
export function proofOf(typed) {
  const compact = typed.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(compact) ? { code: compact } : { recovery_code: typed.trim() };
}

/** POSTs `body` (not through api.js, which calls this module on 403): {data} or {problem}. */
async function send(path, body = {}) {
  try {
    const response = await fetch(path, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Accept-Language': getLang(), 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    if (response.ok) return { data };
    return { problem: data?.error?.message || t('common.unexpected') };
  } catch {
    return { problem: t('common.network_error') };
  }
}

/** A step-up with one of the person's passkeys: null once proved, else the problem to show. */
async function withPasskey() {
  const options = await send('/api/session/step-up/passkey/options');
  if (options.problem) return options.problem;
  try {
    const credential = await getPasskey(options.data);
    return (await send('/api/session/step-up', { credential })).problem ?? null;
  } catch (error) {
    return t(passkeyProblem(error));
  }
}

/** Asks for the second factor; resolves to true once the session proved it, false if cancelled. */
export function stepUp() {
  if (pending) return pending;
  pending = new Promise((resolve) => {
    const dialog = element('dialog', { class: 'step-up', 'aria-labelledby': 'step-up-title' });
    const form = element('form', { method: 'dialog', novalidate: '' });
    const alert = element('p', { class: 'alert', role: 'alert' });
    const field = element('div', { class: 'field' });
    const input = element('input', { id: 'step-up-code', name: 'code', type: 'text', autocomplete: 'one-time-code', spellcheck: 'false', autocapitalize: 'none', required: '', 'aria-describedby': 'step-up-hint' });
    field.append(element('label', { for: 'step-up-code' }, t('stepup.code')), element('p', { id: 'step-up-hint', class: 'field__hint' }, t('stepup.hint')), input);
    const submit = element('button', { type: 'submit', class: 'button button--primary' }, t('stepup.submit'));
    const cancel = element('button', { type: 'button', class: 'button' }, t('stepup.cancel'));
    const actions = element('div', { class: 'actions' });
    actions.append(submit, cancel);
    if (passkeysSupported()) {
      const passkey = element('button', { type: 'button', class: 'button' }, t('stepup.passkey'));
      passkey.addEventListener('click', async () => {
        passkey.disabled = true;
        const problem = await withPasskey();
        passkey.disabled = false;
        if (!problem) {
          finish(true);
          return;
        }
        alert.textContent = problem;
        passkey.focus();
      });
      actions.append(passkey);
    }
    form.append(element('h2', { id: 'step-up-title' }, t('stepup.title')), element('p', {}, t('stepup.intro')), alert, field, actions);
    dialog.append(form);
    document.body.append(dialog);

    const finish = (proved) => {
      dialog.close();
      dialog.remove();
      pending = null;
      resolve(proved);
    };
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!input.value.trim()) {
        alert.textContent = t('common.required');
        input.focus();
        return;
      }
      submit.disabled = true;
      const { problem } = await send('/api/session/step-up', proofOf(input.value));
      submit.disabled = false;
      if (!problem) {
        finish(true);
        return;
      }
      input.value = '';
      alert.textContent = problem;
      input.focus();
    });
    dialog.showModal();
    input.focus();
  });
  return pending;
}
