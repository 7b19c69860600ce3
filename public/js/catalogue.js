// "Catalogue de services" (/catalogue): each service an employer can open to another
// organisation's contact, what it is for and its levels, and for the active profile how many of
// its authorized files it may be used for, with a link to "Mes dossiers autorisés" filtered by that
// service (/files?service=…). The counts come from GET /api/authorized-files?service=…&page_size=10.

import { get } from './api.js';
import { SERVICES, SERVICE_KEYS } from './authz.js';
import { isOrganisationProfile } from './profile.js';
import { signedIn } from './session.js';
import { $, initPage, setText } from './ui.js';

initPage('catalogue.title');

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function keyed(tag, key, vars, attributes = {}) {
  const node = element(tag, attributes);
  setText(node, key, vars);
  return node;
}

/** One service's card: its name, what it is for, and where the active profile may use it. */
function serviceCard(service) {
  const headingId = `service-${service}`;
  const usage = element('p', { class: 'catalogue__usage', id: `${headingId}-usage` });
  const card = element(
    'li',
    { class: 'catalogue__item' },
    element('article', { 'aria-labelledby': headingId },
      keyed('h2', SERVICE_KEYS[service], undefined, { id: headingId }),
      keyed('p', `catalogue.about.${service}`),
      // Only the monthly report has its pages yet (as a file's page says too).
      ...(service === 'monthly_report' ? [] : [keyed('p', 'file.service_coming', undefined, { class: 'catalogue__coming' })]),
      usage),
  );
  return { card, usage };
}

async function showUsage(service, usage) {
  const result = await get(`/api/authorized-files?${new URLSearchParams({ service, page_size: '10' })}`);
  if (!result.ok) {
    setText(usage, 'common.load_failed');
    return;
  }
  const total = Number(result.data.total) || 0;
  if (total === 0) {
    setText(usage, 'catalogue.usage_none');
    return;
  }
  const link = element('a', { href: `/files?${new URLSearchParams({ service })}` });
  setText(link, 'catalogue.usage_link', { n: total });
  usage.replaceChildren(link);
}

function render(me) {
  const list = $('catalogue-list');
  const organisation = isOrganisationProfile(me.active_profile);
  const note = $('catalogue-profile-note');
  note.hidden = organisation;
  if (!organisation) setText(note, 'catalogue.no_organisation');
  for (const service of SERVICES) {
    const { card, usage } = serviceCard(service);
    list.append(card);
    if (organisation) showUsage(service, usage);
    else usage.hidden = true;
  }
  $('catalogue-loading').hidden = true;
  $('catalogue-view').hidden = false;
}

async function start() {
  const me = await signedIn($('catalogue-loading'));
  if (me) render(me);
}

start();
