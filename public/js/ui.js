// Helpers every page shares: page set-up, translated text, form errors, busy buttons, countdowns.
//
// Form conventions: each input's `name` is the API field name; its error paragraph carries
// `data-error-for="<name>"` and an id; each form has one `[data-form-alert]` (role="alert").

import { expandBlocks } from './blocks.js';
import { getLang, onLangChange, otherLang, setLang, t, translate } from './i18n.js';
import { renderLayout } from './layout.js';
import { stackTables } from './stacked-tables.js';

let pageTitleKey = null;

function renderTitle() {
  document.title = pageTitleKey ? `${t(pageTitleKey)} – ${t('site.name')}` : t('site.name');
}

function renderLanguageToggles() {
  for (const toggle of document.querySelectorAll('[data-lang-toggle]')) {
    toggle.setAttribute('lang', otherLang());
  }
}

/**
 * Lays out the page (its header, menu and footer, its shared blocks), translates it, wires the
 * language toggle and keeps the title in the chosen language.
 */
export function initPage(titleKey) {
  pageTitleKey = titleKey;
  renderLayout();
  expandBlocks(document);
  translate(document);
  renderTitle();
  renderLanguageToggles();
  stackTables();
  for (const toggle of document.querySelectorAll('[data-lang-toggle]')) {
    toggle.addEventListener('click', () => setLang(otherLang()));
  }
  onLangChange(() => {
    renderTitle();
    renderLanguageToggles();
    clearMessages();
  });
}

// Messages already shown came in the previous language (API messages cannot be re-translated):
// they go, and the next action answers in the new language.
function clearMessages() {
  for (const form of document.forms) clearErrors(form);
  for (const region of document.querySelectorAll('[data-form-alert], [data-form-status]')) region.replaceChildren();
}

export function setPageTitle(titleKey) {
  pageTitleKey = titleKey;
  renderTitle();
}

export { getLang, t };

export const $ = (id) => document.getElementById(id);

/** Shows a dictionary text in `element`, kept in the chosen language when it changes. */
export function setText(element, key, vars) {
  element.setAttribute('data-i18n', key);
  if (vars) element.setAttribute('data-i18n-vars', JSON.stringify(vars));
  else element.removeAttribute('data-i18n-vars');
  element.textContent = t(key, vars);
}

/** Shows text exactly as given (such as an API message), never as HTML. */
export function setRawText(element, text) {
  element.removeAttribute('data-i18n');
  element.removeAttribute('data-i18n-vars');
  element.textContent = text;
}

/**
 * A message is a list of paragraphs; a paragraph is a list of pieces shown side by side:
 * a string (shown as given), `{key, vars}` (dictionary text) or `{key, href}` (a link).
 */
function renderMessage(container, paragraphs) {
  container.replaceChildren();
  for (const paragraph of paragraphs) {
    const pieces = Array.isArray(paragraph) ? paragraph : [paragraph];
    const line = document.createElement(paragraphs.length > 1 ? 'p' : 'span');
    pieces.forEach((piece, index) => {
      if (index > 0) line.append(' ');
      if (typeof piece === 'string') {
        line.append(piece);
      } else if (piece.href) {
        const link = document.createElement('a');
        link.href = piece.href;
        setText(link, piece.key, piece.vars);
        line.append(link);
      } else {
        const span = document.createElement('span');
        setText(span, piece.key, piece.vars);
        line.append(span);
      }
    });
    container.append(line);
  }
}

export function focusElement(element) {
  if (!element) return;
  if (!element.hasAttribute('tabindex') && !element.matches('a[href], button, input, select, textarea')) {
    element.setAttribute('tabindex', '-1');
  }
  element.focus();
}

function fieldControl(form, name) {
  const control = form.elements.namedItem(name);
  if (control && typeof control.length === 'number' && !control.tagName) return control[0];
  return control;
}

function setDescribedBy(control, id, present) {
  const ids = (control.getAttribute('aria-describedby') || '').split(/\s+/).filter((token) => token && token !== id);
  if (present) ids.unshift(id);
  if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
  else control.removeAttribute('aria-describedby');
}

/** Marks the field `name` invalid with `message` (see renderMessage); false if no such field. */
export function setFieldError(form, name, message) {
  const control = fieldControl(form, name);
  const error = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (!control || !error) return false;
  renderMessage(error, [message]);
  control.setAttribute('aria-invalid', 'true');
  setDescribedBy(control, error.id, true);
  error.closest('.field')?.classList.add('field--error');
  return true;
}

export function showAlert(form, paragraphs, { focus = true } = {}) {
  const alert = form.querySelector('[data-form-alert]');
  renderMessage(alert, paragraphs);
  if (focus) focusElement(alert);
}

export function showStatus(form, paragraphs) {
  const status = form.querySelector('[data-form-status]');
  if (status) renderMessage(status, paragraphs);
}

