// "Mes dossiers autorisés" (/files): the employer files that authorized the active profile, as in
// the commission's guide — search box "Recherchez ici...", paging "Rangées X - Y de N
// enregistrements", page size, sort, filters by service and "Se termine d'ici 30 jours", and the
// CSV export of the filtered list. Previous/next follow the API's keyset cursors; the page field
// jumps (page=N). The whole state lives in the address (?q=&service=&…&cursor=|page=), so a
// reload or the browser's back button shows the same list. Each file opens /file?id=….

import { get } from './api.js';
import { LEVEL_KEYS, ORIGIN_KEYS, SERVICES, endDay, servicesList } from './authz.js';
import { onLangChange } from './i18n.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import { badge, cell, keepPagerFocus, nothing, renderRows, textSpan, wordFor } from './table.js';
import { $, clearErrors, focusElement, initPage, setFieldError, setRawText, setText, showApiError, t } from './ui.js';
import { liveSearch } from './widgets.js';

initPage('files.title');

const DEFAULT_SORT = 'name';
const DEFAULT_PAGE_SIZE = 25;
const SORTS = ['name', '-name', 'number', '-number'];
const PAGE_SIZES = [10, 25, 50, 100];
const ENDING_DAYS = '30';
const REPORT_STANDINGS = ['to_produce', 'late', 'transmitted'];

const form = $('files-form');
const jumpForm = $('files-jump');

let view = readAddress();
let data = null;
let request = 0;
// A search typed letter by letter makes one history entry, not one per pause.
let typingEntry = false;

// ---- The address ----

function readAddress() {
  const params = new URLSearchParams(location.search);
  const sort = params.get('sort');
  const pageSize = Number(params.get('page_size'));
  const service = params.get('service');
  const report = params.get('report_standing');
  const page = Number(params.get('page'));
  return {
    q: (params.get('q') ?? '').trim(),
    service: SERVICES.includes(service) ? service : '',
    ending: params.get('ending_within_days') === ENDING_DAYS,
    report: REPORT_STANDINGS.includes(report) ? report : '',
    sort: SORTS.includes(sort) ? sort : DEFAULT_SORT,
    page_size: PAGE_SIZES.includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
    cursor: params.get('cursor') || '',
    page: Number.isInteger(page) && page > 1 ? page : 0,
  };
}

/** The filters of a view as query parameters (the list's, the export's and the address's). */
function filterParams(state, { defaults = false } = {}) {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.service) params.set('service', state.service);
  if (state.ending) params.set('ending_within_days', ENDING_DAYS);
  if (state.report) params.set('report_standing', state.report);
  if (defaults || state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  return params;
}

function addressOf(state) {
  const params = filterParams(state);
  if (state.page_size !== DEFAULT_PAGE_SIZE) params.set('page_size', String(state.page_size));
  if (state.cursor) params.set('cursor', state.cursor);
  else if (state.page > 1) params.set('page', String(state.page));
  const query = params.toString();
  return `${location.pathname}${query ? `?${query}` : ''}`;
}

function apiPath(state) {
  const params = filterParams(state, { defaults: true });
  params.set('page_size', String(state.page_size));
  if (state.cursor) params.set('cursor', state.cursor);
  else if (state.page > 1) params.set('page', String(state.page));
  return `/api/authorized-files?${params}`;
}

const hasFilters = (state) => Boolean(state.q || state.service || state.ending || state.report);

function fillForm(state) {
  form.elements.q.value = state.q;
  form.elements.service.value = state.service;
  form.elements.ending_within_days.checked = state.ending;
  form.elements.report_standing.value = state.report;
  form.elements.sort.value = state.sort;
  form.elements.page_size.value = String(state.page_size);
}

function formState() {
  return {
    q: form.elements.q.value.trim(),
    service: form.elements.service.value,
    ending: form.elements.ending_within_days.checked,
    report: form.elements.report_standing.value,
    sort: form.elements.sort.value,
    page_size: Number(form.elements.page_size.value) || DEFAULT_PAGE_SIZE,
    cursor: '',
    page: 0,
  };
}

const sameFilters = (a, b) => a.q === b.q && a.service === b.service && a.ending === b.ending && a.report === b.report && a.sort === b.sort && a.page_size === b.page_size;

/** Shows `state`: a new history entry (or the current one replaced), then the list. */
async function go(state, { replace = false, typing = false } = {}) {
  view = state;
  const address = addressOf(state);
  if (replace || (typing && typingEntry)) history.replaceState(null, '', address);
  else history.pushState(null, '', address);
  typingEntry = typing;
  return load();
}

// ---- The list ----

function showNoOrganisation() {
  $('files-loading').hidden = true;
  $('files-view').hidden = true;
  $('files-none').hidden = false;
}

const REPORT_KEYS = { to_produce: 'files.report.to_produce', late: 'files.report.late', transmitted: 'files.report.transmitted' };

/** The file's report of the last month over, linked to it; a dash when the service is not the contact's. */
function reportStanding(file) {
  const report = file.monthly_report;
  if (!report) return nothing();
  const link = document.createElement('a');
  link.href = `/monthly-report?${new URLSearchParams({ file: file.id, month: report.month })}`;
  link.append(badge(REPORT_KEYS, report.standing));
  link.setAttribute('aria-label', t('files.report.label', { standing: t(REPORT_KEYS[report.standing]), month: report.month }));
  return link;
}

