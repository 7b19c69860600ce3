// The monthly report (/monthly-report?file=… for a firm's contact in an authorized file; without
// `file`, the employer's own). Pick a month, see its due date and where it stands, edit its lines
// in a table of native inputs (Tab moves cell to cell, Enter in the last cell adds a line), import
// a CSV file, save (every problem is shown on its line and field), transmit, and open the receipt.
// A contact at level "consultation", or a transmitted report, shows the lines read-only. The API
// checks every right: 403 service_not_authorized, 404 for a file that is not the profile's.

import { api, get, post, put } from './api.js';
import { getLang, onLangChange } from './i18n.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import { formatDateTime, formatDay } from './format.js';
import {
  $, clearErrors, focusElement, initPage, setBusy, setPageTitle, setRawText, setText, showAlert, showApiError, showStatus, t,
} from './ui.js';

initPage('report.title');

const main = document.getElementById('main');
const fileId = new URLSearchParams(location.search).get('file') ?? '';
const base = fileId ? `/api/authorized-files/${encodeURIComponent(fileId)}/monthly-reports` : '/api/employer/monthly-reports';
const form = $('report-form');
const importForm = $('report-import');

let lists = { trades: [], regions: [] };
let months = [];
let report = null;

const STANDING_KEYS = { to_produce: 'report.standing.to_produce', late: 'report.standing.late', transmitted: 'report.standing.transmitted' };
const STATUS_KEYS = {
  not_started: 'report.status.not_started', draft: 'report.status.draft', transmitted: 'report.status.transmitted', correction: 'report.status.correction',
};
const FIELDS = ['worker_name', 'worker_id', 'trade', 'region', 'regular_hours', 'overtime_hours', 'gross_wages_cents'];
const FIELD_KEYS = {
  line: 'report.col_line', worker_name: 'report.col_worker_name', worker_id: 'report.col_worker_id', trade: 'report.col_trade', region: 'report.col_region',
  regular_hours: 'report.col_regular_hours', overtime_hours: 'report.col_overtime_hours', gross_wages_cents: 'report.col_gross_wages',
};

function show(sectionId, { focus = true } = {}) {
  $('report-loading').hidden = true;
  for (const each of ['report-none', 'report-gone', 'report-forbidden', 'report-view']) $(each).hidden = each !== sectionId;
  if (focus) focusElement($(sectionId).querySelector('h1'));
}

