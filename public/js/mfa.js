// "Sécurité de connexion" (/mfa): the second factor of the signed-in person. Setting up an
// authenticator app shows its secret and a QR code of the otpauth URI, drawn here by the vendored
// QR generator (public/js/vendor/qrcode.js, MIT) so no image or secret leaves for another site;
// a first code confirms it and the ten recovery codes are shown once. Sent here by a profile that
// needs a factor (`?profile=<id>`), the page selects that profile once the codes are saved.
// Passkeys are listed, added (navigator.credentials.create), renamed and removed here too; the
// first factor, app or passkey, comes with the recovery codes.

import { del, get, patch, post, put } from './api.js';
import { timeElement } from './format.js';
import { handledUnauthenticated, signedIn } from './session.js';
import {
  $, clearErrors, focusElement, initPage, readyToSubmit, setBusy, setText, showAlert, showApiError, showStatus, t,
} from './ui.js';
import qrcode from './vendor/qrcode.js';
import { createPasskey, passkeyProblem, passkeysSupported } from './webauthn.js';

initPage('mfa.title');

const main = document.getElementById('main');
const SVG = 'http://www.w3.org/2000/svg';
const sections = ['mfa-off', 'mfa-enrol', 'mfa-codes', 'mfa-on'].map($);

function show(id, { focus = true } = {}) {
  for (const section of sections) section.hidden = section.id !== id;
  if (focus) focusElement($(id).querySelector('h2'));
}

/** The QR code of `text` as an SVG: one path of dark modules, with the quiet zone around it. */
function qrSvg(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const size = count + 8;
  let d = '';
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.isDark(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
    }
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('width', String(size * 5));
  svg.setAttribute('height', String(size * 5));
  svg.setAttribute('role', 'img');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const label = document.createElementNS(SVG, 'title');
  setText(label, 'mfa.qr_label');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#ffffff');
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000000');
  svg.append(label, background, modules);
  return svg;
}

function showCodes(codes) {
  const list = $('mfa-code-list');
  list.replaceChildren();
  for (const code of codes) {
    const item = document.createElement('li');
    const text = document.createElement('code');
    text.textContent = code;
    item.append(text);
    list.append(item);
  }
  show('mfa-codes');
}

async function load({ focus = false } = {}) {
  const result = await get('/api/me/mfa');
  $('mfa-loading').hidden = true;
  if (!result.ok) {
    if (handledUnauthenticated(result)) return;
    showAlert(main, [[{ key: 'common.load_failed' }, result.error.message]]);
    return;
  }
  const status = result.data;
  $('mfa-required').hidden = !(status.required && !status.totp?.enabled && !status.passkeys);
  await loadPasskeys();
  if (status.totp?.enabled) {
    setText($('mfa-codes-left'), 'mfa.codes_left', { n: status.recovery_codes_left });
    show('mfa-on', { focus });
  } else {
    show('mfa-off', { focus });
  }
}

$('mfa-start-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button[type="submit"]');
  setBusy(button, true);
  const result = await post('/api/me/mfa/totp');
  setBusy(button, false);
  if (!result.ok) {
    if (handledUnauthenticated(result)) return;
    showApiError(form, result.error);
    return;
  }
  $('mfa-qr').replaceChildren(qrSvg(result.data.otpauth_uri));
  $('mfa-secret').textContent = result.data.secret.replace(/(.{4})(?=.)/g, '$1 ');
  show('mfa-enrol');
});

$('mfa-confirm-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!readyToSubmit(form, ['code'])) return;
  const button = form.querySelector('button[type="submit"]');
  setBusy(button, true);
  const result = await post('/api/me/mfa/totp/confirm', { code: form.elements.code.value });
  setBusy(button, false);
  if (!result.ok) {
    if (handledUnauthenticated(result)) return;
    form.elements.code.value = '';
    showApiError(form, result.error);
    return;
  }
  form.elements.code.value = '';
  $('mfa-secret').textContent = '';
  $('mfa-qr').replaceChildren();
  showCodes(result.data.recovery_codes);
});

const pendingProfile = new URLSearchParams(location.search).get('profile');

$('mfa-codes-done').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  $('mfa-code-list').replaceChildren();
  if (pendingProfile) {
    setBusy(button, true);
    const result = await put('/api/session/profile', { profile_id: pendingProfile });
    setBusy(button, false);
    if (result.ok) {
      location.assign('/home');
      return;
    }
    if (handledUnauthenticated(result)) return;
    showAlert(main, [result.error.message]);
  }
  load({ focus: true });
});

$('mfa-regenerate').addEventListener('click', async (event) => {
  const form = $('mfa-manage-form');
  const button = event.currentTarget;
  setBusy(button, true);
  const result = await post('/api/me/mfa/recovery-codes');
  setBusy(button, false);
  if (!result.ok) {
    if (handledUnauthenticated(result)) return;
    showApiError(form, result.error);
    return;
  }
  showCodes(result.data.recovery_codes);
});

