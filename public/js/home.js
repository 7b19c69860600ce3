// Home (/home) for the logged-in user: greeting, the active profile in the header, a call to
// link a file when none is linked yet, the portal's menu, and one placeholder view per menu entry
// not built yet (#catalogue-de-services, …). "Mon organisation" (/organisation), "Mes dossiers
// autorisés" (/files) and, for an employer, "Autorisations (employeur)" (/employer) are pages.

import { isOrganisationProfile } from './profile.js';
import { signedIn } from './session.js';
import { $, focusElement, initPage, setPageTitle, setText } from './ui.js';

const SECTIONS = {
  'catalogue-de-services': 'menu.catalogue',
  'base-de-connaissances': 'menu.knowledge',
  'mes-demandes': 'menu.requests',
};

// Sections that became pages of their own: their older addresses still lead to them.
const MOVED = {
  'mon-organisation': '/organisation',
  'mes-dossiers-autorises': '/files',
};

initPage('home.title');
// The menu shows once the account is known.
$('main-nav').hidden = true;

if (MOVED[decodeURIComponent(location.hash.slice(1))]) location.replace(MOVED[decodeURIComponent(location.hash.slice(1))]);

const homeView = document.getElementById('view-home');
const sectionView = document.getElementById('view-section');

function currentSlug() {
  return decodeURIComponent(location.hash.slice(1));
}

function render({ focus }) {
  const slug = currentSlug();
  if (MOVED[slug]) {
    location.assign(MOVED[slug]);
    return;
  }
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

function showUser(me) {
  setText(document.getElementById('home-greeting'), 'home.greeting', { name: me.first_name });
  const noLinkedFile = Number(me.linked_profiles) === 0 && !isOrganisationProfile(me.active_profile);
  document.getElementById('link-cta').hidden = !noLinkedFile;
  $('main-nav').hidden = false;
  document.getElementById('home-loading').hidden = true;
  render({ focus: Boolean(SECTIONS[currentSlug()]) });
  window.addEventListener('hashchange', () => render({ focus: true }));
}

async function start() {
  const me = await signedIn($('home-loading'));
  if (me) showUser(me);
}

start();