/** "2026-10" → "octobre 2026". */
function monthLabel(month) {
  const [year, number] = String(month).split('-').map(Number);
  const date = new Date(Date.UTC(year, number - 1, 1));
  return new Intl.DateTimeFormat(getLang() === 'en' ? 'en-CA' : 'fr-CA', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(date);
}

const numberFormat = () => new Intl.NumberFormat(getLang() === 'en' ? 'en-CA' : 'fr-CA', { maximumFractionDigits: 2 });
const moneyFormat = () => new Intl.NumberFormat(getLang() === 'en' ? 'en-CA' : 'fr-CA', { style: 'currency', currency: 'CAD' });
const hoursText = (hours) => numberFormat().format(hours);
const moneyText = (cents) => moneyFormat().format(cents / 100);
const labelOf = (entries, code) => entries.find((e) => e.code === code)?.[getLang() === 'en' ? 'label_en' : 'label_fr'] ?? code;

/** A decimal typed with a comma or a point, or NaN. */
const decimal = (text) => (String(text).trim() === '' ? NaN : Number(String(text).trim().replace(/\s/g, '').replace(',', '.')));

const editable = () => Boolean(report?.may_write && report.status !== 'transmitted');
const shownVersion = () => report?.draft ?? report?.transmitted ?? null;

function options(select, entries, value) {
  const blank = document.createElement('option');
  blank.value = '';
  blank.textContent = '—';
  select.replaceChildren(blank, ...entries.map((e) => {
    const option = document.createElement('option');
    option.value = e.code;
    option.textContent = getLang() === 'en' ? e.label_en : e.label_fr;
    return option;
  }));
  select.value = value ?? '';
}

function input(field, row, value) {
  const control = field === 'trade' || field === 'region' ? document.createElement('select') : document.createElement('input');
  control.name = field;
  control.dataset.field = field;
  if (control.tagName === 'SELECT') options(control, field === 'trade' ? lists.trades : lists.regions, value);
  else {
    control.type = 'text';
    control.value = value ?? '';
    if (field !== 'worker_name') control.inputMode = field === 'worker_id' ? 'numeric' : 'decimal';
    control.className = 'input--short';
  }
  control.setAttribute('aria-label', t('report.cell_label', { field: t(FIELD_KEYS[field]), n: row }));
  return control;
}

/** One line of the table: inputs when editable, text otherwise. */
function lineRow(line, index) {
  const row = document.createElement('tr');
  const number = document.createElement('th');
  number.scope = 'row';
  number.textContent = String(index + 1);
  row.append(number);
  const values = {
    ...line,
    regular_hours: line.regular_hours ?? '',
    overtime_hours: line.overtime_hours ?? '',
    gross_wages_cents: line.gross_wages_cents === undefined || line.gross_wages_cents === '' ? '' : (line.gross_wages_cents / 100).toFixed(2),
  };
  for (const field of FIELDS) {
    const td = document.createElement('td');
    if (editable()) {
      const shown = field === 'regular_hours' || field === 'overtime_hours' ? String(values[field]).replace('.', getLang() === 'en' ? '.' : ',') : values[field];
      td.append(input(field, index + 1, field === 'gross_wages_cents' && getLang() !== 'en' ? String(shown).replace('.', ',') : shown));
      const error = document.createElement('p');
      error.className = 'field__error';
      error.dataset.problemFor = field;
      td.append(error);
    } else {
      const text = field === 'trade' ? labelOf(lists.trades, line.trade)
        : field === 'region' ? labelOf(lists.regions, line.region)
          : field === 'gross_wages_cents' ? moneyText(line.gross_wages_cents)
            : field.endsWith('_hours') ? hoursText(line[field]) : line[field];
      td.textContent = text ?? '';
    }
    row.append(td);
  }
  const actions = document.createElement('td');
  if (editable()) {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'button button--secondary button--small';
    remove.textContent = t('report.remove_line');
    remove.setAttribute('aria-label', t('report.remove_line_n', { n: index + 1 }));
    remove.addEventListener('click', () => {
      const lines = readLines();
      lines.splice(index, 1);
      renderLines(lines);
      focusElement($('report-add'));
    });
    actions.append(remove);
  }
  row.append(actions);
  return row;
}

/** The lines as typed, in the API's shape (hours and wages parsed; the server checks them). */
function readLines() {
  return [...$('report-lines').rows].map((row) => {
    const value = (field) => row.querySelector(`[data-field="${field}"]`)?.value ?? '';
    const wages = decimal(value('gross_wages_cents'));
    const hours = (field) => (Number.isNaN(decimal(value(field))) ? value(field) : decimal(value(field)));
    return {
      worker_name: value('worker_name'),
      worker_id: value('worker_id').trim(),
      trade: value('trade'),
      region: value('region'),
      regular_hours: hours('regular_hours'),
      overtime_hours: hours('overtime_hours'),
      gross_wages_cents: Number.isNaN(wages) ? value('gross_wages_cents') : Math.round(wages * 100),
    };
  });
}

function renderTotals(lines) {
  const sum = (pick) => lines.reduce((total, line) => total + (Number.isFinite(pick(line)) ? pick(line) : 0), 0);
  setRawText($('report-total-regular'), hoursText(sum((l) => Number(l.regular_hours))));
  setRawText($('report-total-overtime'), hoursText(sum((l) => Number(l.overtime_hours))));
  setRawText($('report-total-wages'), moneyText(sum((l) => Number(l.gross_wages_cents))));
}

function renderLines(lines) {
  $('report-lines').replaceChildren(...lines.map(lineRow));
  $('report-lines-wrap').hidden = lines.length === 0 && !editable();
  $('report-lines-empty').hidden = lines.length > 0;
  $('report-actions-col').hidden = !editable();
  renderTotals(lines);
}

function renderState() {
  const { month, status, standing } = report;
  setRawText($('report-state-heading'), monthLabel(month));
  setRawText($('report-due'), formatDay(report.due_on));
  setText($('report-standing'), STANDING_KEYS[standing]);
  setText($('report-status'), STATUS_KEYS[status]);
  const receipt = report.transmitted?.receipt_number;
  $('report-receipt-row').hidden = !receipt;
  if (receipt) {
    const link = $('report-receipt');
    link.href = `/monthly-report-receipt?${new URLSearchParams({ ...(fileId ? { file: fileId } : {}), month })}`;
    setRawText(link, t('report.receipt_link', { number: receipt, at: formatDateTime(report.transmitted.transmitted_at) }));
  }
  $('report-readonly').hidden = report.may_write;
  $('report-correct-actions').hidden = !(report.may_write && status === 'transmitted');
  $('report-edit-actions').hidden = !editable();
  $('report-import').hidden = !editable();
  $('report-no-activity').disabled = !editable();
  $('report-no-activity').checked = Boolean(shownVersion()?.no_activity);
  $('report-transmit').disabled = !report.month_over;
}

function render() {
  const employer = report.employer;
  setRawText($('report-employer'), employer.name);
  setText($('report-meta'), 'report.meta_number', { number: employer.file_number });
  $('report-back').href = fileId ? `/file?id=${encodeURIComponent(fileId)}` : '/home';
  document.title = `${t('report.title')} – ${employer.name} – ${t('site.name')}`;
  renderMonths();
  renderState();
  renderLines(shownVersion()?.lines ?? []);
}

function renderMonths() {
  const select = $('report-month');
  select.replaceChildren(...months.map((m) => {
    const option = document.createElement('option');
    option.value = m.month;
    option.textContent = `${monthLabel(m.month)} — ${t(STANDING_KEYS[m.standing])}`;
    return option;
  }));
  if (report) select.value = report.month;
}

/** Shows each line problem next to its cell, and all of them in the form's alert. */
function showProblems(error) {
  const paragraphs = [error.message];
  for (const problem of error.problems) {
    const row = $('report-lines').rows[problem.line - 1];
    const control = row?.querySelector(`[data-field="${problem.field}"]`);
    const where = problem.field === 'line'
      ? t('report.problem_line', { n: problem.line })
      : t('report.problem_at', { n: problem.line, field: t(FIELD_KEYS[problem.field] ?? 'report.col_line') });
    paragraphs.push(`${where} ${problem.message}`);
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      const slot = control.parentElement.querySelector('[data-problem-for]');
      if (slot) {
        slot.id = `problem-${problem.line}-${problem.field}`;
        slot.textContent = problem.message;
        control.setAttribute('aria-describedby', slot.id);
      }
    }
  }
  showAlert(form, paragraphs, { focus: false });
  focusElement(form.querySelector('[aria-invalid="true"]') ?? form.querySelector('[data-form-alert]'));
}

