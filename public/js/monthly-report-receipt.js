// The receipt of a transmitted monthly report (/monthly-report-receipt?month=…[&file=…]), laid out
// to print (css/monthly-report.css hides the portal's header, menu and buttons on paper).

import { get } from './api.js';
import { getLang, onLangChange } from './i18n.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import { formatDateTime } from './format.js';
import { $, focusElement, initPage, setPageTitle, setRawText, showAlert, t } from './ui.js';

initPage('receipt.title');

const params = new URLSearchParams(location.search);
const fileId = params.get('file') ?? '';
const month = params.get('month') ?? '';
const base = fileId ? `/api/authorized-files/${encodeURIComponent(fileId)}/monthly-reports` : '/api/employer/monthly-reports';
const reportPage = `/monthly-report?${new URLSearchParams({ ...(fileId ? { file: fileId } : {}), month })}`;
let report = null;

function monthLabel(value) {
  const [year, number] = String(value).split('-').map(Number);
  return new Intl.DateTimeFormat(getLang() === 'en' ? 'en-CA' : 'fr-CA', { timeZone: 'UTC', month: 'long', year: 'numeric' })
    .format(new Date(Date.UTC(year, number - 1, 1)));
}

function render() {
  const version = report.transmitted;
  const numbers = new Intl.NumberFormat(getLang() === 'en' ? 'en-CA' : 'fr-CA', { maximumFractionDigits: 2 });
  const money = new Intl.NumberFormat(getLang() === 'en' ? 'en-CA' : 'fr-CA', { style: 'currency', currency: 'CAD' });
  setRawText($('receipt-number'), version.receipt_number);
  setRawText($('receipt-employer'), report.employer.name);
  setRawText($('receipt-file-number'), report.employer.file_number);
  setRawText($('receipt-month'), monthLabel(report.month));
  setRawText($('receipt-version'), version.number > 1 ? t('receipt.corrective', { n: version.number }) : t('receipt.original'));
  setRawText($('receipt-at'), formatDateTime(version.transmitted_at));
  setRawText($('receipt-by'), version.transmitted_by ?? '');
  setRawText($('receipt-lines'), numbers.format(version.totals.lines));
  setRawText($('receipt-regular'), numbers.format(version.totals.regular_hours));
  setRawText($('receipt-overtime'), numbers.format(version.totals.overtime_hours));
  setRawText($('receipt-wages'), money.format(version.totals.gross_wages_cents / 100));
  $('receipt-no-activity').hidden = !version.no_activity;
  document.title = `${t('receipt.title')} ${version.receipt_number} – ${t('site.name')}`;
}

function gone() {
  $('receipt-loading').hidden = true;
  $('receipt-gone').hidden = false;
  $('receipt-gone-back').href = reportPage;
  setPageTitle('receipt.none_heading');
  focusElement($('receipt-gone-heading'));
}

async function start() {
  if (!(await signedIn($('receipt-loading')))) return;
  if (!/^\d{4}-\d{2}$/.test(month)) return gone();
  const result = await get(`${base}/${month}`);
  if (!result.ok) {
    if (handledWithoutOrganisation(result, gone)) return;
    if ([403, 404, 422].includes(result.status)) return gone();
    $('receipt-loading').hidden = true;
    showAlert(document.getElementById('main'), [[{ key: 'common.load_failed' }, result.error.message]]);
    return;
  }
  report = result.data;
  if (!report.transmitted) return gone();
  $('receipt-loading').hidden = true;
  $('receipt-view').hidden = false;
  $('receipt-back').href = reportPage;
  render();
}

$('receipt-print').addEventListener('click', () => window.print());

onLangChange(() => {
  if (report?.transmitted) render();
});

start();