function fileRow(file) {
  const row = document.createElement('tr');
  row.dataset.fileId = file.id;
  const link = document.createElement('a');
  link.href = `/file?id=${encodeURIComponent(file.id)}`;
  setRawText(link, file.employer?.name ?? '');
  const name = cell('th', link);
  name.scope = 'row';
  row.append(
    name,
    cell('td', textSpan(file.employer?.file_number ?? '', 'cell-number')),
    cell('td', servicesList(file.services)),
    cell('td', wordFor(LEVEL_KEYS, file.level)),
    cell('td', endDay(file.ends_on)),
    cell('td', badge(ORIGIN_KEYS, file.origin)),
    cell('td', reportStanding(file)),
  );
  return row;
}

const pageCount = (result) => Math.max(1, Math.ceil((result.total || 0) / (result.page_size || view.page_size)));
const currentPage = (result) => (result.from > 0 ? Math.floor((result.from - 1) / (result.page_size || view.page_size)) + 1 : 1);

function render() {
  const items = data?.items ?? [];
  const body = $('files-body');
  body.replaceChildren(...items.map(fileRow));
  $('files-wrap').hidden = items.length === 0;
  const empty = $('files-empty');
  empty.hidden = items.length > 0;
  setText(empty, hasFilters(view) ? 'files.empty_search' : 'files.empty');
  renderRows($('files-summary'), data ?? {});

  const pager = $('files-pager');
  const pages = data ? pageCount(data) : 1;
  pager.hidden = !data || (pages <= 1 && !data.prev_cursor && !data.next_cursor);
  pager.querySelector('[data-page="previous"]').disabled = !data?.prev_cursor;
  pager.querySelector('[data-page="next"]').disabled = !data?.next_cursor;
  jumpForm.elements.page.value = data ? String(currentPage(data)) : '';
  setText($('files-page-count'), 'files.page_of', { n: pages });

  const exportParams = filterParams(view, { defaults: true });
  $('files-export').href = `/api/authorized-files.csv?${exportParams}`;
}

async function load() {
  const mine = ++request;
  const wrap = $('files-wrap');
  wrap.setAttribute('aria-busy', 'true');
  form.setAttribute('aria-busy', 'true');
  const result = await get(apiPath(view));
  if (mine !== request) return false;
  wrap.removeAttribute('aria-busy');
  form.removeAttribute('aria-busy');
  clearErrors(form);
  clearErrors(jumpForm);
  if (!result.ok) {
    if (handledWithoutOrganisation(result, showNoOrganisation)) return false;
    // A cursor from another list (the filters changed, or an old address): start over at page 1.
    if (result.status === 422 && result.error.fields?.cursor && view.cursor) {
      view = { ...view, cursor: '', page: 0 };
      history.replaceState(null, '', addressOf(view));
      return load();
    }
    $('files-loading').hidden = true;
    $('files-view').hidden = false;
    if (result.status === 422 && result.error.fields?.page && view.page) {
      setFieldError(jumpForm, 'page', String(result.error.fields.page));
      focusElement(jumpForm.elements.page);
      return false;
    }
    showApiError(form, result.error);
    return false;
  }
  // Past the last page (the list shrank since): the last page instead.
  const found = result.data;
  if ((found.items?.length ?? 0) === 0 && found.total > 0 && view.page > 1) {
    view = { ...view, cursor: '', page: pageCount(found) };
    history.replaceState(null, '', addressOf(view));
    return load();
  }
  data = found;
  $('files-loading').hidden = true;
  $('files-none').hidden = true;
  $('files-view').hidden = false;
  render();
  return true;
}

// ---- Search, filters, sort, page size ----

const searching = liveSearch(form, ({ typing = false }) => {
  const next = formState();
  if (sameFilters(next, view) && !view.cursor && !view.page && data) return;
  go(next, { typing });
}, { changes: ['service', 'report_standing', 'sort', 'page_size', 'ending_within_days'] });

// ---- Paging ----

$('files-pager').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-page]');
  if (!button || button.disabled || !data) return;
  const cursor = button.dataset.page === 'next' ? data.next_cursor : data.prev_cursor;
  if (!cursor) return;
  await go({ ...view, cursor, page: 0 });
  keepPagerFocus($('files-summary'));
});

jumpForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(jumpForm);
  const pages = data ? pageCount(data) : 1;
  const raw = jumpForm.elements.page.value.trim();
  const page = Number(raw);
  if (!/^\d+$/.test(raw) || page < 1 || page > pages) {
    setFieldError(jumpForm, 'page', { key: 'files.page_invalid', vars: { n: pages } });
    focusElement(jumpForm.elements.page);
    return;
  }
  if (data && page === currentPage(data)) return;
  if (await go({ ...view, cursor: '', page })) focusElement($('files-summary'));
});

// Back and forward: the list of that address.
window.addEventListener('popstate', () => {
  searching.cancel();
  typingEntry = false;
  view = readAddress();
  fillForm(view);
  load();
});

onLangChange(() => {
  if (data) render();
});

// ---- Start ----

async function start() {
  fillForm(view);
  if (await signedIn($('files-loading'))) await load();
}

start();
