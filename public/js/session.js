// What every signed-in page shares: the session check (no session: back to the login page), the
// account's language, and the header with the account's email, the active profile ("Changer de
// profil") and "Se déconnecter".

import { del, get } from './api.js';
import { hasChosenLang, setLang } from './i18n.js';
import { isOrganisationProfile, renderProfileSummary } from './profile.js';
import { setBusy, setText, showAlert } from './ui.js';

/**
 * GET /api/me. Without a session, goes to the login page and resolves to null; otherwise resolves
 * to the API result (ok or not) after showing the header.
 */
export async function startSession() {
  wireLogout();
  const me = await get('/api/me');
  if (me.status === 401) {
    location.replace('/');
    return null;
  }
  if (me.ok) showHeader(me.data);
  return me;
}

function showHeader(me) {
  // Without a choice on this browser, the account's language applies (without becoming the choice).
  if (!hasChosenLang() && (me.locale === 'fr' || me.locale === 'en')) setLang(me.locale, { remember: false });

  const email = document.getElementById('user-email');
  if (email) {
    email.textContent = me.email;
    email.hidden = false;
  }

  // What only an employer's profile that manages its authorizations uses ("Autorisations
  // (employeur)" in the menu): its responsables and the contacts they designated.
  const profile = me.active_profile;
  const employer = isOrganisationProfile(profile) && profile.organisation.kind === 'employer'
    && (profile.role === 'responsable' || profile.manages_authorizations === true);
  for (const element of document.querySelectorAll('[data-employer-only]')) element.hidden = !employer;

  const bar = document.getElementById('profile-bar');
  if (!bar) return;
  renderProfileSummary(document.getElementById('profile-bar-summary'), me.active_profile);
  const change = document.getElementById('profile-bar-change');
  const hasLinked = Number(me.linked_profiles) > 0 || isOrganisationProfile(me.active_profile);
  if (hasLinked) {
    change.href = '/profiles';
    setText(change, 'session.change_profile');
  } else {
    change.href = '/link';
    setText(change, 'session.link');
  }
  bar.hidden = false;
}

function wireLogout() {
  const logout = document.getElementById('logout');
  if (!logout || logout.dataset.wired) return;
  logout.dataset.wired = 'true';
  logout.addEventListener('click', async () => {
    setBusy(logout, true);
    const result = await del('/api/session', {});
    if (result.ok || result.status === 401) {
      location.replace('/');
      return;
    }
    setBusy(logout, false);
    showAlert(document.getElementById('main'), [result.error.message]);
  });
}

/** Where the API's `next` (after login or code validation) sends the person. */
export function nextPage(next) {
  if (next === 'link') return '/link';
  if (next === 'choose_profile') return '/profiles';
  return '/home';
}
