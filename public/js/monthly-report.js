// The monthly report of one authorized file (/monthly-report?file=…). The service itself comes in
// a later version: the page shows the employer and the report periods the API gives. The API
// checks the authorization: 403 service_not_authorized when the file is the profile's but not
// this service, 404 when the file is not (or no longer) the profile's — each said plainly here.

import { get } from './api.js';
import { LEVEL_KEYS } from './authz.js';
import { getLang, onLangChange } from './i18n.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import { cell, nothing, textSpan, wordFor } from './table.js';
import { $, focusElement, initPage, setPageTitle, setRawText, setText, showAlert, t } from './ui.js';

initPage('report.title');

const main = document.getElementById('main');
const fileId = new URLSearchParams(location.search).get('file') ?? '';
let answer = null;

const PERIOD_STATUS_KEYS = {
  open: 'report.status.open',
  due: 'report.status.due',
  late: 'report.status.late',
  submitted: 'report.status.submitted',
  received: 'report.status.submitted',
  upcoming: 'report.status.upcoming',
  not_available: 'report.status.not_available',
};

function show(sectionId, { focus = true } = {}) {
  $('report-loading').hidden = true;
  for (const each of ['report-none', 'report-gone', 'report-forbidden', 'report-view']) $(each).hidden = each !== sectionId;
  const heading = $(sectionId).querySelector('h1');
  if (focus) focusElement(heading);
}

/** "2026-10" → "octobre 2026"; any other text as given. */
function periodLabel(value) {
  const match = /^(\d{4})-(\d{2})$/.exec(String(value ?? ''));
  if (!match) return String(value ?? '');
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return new Intl.DateTimeFormat(getLang() === 'en' ? 'en-CA' : 'fr-CA', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(date);
}

function periodRow(period) {
  const row = document.createElement('tr');
  const value = typeof period === 'object' && period !== null ? period : { period };
  const name = cell('th', textSpan(periodLabel(value.period ?? value.month ?? value.label ?? value.id ?? '')));
  name.scope = 'row';
  const status = value.status ? cell('td', wordFor(PERIOD_STATUS_KEYS, value.status)) : cell('td', nothing());
  row.append(name, status);
  return row;
}

function render() {
  const { file } = answer;
  const employer = file?.employer ?? {};
  setRawText($('report-employer'), employer.name ?? '');
  setText($('report-meta'), 'report.meta', {
    number: employer.file_number ?? '',
    level: LEVEL_KEYS[answer.level ?? file?.level] ? t(LEVEL_KEYS[answer.level ?? file?.level]) : String(answer.level ?? ''),
  });
  $('report-back').href = `/file?id=${encodeURIComponent(file?.id ?? fileId)}`;
  document.title = `${t('report.title')} – ${employer.name ?? ''} – ${t('site.name')}`;
  const periods = Array.isArray(answer.periods) ? answer.periods : [];
  $('report-body').replaceChildren(...periods.map(periodRow));
  $('report-wrap').hidden = periods.length === 0;
  $('report-empty').hidden = periods.length > 0;
}

async function start() {
  if (!(await signedIn($('report-loading')))) return;
  if (!fileId) {
    show('report-gone');
    setPageTitle('file.gone_heading');
    return;
  }
  const result = await get(`/api/authorized-files/${encodeURIComponent(fileId)}/monthly-report`);
  if (!result.ok) {
    if (handledWithoutOrganisation(result, () => show('report-none'))) return;
    if (result.status === 403) {
      $('report-forbidden-file').href = `/file?id=${encodeURIComponent(fileId)}`;
      show('report-forbidden');
      setPageTitle('report.forbidden_heading');
      return;
    }
    if (result.status === 404 || result.status === 422) {
      show('report-gone');
      setPageTitle('file.gone_heading');
      return;
    }
    $('report-loading').hidden = true;
    showAlert(main, [[{ key: 'common.load_failed' }, result.error.message]]);
    return;
  }
  answer = result.data;
  show('report-view', { focus: false });
  render();
}

onLangChange(() => {
  if (answer) {
    setPageTitle('report.title');
    render();
  }
});

start();
