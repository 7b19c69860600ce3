// One authorized file (/file?id=…): the employer (name, number), the authorization's level,
// dates and origin, and the four services, each usable or not for this contact (with why not).
// The monthly report opens /monthly-report?file=… when usable. A file that is not (or no longer)
// the profile's answers 404: the page says so and leads back to "Mes dossiers autorisés".

import { get } from './api.js';
import { LEVEL_KEYS, ORIGIN_KEYS, SERVICES, SERVICE_KEYS, endDay } from './authz.js';
import { dayElement } from './format.js';
import { onLangChange } from './i18n.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import { badge, keySpan, wordFor } from './table.js';
import { $, focusElement, initPage, setPageTitle, setRawText, setText, showAlert, t } from './ui.js';

initPage('file.title');

const main = document.getElementById('main');
const id = new URLSearchParams(location.search).get('id') ?? '';
let answer = null;

const USABLE_KEYS = { usable: 'file.usable', not_authorized: 'file.not_authorized', not_started: 'file.not_started' };

function show(sectionId) {
  $('file-loading').hidden = true;
  for (const each of ['file-none', 'file-gone', 'file-view']) $(each).hidden = each !== sectionId;
}

function showGone() {
  show('file-gone');
  setPageTitle('file.gone_heading');
  focusElement($('file-gone-heading'));
}

function serviceItem(service, file) {
  const item = document.createElement('li');
  item.className = `service${service.usable ? ' service--usable' : ''}`;
  item.dataset.service = service.code;

  const head = document.createElement('div');
  head.className = 'service__head';
  const name = document.createElement('h3');
  name.className = 'service__name';
  name.append(wordFor(SERVICE_KEYS, service.code));
  const state = service.usable ? 'usable' : (service.reason || 'not_authorized');
  head.append(name, badge(USABLE_KEYS, state));
  item.append(head);

  const detail = document.createElement('p');
  detail.className = 'service__detail';
  if (service.usable && service.code === 'monthly_report') {
    const link = document.createElement('a');
    link.href = `/monthly-report?file=${encodeURIComponent(file.id)}`;
    setText(link, 'file.open_monthly_report');
    detail.append(link);
  } else if (service.usable) {
    setText(detail, 'file.service_coming');
  } else if (service.reason === 'not_started') {
    detail.append(keySpan('file.reason.not_started'), ' ', dayElement(file.starts_on));
  } else {
    setText(detail, 'file.reason.not_authorized');
  }
  item.append(detail);
  return item;
}

function render() {
  const { file } = answer;
  setRawText($('file-name'), file.employer?.name ?? '');
  document.title = `${file.employer?.name ?? ''} – ${t('site.name')}`;
  setText($('file-number'), 'file.number', { number: file.employer?.file_number ?? '' });
  $('file-level').replaceChildren(wordFor(LEVEL_KEYS, answer.level ?? file.level));
  $('file-starts').replaceChildren(file.starts_on ? dayElement(file.starts_on) : endDay(null, 'common.none'));
  $('file-ends').replaceChildren(endDay(file.ends_on));
  $('file-origin').replaceChildren(badge(ORIGIN_KEYS, file.origin));
  // The four services in the guide's order, whatever order the API answered.
  const byCode = new Map((answer.services ?? []).map((service) => [service.code, service]));
  const services = [...SERVICES.map((code) => byCode.get(code) ?? { code, usable: false, reason: 'not_authorized' }),
    ...(answer.services ?? []).filter((service) => !SERVICES.includes(service.code))];
  $('file-services').replaceChildren(...services.map((service) => serviceItem(service, file)));
}

async function start() {
  if (!(await signedIn($('file-loading')))) return;
  if (!id) {
    showGone();
    return;
  }
  const result = await get(`/api/authorized-files/${encodeURIComponent(id)}`);
  if (!result.ok) {
    if (handledWithoutOrganisation(result, () => show('file-none'))) return;
    if (result.status === 404 || result.status === 422) {
      showGone();
      return;
    }
    $('file-loading').hidden = true;
    showAlert(main, [[{ key: 'common.load_failed' }, result.error.message]]);
    return;
  }
  answer = result.data;
  show('file-view');
  setPageTitle('file.title');
  render();
}

onLangChange(() => {
  if (answer) {
    setPageTitle('file.title');
    render();
  }
});

start();
