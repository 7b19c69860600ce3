// Home (/home) for the logged-in user: greeting, the portal's menu, and one placeholder view per
// menu entry (#mon-organisation, …) until those parts are built.

import { del, get } from './api.js';
import { hasChosenLang, setLang } from './i18n.js';
import { focusElement, initPage, setBusy, setPageTitle, setText, showAlert } from './ui.js';

const SECTIONS = {
  'mon-organisation': 'menu.organisation',
  'catalogue-de-services': 'menu.catalogue',
  'base-de-connaissances': 'menu.knowledge',
  'mes-demandes': 'menu.requests',
  'mes-dossiers-autorises': 'menu.files',
};

initPage('home.title');

const main = document.getElementById('main');
const homeView = document.getElementById('view-home');
const sectionView = document.getElementById('view-section');
const logout = document.getElementById('logout');

function currentSlug() {
  return decodeURIComponent(location.hash.slice(1));
}

function render({ focus }) {
  const slug = currentSlug();
  const sectionKey = SECTIONS[slug];
  homeView.hidden = Boolean(sectionKey);
  sectionView.hidden = !sectionKey;
  for (const link of document.querySelectorAll('[data-view-link]')) {
    const target = link.getAttribute('data-view-link');
    const current = sectionKey ? target === slug : target === 'accueil';
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (sectionKey) {
    setText(document.getElementById('section-heading'), sectionKey);
    setPageTitle(sectionKey);
  } else {
    setPageTitle('home.title');
  }
  if (focus) focusElement((sectionKey ? sectionView : homeView).querySelector('h1'));
}

function showUser(user) {
  // Without a choice on this browser, the account's language applies (without becoming the choice).
  if (!hasChosenLang() && (user.locale === 'fr' || user.locale === 'en')) setLang(user.locale, { remember: false });
  setText(document.getElementById('home-greeting'), 'home.greeting', { name: user.first_name });
  const email = document.getElementById('user-email');
  email.textContent = user.email;
  email.hidden = false;
  document.getElementById('main-nav').hidden = false;
  document.getElementById('home-loading').hidden = true;
  render({ focus: Boolean(SECTIONS[currentSlug()]) });
  window.addEventListener('hashchange', () => render({ focus: true }));
}

logout.addEventListener('click', async () => {
  setBusy(logout, true);
  const result = await del('/api/session', {});
  if (result.ok || result.status === 401) {
    location.replace('/');
    return;
  }
  setBusy(logout, false);
  showAlert(main, [result.error.message]);
});

async function start() {
  const me = await get('/api/me');
  if (me.ok) {
    showUser(me.data);
  } else if (me.status === 401) {
    location.replace('/');
  } else {
    document.getElementById('home-loading').hidden = true;
    showAlert(main, [[{ key: 'home.load_failed' }, me.error.message]]);
  }
}

start();