$('mfa-disable').addEventListener('click', async (event) => {
  const form = $('mfa-manage-form');
  const button = event.currentTarget;
  if (!window.confirm(t('mfa.disable_confirm'))) return;
  setBusy(button, true);
  const result = await del('/api/me/mfa/totp');
  setBusy(button, false);
  if (!result.ok) {
    if (handledUnauthenticated(result)) return;
    showApiError(form, result.error);
    return;
  }
  load({ focus: true });
});

// --- Passkeys -----------------------------------------------------------------------------------

const passkeysForm = $('passkeys-form');

function textElement(tag, key, vars) {
  const node = document.createElement(tag);
  setText(node, key, vars);
  return node;
}

function button(key, label) {
  const node = textElement('button', key);
  node.type = 'button';
  node.className = 'button button--small';
  if (label) node.setAttribute('aria-label', `${t(key)} : ${label}`);
  return node;
}

function failed(result) {
  if (!handledUnauthenticated(result)) showApiError(passkeysForm, result.error);
}

/** Turns the item into a small form that renames the passkey. */
function renameForm(item, passkey) {
  const form = document.createElement('form');
  form.noValidate = true;
  const id = `passkey-rename-${passkey.id}`;
  const label = textElement('label', 'passkeys.rename_label', { name: passkey.name });
  label.htmlFor = id;
  const input = document.createElement('input');
  Object.assign(input, { id, name: 'name', type: 'text', maxLength: 60, value: passkey.name, required: true, autocomplete: 'off' });
  const save = textElement('button', 'passkeys.save');
  save.type = 'submit';
  save.className = 'button button--primary button--small';
  const cancel = button('passkeys.cancel');
  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(save, cancel);
  form.append(label, input, actions);
  cancel.addEventListener('click', () => loadPasskeys({ focus: true }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(passkeysForm);
    setBusy(save, true);
    const result = await patch(`/api/me/passkeys/${encodeURIComponent(passkey.id)}`, { name: input.value });
    setBusy(save, false);
    if (!result.ok) {
      failed(result);
      input.focus();
      return;
    }
    await loadPasskeys({ focus: true });
    showStatus(passkeysForm, [{ key: 'passkeys.renamed' }]);
  });
  item.replaceChildren(form);
  input.focus();
}

function passkeyItem(passkey) {
  const item = document.createElement('li');
  item.className = 'session-list__item';
  const name = document.createElement('p');
  name.className = 'session-list__device';
  name.textContent = passkey.name;
  const times = document.createElement('p');
  times.className = 'session-list__times';
  times.append(textElement('span', 'passkeys.created'), ' ', timeElement(passkey.created_at), ' · ');
  if (passkey.last_used_at) times.append(textElement('span', 'passkeys.last_used'), ' ', timeElement(passkey.last_used_at));
  else times.append(textElement('span', 'passkeys.never_used'));
  const rename = button('passkeys.rename', passkey.name);
  rename.addEventListener('click', () => renameForm(item, passkey));
  const remove = button('passkeys.remove', passkey.name);
  remove.addEventListener('click', async () => {
    clearErrors(passkeysForm);
    if (!window.confirm(t('passkeys.remove_confirm', { name: passkey.name }))) return;
    setBusy(remove, true);
    const result = await del(`/api/me/passkeys/${encodeURIComponent(passkey.id)}`);
    setBusy(remove, false);
    if (!result.ok) {
      failed(result);
      return;
    }
    await load();
    focusElement($('passkeys-heading'));
    showStatus(passkeysForm, [{ key: 'passkeys.removed' }]);
  });
  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(rename, remove);
  item.append(name, times, actions);
  return item;
}

async function loadPasskeys({ focus = false } = {}) {
  const result = await get('/api/me/passkeys');
  if (!result.ok) {
    failed(result);
    return;
  }
  const items = result.data.items;
  $('passkeys-list').replaceChildren(...items.map(passkeyItem));
  $('passkeys-list').hidden = items.length === 0;
  $('passkeys-empty').hidden = items.length > 0;
  $('passkeys').hidden = false;
  if (focus) focusElement($('passkeys-heading'));
}

passkeysForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(passkeysForm, ['name'])) return;
  if (!passkeysSupported()) {
    showAlert(passkeysForm, [{ key: 'passkeys.error_unsupported' }]);
    return;
  }
  const submit = passkeysForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const options = await post('/api/me/passkeys/options');
  if (!options.ok) {
    setBusy(submit, false);
    failed(options);
    return;
  }
  let credential;
  try {
    credential = await createPasskey(options.data);
  } catch (error) {
    setBusy(submit, false);
    showAlert(passkeysForm, [{ key: passkeyProblem(error) }]);
    return;
  }
  const result = await post('/api/me/passkeys', { credential, name: passkeysForm.elements.name.value });
  setBusy(submit, false);
  if (!result.ok) {
    failed(result);
    return;
  }
  passkeysForm.elements.name.value = '';
  if (result.data.recovery_codes) {
    await loadPasskeys();
    showCodes(result.data.recovery_codes);
    return;
  }
  await loadPasskeys({ focus: true });
  showStatus(passkeysForm, [{ key: 'passkeys.added' }]);
});

async function start() {
  if (await signedIn($('mfa-loading'))) await load();
}

start();
