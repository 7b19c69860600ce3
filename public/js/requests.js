// "Mes demandes" (/requests): the person's own requests and their state, newest first
// (GET /api/me/requests): access requests they made, known-facts linking requests, and the
// monthly reports they transmitted or corrected, with a link to the receipt. "Afficher plus"
// follows the API's cursor; the kind filter lives in the address (?kind=…).

import { get } from './api.js';
import { REQUEST_STATUS_KEYS, servicesList } from './authz.js';
import { timeElement } from './format.js';
import { onLangChange } from './i18n.js';
import { signedIn } from './session.js';
import { badge, cell, keySpan, textSpan, wordFor } from './table.js';
import { $, focusElement, initPage, setText, showApiError } from './ui.js';

initPage('requests.title');

const KINDS = ['access_request', 'link_request', 'monthly_report'];
const KIND_KEYS = Object.fromEntries(KINDS.map((kind) => [kind, `requests.kind.${kind}`]));
const STATUS_KEYS = {
  ...REQUEST_STATUS_KEYS,
  sent: 'requests.status.sent',
  linked: 'requests.status.linked',
  transmitted: 'requests.status.transmitted',
  superseded: 'requests.status.superseded',
};

const form = $('requests-form');
const body = $('requests-body');
const more = $('requests-more');
let kind = KINDS.includes(new URLSearchParams(location.search).get('kind')) ? new URLSearchParams(location.search).get('kind') : '';
let cursor = null;
let request = 0;

function detail(item) {
  const td = cell('td');
  if (item.kind === 'access_request') {
    td.append(servicesList(item.services));
  } else if (item.kind === 'link_request') {
    td.append(keySpan(item.status === 'linked' ? 'requests.link_linked' : 'requests.link_sent', undefined, 'cell-detail'));
  } else if (item.kind === 'monthly_report') {
    td.append(keySpan(item.correction ? 'requests.report_correction' : 'requests.report_first', { month: item.month, version: item.version }, 'cell-main'));
    if (item.receipt_path) {
      const link = document.createElement('a');
      link.href = item.receipt_path;
      setText(link, 'requests.receipt_link', { number: item.receipt_number });
      td.append(link);
    } else {
      td.append(keySpan('requests.receipt_only', { number: item.receipt_number }, 'cell-detail'));
    }
  }
  return td;
}

function row(item) {
  const tr = document.createElement('tr');
  const what = cell('th', wordFor(KIND_KEYS, item.kind, 'cell-main'));
  what.scope = 'row';
  const file = cell('td');
  if (item.organisation_name) file.append(textSpan(item.organisation_name, 'cell-main'));
  file.append(keySpan('profile.file_number', { number: item.file_number }, 'cell-detail'));
  tr.append(what, file, cell('td', timeElement(item.at)), cell('td', badge(STATUS_KEYS, item.status)), detail(item));
  return tr;
}

async function load({ append }) {
  const mine = ++request;
  const params = new URLSearchParams();
  if (kind) params.set('kind', kind);
  if (append && cursor) params.set('cursor', cursor);
  const result = await get(`/api/me/requests${params.size ? `?${params}` : ''}`);
  if (mine !== request) return;
  if (!result.ok) {
    showApiError(form, result.error);
    return;
  }
  const firstNew = body.children.length;
  if (!append) body.replaceChildren();
  body.append(...result.data.items.map(row));
  cursor = result.data.next_cursor;
  more.hidden = !cursor;
  $('requests-empty').hidden = body.children.length > 0;
  $('requests-wrap').hidden = body.children.length === 0;
  if (append && body.children[firstNew]) focusElement(body.children[firstNew].querySelector('th'));
}

async function start() {
  const me = await signedIn($('requests-loading'));
  if (!me) return;
  form.elements.kind.value = kind;
  form.elements.kind.addEventListener('change', () => {
    kind = form.elements.kind.value;
    const params = new URLSearchParams(kind ? { kind } : {});
    history.replaceState(null, '', `${location.pathname}${kind ? `?${params}` : ''}`);
    cursor = null;
    load({ append: false });
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  more.addEventListener('click', () => load({ append: true }));
  // Dates are written in the page's language: the list is read again in the new one.
  onLangChange(() => {
    cursor = null;
    load({ append: false });
  });
  $('requests-loading').hidden = true;
  $('requests-view').hidden = false;
  await load({ append: false });
}

start();