function clearProblems() {
  clearErrors(form);
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    control.removeAttribute('aria-describedby');
  }
  for (const slot of form.querySelectorAll('[data-problem-for]')) slot.textContent = '';
}

function answered(result, target) {
  if (result.ok) {
    report = result.data;
    return true;
  }
  if (result.error.problems) showProblems(result.error);
  else showApiError(target, result.error);
  return false;
}

async function save() {
  clearProblems();
  const body = { no_activity: $('report-no-activity').checked, lines: readLines() };
  const result = await put(`${base}/${report.month}`, body);
  if (!answered(result, form)) return false;
  render();
  return true;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = $('report-save');
  setBusy(button, true);
  const saved = await save();
  setBusy(button, false);
  if (saved) showStatus(form, [{ key: 'report.saved' }]);
});

$('report-transmit').addEventListener('click', async () => {
  const button = $('report-transmit');
  setBusy(button, true);
  const saved = await save();
  const result = saved ? await post(`${base}/${report.month}/transmit`) : null;
  setBusy(button, false);
  if (!result || !answered(result, form)) return;
  await loadMonths();
  render();
  focusElement($('report-receipt'));
});

$('report-correct').addEventListener('click', async () => {
  const button = $('report-correct');
  setBusy(button, true);
  const result = await post(`${base}/${report.month}/correct`);
  setBusy(button, false);
  if (!answered(result, form)) return;
  await loadMonths();
  render();
  focusElement(form.querySelector('input, select'));
});

