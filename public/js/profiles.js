// Profile chooser ("Sélectionnez un profil", /profiles): the personal profile and one per linked
// file (organisation, kind, file number, role), the active one marked. Choosing one makes it the
// session's active profile (PUT /api/session/profile), then goes home.

import { get, put } from './api.js';
import { KIND_KEYS, ROLE_KEYS, isOrganisationProfile } from './profile.js';
import { handledUnauthenticated, signedIn } from './session.js';
import { wordFor } from './table.js';
import { $, initPage, setRawText, setText, showAlert, showApiError } from './ui.js';

initPage('profiles.title');

const main = document.getElementById('main');
const form = document.getElementById('profiles-form');
const list = document.getElementById('profile-list');

function line(className, ...children) {
  const element = document.createElement('span');
  element.className = className;
  element.append(...children);
  return element;
}

function dictionarySpan(key, vars) {
  const element = document.createElement('span');
  setText(element, key, vars);
  return element;
}

function profileButton(profile, active) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'profile-choice';
  button.dataset.profileId = profile.id;
  if (active) button.setAttribute('aria-current', 'true');

  const name = document.createElement('span');
  if (isOrganisationProfile(profile)) {
    setRawText(name, profile.organisation.name);
    button.append(line('profile-choice__name', name));
    const details = [wordFor(KIND_KEYS, profile.organisation.kind), dictionarySpan('profiles.file_number', { number: profile.organisation.file_number })];
    if (profile.role) details.push(wordFor(ROLE_KEYS, profile.role, 'profile-choice__role'));
    const meta = line('profile-choice__meta');
    details.forEach((detail, index) => {
      if (index > 0) meta.append(document.createTextNode(' · '));
      meta.append(detail);
    });
    button.append(meta);
  } else {
    setText(name, 'profile.personal');
    button.append(line('profile-choice__name', name), line('profile-choice__meta', dictionarySpan('profile.personal_text')));
  }
  if (active) {
    const badge = dictionarySpan('profiles.active');
    badge.className = 'badge badge--active';
    button.append(line('profile-choice__badge', badge));
  }
  button.addEventListener('click', () => choose(button, profile));
  return button;
}

async function choose(button, profile) {
  if (form.getAttribute('aria-busy') === 'true') return;
  form.querySelector('[data-form-alert]').replaceChildren();
  form.setAttribute('aria-busy', 'true');
  for (const other of list.querySelectorAll('button')) other.disabled = true;
  button.classList.add('profile-choice--busy');
  const result = await put('/api/session/profile', { profile_id: profile.id });
  if (result.ok) {
    location.assign('/home');
    return;
  }
  form.removeAttribute('aria-busy');
  button.classList.remove('profile-choice--busy');
  for (const other of list.querySelectorAll('button')) other.disabled = false;
  if (handledUnauthenticated(result)) return;
  if (result.status === 403 && result.error.code === 'mfa_enrolment_required') {
    // This profile needs a second factor: set one up first ("Sécurité de connexion").
    location.assign(`/mfa?profile=${encodeURIComponent(profile.id)}`);
    return;
  }
  showApiError(form, result.error);
  // The list may have changed (a revoked profile disappears): show it again as it is now.
  await load({ keepAlert: true });
}

async function load({ keepAlert = false } = {}) {
  const result = await get('/api/profiles');
  $('profiles-loading').hidden = true;
  if (!result.ok) {
    if (handledUnauthenticated(result)) return;
    showAlert(main, [[{ key: 'common.load_failed' }, result.error.message]]);
    return;
  }
  const items = Array.isArray(result.data?.items) ? result.data.items : [];
  const active = result.data?.active ?? null;
  list.replaceChildren();
  for (const profile of items) {
    const item = document.createElement('li');
    item.append(profileButton(profile, profile.id === active));
    list.append(item);
  }
  form.hidden = false;
  document.getElementById('profiles-none').hidden = items.some(isOrganisationProfile);
  if (!keepAlert) form.querySelector('[data-form-alert]').replaceChildren();
}

async function start() {
  if (await signedIn($('profiles-loading'))) await load();
}

start();
