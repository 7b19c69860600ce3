// "Relation client manquante?" (/access-request): a firm's contact asks an employer for access to
// its file — the employer's file number, the postal code on that file, the services wished and a
// message (POST /api/access-requests). Only the employer can grant: the request waits among its
// pending requests (21 days at most). Below, the requests made (a responsable sees the whole
// firm's), with their status, and a button to cancel one's own pending request.

import { del, get, post } from './api.js';
import {
  $, REQUEST_STATUS_KEYS, badge, cell, checkedServices, emailSpan, fullName, handledUnauthenticated, keySpan,
  renderOffsetPager, renderOffsetRows, servicesList, textSpan,
} from './authz.js';
import { formatDate, timeElement } from './format.js';
import { onLangChange } from './i18n.js';
import { startSession } from './session.js';
import {
  clearErrors, focusElement, initPage, isBusy, reportClientErrors, requireFilled, retryAfterPiece, setBusy, setFieldError,
  showAlert, showApiError,
} from './ui.js';

initPage('access.title');

const PAGE_SIZE = 10;
const main = document.getElementById('main');
const form = $('access-form');

const state = { contactId: null, page: 1, data: null, request: 0 };

function showNoOrganisation() {
  $('access-loading').hidden = true;
  $('access-view').hidden = true;
  $('access-none').hidden = false;
}

/** Handles the answers every route here may give; true when handled. */
function handledCommon(result) {
  if (handledUnauthenticated(result)) return true;
  if (result.status === 403 && result.error.code === 'organisation_profile_required') {
    showNoOrganisation();
    return true;
  }
  return false;
}

// ---- The requests made ----

function statusCell(request) {
  const td = cell('td', badge(REQUEST_STATUS_KEYS, request.status));
  if (request.status === 'pending' && request.expires_at) {
    td.append(keySpan('access.expires', { date: formatDate(request.expires_at) }, 'cell-detail'));
  } else if (request.answered_at && request.status !== 'cancelled') {
    td.append(keySpan('access.answered', { date: formatDate(request.answered_at) }, 'cell-detail'));
  }
  if (request.status === 'declined' && request.decline_reason) {
    td.append(keySpan('access.decline_reason', { reason: request.decline_reason }, 'cell-detail'));
  }
  if (request.status === 'approved' && request.authorization_id) {
    const link = document.createElement('a');
    link.className = 'cell-detail';
    link.href = `/file?id=${encodeURIComponent(request.authorization_id)}`;
    link.append(keySpan('access.open_file'));
    td.append(link);
  }
  return td;
}

function requestRow(request) {
  const row = document.createElement('tr');
  row.dataset.requestId = request.id;
  const employer = cell('th', textSpan(request.employer?.name ?? '', 'cell-main'),
    keySpan('access.file_number_short', { number: request.employer?.file_number ?? '' }, 'cell-detail'));
  employer.scope = 'row';
  const requester = cell('td', textSpan(fullName(request.contact), 'cell-main'), emailSpan(request.contact?.email, 'cell-detail cell-email'));
  const actions = cell('td');
  if (request.status === 'pending' && request.contact?.id === state.contactId) {
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'button button--secondary button--small';
    cancel.dataset.cancel = request.id;
    cancel.append(keySpan('access.cancel'), textSpan(` ${request.employer?.name ?? ''}`, 'visually-hidden'));
    cancel.addEventListener('click', () => cancelRequest(cancel, request));
    actions.append(cancel);
  }
  row.append(employer, cell('td', timeElement(request.created_at, { withTime: false })), requester,
    cell('td', servicesList(request.services)), statusCell(request), actions);
  return row;
}

function renderRequests() {
  const items = state.data?.items ?? [];
  $('requests-body').replaceChildren(...items.map(requestRow));
  $('requests-wrap').hidden = items.length === 0;
  $('requests-empty').hidden = items.length > 0;
  renderOffsetRows($('requests-summary'), state.data);
  renderOffsetPager($('requests-pager'), state.data);
}

