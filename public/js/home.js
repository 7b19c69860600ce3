// Home (/home) for the logged-in user: greeting, the active profile in the header, a call to
// link a file when none is linked yet, and the portal's menu as tiles. Every entry is a page.

import { isOrganisationProfile } from './profile.js';
import { signedIn } from './session.js';
import { $, initPage, setText } from './ui.js';

// The sections the home page once showed itself: their older addresses lead to their pages.
const MOVED = {
  'mon-organisation': '/organisation',
  'mes-dossiers-autorises': '/files',
  'catalogue-de-services': '/catalogue',
  'base-de-connaissances': '/knowledge',
  'mes-demandes': '/requests',
};

const moved = MOVED[decodeURIComponent(location.hash.slice(1))];
if (moved) location.replace(moved);

initPage('home.title');
// The menu shows once the account is known.
$('main-nav').hidden = true;

function showUser(me) {
  setText(document.getElementById('home-greeting'), 'home.greeting', { name: me.first_name });
  const noLinkedFile = Number(me.linked_profiles) === 0 && !isOrganisationProfile(me.active_profile);
  document.getElementById('link-cta').hidden = !noLinkedFile;
  $('main-nav').hidden = false;
  document.getElementById('home-loading').hidden = true;
  document.getElementById('view-home').hidden = false;
}

async function start() {
  const me = await signedIn($('home-loading'));
  if (me) showUser(me);
}

start();
