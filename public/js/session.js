// What every signed-in page shares: the session check (no session: back to the login page), the
// account's language, and the header with the account's email, the active profile ("Changer de
// profil") and "Se déconnecter".

import { del, get } from './api.js';
import { hasChosenLang, setLang } from './i18n.js';
import { isOrganisationProfile, renderProfileSummary } from './profile.js';
import { setBusy, setText, showAlert } from './ui.js';

/** Without a session (any API answer 401): back to the login page. True when handled. */
export function handledUnauthenticated(result) {
  if (result.status === 401) {
    location.replace('/');
    return true;
  }
  return false;
}

/**
 * The answers every organisation route may give: no session (to the login page), no organisation
 * profile active (403 organisation_profile_required: `showNone()`), or a profile that came to need
 * a second factor the account lacks (403 mfa_enrolment_required: to "Sécurité de connexion").
 * True when handled.
 */
export function handledWithoutOrganisation(result, showNone) {
  if (handledUnauthenticated(result)) return true;
  if (result.status === 403 && result.error.code === 'organisation_profile_required') {
    showNone();
    return true;
  }
  if (result.status === 403 && result.error.code === 'mfa_enrolment_required') {
    // The profile came to need a second factor (a new role, or the organisation asks it of all).
    location.assign('/mfa');
    return true;
  }
  return false;
}

/**
 * GET /api/me. Without a session, goes to the login page and resolves to null; otherwise resolves
 * to the API result (ok or not) after showing the header.
 */
export async function startSession() {
  wireLogout();
  const me = await get('/api/me');
  if (handledUnauthenticated(me)) return null;
  if (me.ok) showHeader(me.data);
  return me;
}

/**
 * The start of a signed-in page: startSession(), then the account (GET /api/me's answer), or null
 * when there is none to show — no session (on the way to the login page), or the answer failed
 * (said in the page, in place of the `loading` line).
 */
export async function signedIn(loading) {
  const me = await startSession();
  if (!me) return null;
  if (!me.ok) {
    if (loading) loading.hidden = true;
    showAlert(document.getElementById('main'), [[{ key: 'home.load_failed' }, me.error.message]]);
    return null;
  }
  return me.data;
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
  if (next === 'enrol_factor') return '/mfa';
  return '/home';
}