$('report-add').addEventListener('click', () => {
  const lines = readLines();
  lines.push({});
  renderLines(lines);
  focusElement($('report-lines').lastElementChild.querySelector('input'));
});

// Enter in a line's last cell adds a line, as in a spreadsheet.
$('report-lines').addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.target.dataset.field !== 'gross_wages_cents') return;
  event.preventDefault();
  $('report-add').click();
});

$('report-lines').addEventListener('input', () => renderTotals(readLines()));

$('report-no-activity').addEventListener('change', () => {
  if ($('report-no-activity').checked) renderLines([]);
});

importForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(importForm);
  clearProblems();
  const file = $('report-file').files[0];
  if (!file) {
    showApiError(importForm, { message: t('common.fix_errors'), fields: { file: t('report.import_missing') } });
    return;
  }
  const button = $('report-import-button');
  setBusy(button, true);
  let result;
  try {
    const response = await fetch(`${base}/${report.month}/import`, {
      method: 'POST', credentials: 'same-origin', body: await file.arrayBuffer(),
      headers: { 'Content-Type': 'text/csv', Accept: 'application/json', 'Accept-Language': getLang() },
    });
    const data = await response.json().catch(() => null);
    result = response.ok ? { ok: true, data } : { ok: false, error: data?.error ?? { message: t('common.unexpected') } };
  } catch {
    result = { ok: false, error: { message: t('common.network_error') } };
  }
  setBusy(button, false);
  if (result.ok) {
    report = result.data;
    render();
    showStatus(importForm, [{ key: 'report.imported', vars: { n: report.draft.totals.lines } }]);
    return;
  }
  if (result.error.problems) {
    const lines = result.error.problems.map((p) => (p.column ? `${t('report.problem_line', { n: p.line })} « ${p.column} » : ${p.message}` : `${p.field === 'line' ? t('report.problem_line', { n: p.line }) : t('report.problem_at', { n: p.line, field: t(FIELD_KEYS[p.field]) })} ${p.message}`));
    showAlert(importForm, [result.error.message, t('report.import_nothing_saved'), ...lines]);
    return;
  }
  showApiError(importForm, result.error);
});

async function loadMonths() {
  const result = await get(base);
  if (result.ok) months = result.data.items;
  renderMonths();
}

async function open(month) {
  clearProblems();
  const result = await get(`${base}/${month}`);
  if (!answered(result, main)) return;
  const params = new URLSearchParams(location.search);
  params.set('month', month);
  history.replaceState(null, '', `?${params}`);
  render();
}

$('report-month').addEventListener('change', () => open($('report-month').value));

async function start() {
  if (!(await signedIn($('report-loading')))) return;
  const listed = await get(base);
  if (!listed.ok) {
    if (handledWithoutOrganisation(listed, () => show('report-none'))) return;
    if (listed.status === 403 && fileId) {
      $('report-forbidden-file').href = `/file?id=${encodeURIComponent(fileId)}`;
      show('report-forbidden');
      setPageTitle('report.forbidden_heading');
      return;
    }
    if (listed.status === 404 || listed.status === 403) {
      show('report-gone');
      setPageTitle('file.gone_heading');
      return;
    }
    $('report-loading').hidden = true;
    showAlert(main, [[{ key: 'common.load_failed' }, listed.error.message]]);
    return;
  }
  months = listed.data.items;
  const codes = await api('GET', '/api/monthly-reports/lists');
  if (codes.ok) lists = codes.data;
  const wanted = new URLSearchParams(location.search).get('month');
  const month = months.find((m) => m.month === wanted)?.month
    ?? months.find((m) => m.standing !== 'transmitted' && m.month_over)?.month ?? months[0]?.month;
  const result = await get(`${base}/${month}`);
  if (!answered(result, main)) return;
  show('report-view', { focus: false });
  render();
}

onLangChange(() => {
  if (report) {
    setPageTitle('report.title');
    render();
  }
});

start();