export function clearErrors(form) {
  for (const error of form.querySelectorAll('[data-error-for]')) {
    error.replaceChildren();
    error.closest('.field')?.classList.remove('field--error');
    const control = fieldControl(form, error.getAttribute('data-error-for'));
    if (control) {
      control.removeAttribute('aria-invalid');
      setDescribedBy(control, error.id, false);
    }
  }
  form.querySelector('[data-form-alert]')?.replaceChildren();
  form.querySelector('[data-form-status]')?.replaceChildren();
}

export function focusFirstInvalid(form) {
  focusElement(form.querySelector('[aria-invalid="true"]'));
}

/** Reports the fields among `names` left empty (or unchecked); true when all are filled. */
export function requireFilled(form, names) {
  let allFilled = true;
  for (const name of names) {
    const control = fieldControl(form, name);
    const empty = control.type === 'checkbox' ? !control.checked : control.value.trim() === '';
    if (empty) {
      setFieldError(form, name, { key: control.dataset.requiredMessage || 'common.required' });
      allFilled = false;
    }
  }
  return allFilled;
}

/** After client-side checks found problems: summarize them and focus the first one. */
export function reportClientErrors(form) {
  showAlert(form, [{ key: 'common.fix_errors' }], { focus: false });
  focusFirstInvalid(form);
}

/**
 * The start of a form's submit: false while the form's request still runs; otherwise clears the
 * previous errors, then checks the fields `required` and `check()` (which marks what it finds),
 * and when anything is wrong says so (false).
 */
export function readyToSubmit(form, required = [], check = () => true) {
  if (isBusy(form)) return false;
  clearErrors(form);
  const filled = requireFilled(form, required);
  if (check() && filled) return true;
  reportClientErrors(form);
  return false;
}

/** How long to wait, as a dictionary message piece. */
export function retryAfterPiece(seconds) {
  const value = Number(seconds);
  if (!Number.isFinite(value) || value <= 0) return null;
  if (value >= 90) return { key: 'common.retry_in_minutes', vars: { n: Math.ceil(value / 60) } };
  return { key: 'common.retry_in_seconds', vars: { n: Math.ceil(value) } };
}

/**
 * Shows an API error: each of `error.fields` next to its field (the API's words, as given) with
 * the API's message in the alert, focus on the first invalid field; otherwise the message alone
 * (plus `extra` paragraphs) in the alert, which takes the focus.
 */
export function showApiError(form, error, extra = []) {
  const unplaced = [];
  let placed = 0;
  for (const [name, message] of Object.entries(error.fields || {})) {
    if (setFieldError(form, name, String(message))) placed += 1;
    else unplaced.push(String(message));
  }
  const wait = error.code === 'too_many_attempts' || error.code === 'resend_too_soon' ? retryAfterPiece(error.retry_after) : null;
  const paragraphs = [[error.message, ...(wait ? [wait] : [])], ...unplaced, ...extra];
  if (placed) {
    showAlert(form, paragraphs, { focus: false });
    focusFirstInvalid(form);
  } else {
    showAlert(form, paragraphs);
  }
}

/** Disables the button and shows a waiting text while a request runs (or restores it). */
export function setBusy(button, busy, busyKey = 'common.busy') {
  const form = button.form;
  if (busy) {
    if (button.disabled && button.dataset.idleKey) return;
    button.dataset.idleKey = button.getAttribute('data-i18n');
    button.disabled = true;
    setText(button, busyKey);
    form?.setAttribute('aria-busy', 'true');
  } else {
    button.disabled = false;
    if (button.dataset.idleKey) setText(button, button.dataset.idleKey);
    delete button.dataset.idleKey;
    form?.removeAttribute('aria-busy');
  }
}

/** Sends `request()` with `button` busy meanwhile (see setBusy); the API's answer. */
export async function whileBusy(button, request, busyKey) {
  setBusy(button, true, busyKey);
  const result = await request();
  setBusy(button, false);
  return result;
}

export function isBusy(form) {
  return form.getAttribute('aria-busy') === 'true';
}

/**
 * Keeps `button` disabled until the epoch-ms `until`, showing the seconds left with `waitKey`
 * (placeholder {s}), then enables it with `idleKey`. Returns a function that stops the countdown.
 */
export function countdown(button, until, idleKey, waitKey) {
  let shown = null;
  let timer = null;
  const render = () => {
    const remaining = Math.ceil((until - Date.now()) / 1000);
    if (remaining <= 0) {
      clearInterval(timer);
      button.disabled = false;
      setText(button, idleKey);
      return false;
    }
    button.disabled = true;
    if (remaining !== shown) {
      shown = remaining;
      setText(button, waitKey, { s: remaining });
    }
    return true;
  };
  if (render()) timer = setInterval(render, 250);
  return () => clearInterval(timer);
}

/** Shows one of a page's screens (sections) and moves the focus to its heading. */
export function showScreen(screens, target, { focus = true } = {}) {
  for (const screen of screens) screen.hidden = screen !== target;
  if (focus) focusElement(target.querySelector('h1, h2'));
}

/** Keeps only digits: people paste codes with spaces or dashes. */
export function normalizeCode(value) {
  return value.replace(/[\s-]/g, '');
}