async function loadRequests() {
  const mine = ++state.request;
  const params = new URLSearchParams({ page: String(state.page), page_size: String(PAGE_SIZE) });
  $('requests-wrap').setAttribute('aria-busy', 'true');
  const result = await get(`/api/access-requests?${params}`);
  if (mine !== state.request) return false;
  $('requests-wrap').removeAttribute('aria-busy');
  $('requests-alert').replaceChildren();
  $('access-loading').hidden = true;
  if (!result.ok) {
    if (handledCommon(result)) return false;
    $('access-view').hidden = false;
    showAlert($('requests-heading').parentElement, [[{ key: 'common.load_failed' }, result.error.message]]);
    return false;
  }
  const lastPage = Math.max(1, Math.ceil((result.data.total ?? 0) / (result.data.page_size || PAGE_SIZE)));
  if ((result.data.items?.length ?? 0) === 0 && result.data.total > 0 && state.page > lastPage) {
    state.page = lastPage;
    return loadRequests();
  }
  state.data = result.data;
  $('access-none').hidden = true;
  $('access-view').hidden = false;
  renderRequests();
  return true;
}

$('requests-pager').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-page]');
  if (!button || button.disabled) return;
  state.page += button.dataset.page === 'next' ? 1 : -1;
  await loadRequests();
  const active = document.activeElement;
  if (!active || active === document.body || active.disabled) focusElement($('requests-summary'));
});

async function cancelRequest(button, request) {
  if (button.disabled) return;
  const section = $('requests-heading').parentElement;
  $('requests-alert').replaceChildren();
  $('requests-status').replaceChildren();
  button.disabled = true;
  const result = await del(`/api/access-requests/${encodeURIComponent(request.id)}`, {});
  if (!result.ok) {
    button.disabled = false;
    if (handledCommon(result)) return;
    await loadRequests();
    showAlert(section, [result.error.message]);
    return;
  }
  $('requests-status').replaceChildren(keySpan('access.cancelled', { name: request.employer?.name ?? '' }));
  await loadRequests();
  focusElement($('requests-status'));
}

// ---- A new request ----

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (isBusy(form)) return;
  clearErrors(form);
  $('access-status').replaceChildren();
  let ok = requireFilled(form, ['file_number', 'postal_code']);
  const services = checkedServices(form);
  if (services.length === 0) {
    setFieldError(form, 'services', { key: 'access.services_required' });
    ok = false;
  }
  if (!ok) {
    reportClientErrors(form);
    return;
  }
  const body = {
    file_number: form.elements.file_number.value.replace(/\s+/g, ''),
    postal_code: form.elements.postal_code.value.trim(),
    services,
  };
  const message = form.elements.message.value.trim();
  if (message) body.message = message;
  const submit = form.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post('/api/access-requests', body);
  setBusy(submit, false);
  if (result.ok) {
    const request = result.data?.access_request;
    form.reset();
    const status = $('access-status');
    status.replaceChildren(keySpan('access.sent', { name: request?.employer?.name ?? '', number: request?.employer?.file_number ?? body.file_number }));
    state.page = 1;
    await loadRequests();
    focusElement(status);
    return;
  }
  if (handledCommon(result)) return;
  const wait = result.status === 429 ? retryAfterPiece(result.error.retry_after) : null;
  showApiError(form, result.error, wait && result.error.code !== 'too_many_attempts' ? [wait] : []);
});

onLangChange(() => {
  if (state.data) renderRequests();
});

// ---- Start ----

async function start() {
  const me = await startSession();
  if (!me) return;
  if (!me.ok) {
    $('access-loading').hidden = true;
    showAlert(main, [[{ key: 'home.load_failed' }, me.error.message]]);
    return;
  }
  const profile = me.data.active_profile;
  if (profile?.kind !== 'organisation') {
    showNoOrganisation();
    return;
  }
  state.contactId = profile.id;
  await loadRequests();
}

start();

