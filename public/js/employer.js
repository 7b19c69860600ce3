// "Autorisations (employeur)" (/employer): an employer authorizes contacts of accounting firms on
// its file, per service. Three tabs:
//   A. Autorisations — the authorizations (search, status filter, paging), each changed (services,
//      level, end date) or revoked after a confirmation in the page; "Nouvelle autorisation"
//      grants a firm's contact (firm file number, contact email, services, level, dates).
//   B. Demandes d'accès — requests from firm contacts, approved (services, level, end date) or
//      declined (reason).
//   C. Relations migrées à réviser — relations of the legacy system, confirmed or revoked one by
//      one, or all at once.
// Only the employer's responsable and the contacts it made administrators may use the page: the
// API answers 403 employer_profile_required / authorization_admin_required otherwise, and the
// page says so.

import { del, get, patch, post } from './api.js';
import {
  $, AUTHORIZATION_STATUS_KEYS, LEVEL_KEYS, ORIGIN_KEYS, REQUEST_STATUS_KEYS, REVIEW_KEYS, badge, cell, checkServices,
  checkedServices, emailSpan, endDay, fullName, handledUnauthenticated, keySpan, nothing, renderOffsetPager,
  renderOffsetRows, servicesList, textSpan, wordFor,
} from './authz.js';
import { dayElement, formatDate, timeElement } from './format.js';
import { onLangChange, translate } from './i18n.js';
import { startSession } from './session.js';
import {
  clearErrors, focusElement, initPage, isBusy, reportClientErrors, requireFilled, setBusy, setFieldError, setRawText,
  setText, showAlert, showApiError,
} from './ui.js';

initPage('employer.title');

const PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 350;
const main = document.getElementById('main');

const state = {
  authorizations: { q: '', status: 'active', page: 1, data: null, request: 0 },
  requests: { status: 'pending', page: 1, data: null, request: 0 },
  migrated: { page: 1, data: null, request: 0 },
  openId: null,
};

const firmLine = (firm) => [textSpan(firm?.name ?? '', 'cell-main'), keySpan('access.file_number_short', { number: firm?.file_number ?? '' }, 'cell-detail')];
const contactCell = (contact) => {
  const th = cell('th', textSpan(fullName(contact), 'cell-main'), emailSpan(contact?.email, 'cell-detail cell-email'));
  th.scope = 'row';
  return th;
};

function periodCell(authorization) {
  const td = cell('td');
  const from = document.createElement('span');
  from.className = 'cell-main';
  from.append(keySpan('employer.period_from'), ' ', dayElement(authorization.starts_on));
  const to = document.createElement('span');
  to.className = 'cell-main';
  if (authorization.ends_on) to.append(keySpan('employer.period_to'), ' ', dayElement(authorization.ends_on));
  else to.append(keySpan('common.no_end', undefined, 'cell-detail'));
  td.append(from, to);
  return td;
}

/** Gives the ids of a template's copy a prefix, and the references to them too. */
function uniqueIds(root, prefix) {
  for (const element of root.querySelectorAll('[id]')) element.id = `${prefix}-${element.id}`;
  for (const label of root.querySelectorAll('label[for]')) label.htmlFor = `${prefix}-${label.htmlFor}`;
  for (const attribute of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
    for (const element of root.querySelectorAll(`[${attribute}]`)) {
      element.setAttribute(attribute, element.getAttribute(attribute).split(/\s+/).filter(Boolean).map((id) => `${prefix}-${id}`).join(' '));
    }
  }
}

function slot(root, name) {
  return root.querySelector(`[data-slot="${name}"]`);
}

function actionButton(key, name, className = 'button button--secondary button--small') {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.append(keySpan(key), textSpan(` ${name}`, 'visually-hidden'));
  return button;
}

/** After paging: keep the focus on the button used, or on the summary if it became disabled. */
function keepPagerFocus(summary) {
  const active = document.activeElement;
  if (!active || active === document.body || active.disabled) focusElement(summary);
}

// ---- Access to the page ----

function showOnly(id) {
  $('employer-loading').hidden = true;
  for (const each of ['employer-none', 'employer-denied', 'employer-view']) $(each).hidden = each !== id;
}

const DENIED_KEYS = {
  employer_profile_required: 'employer.not_employer',
  authorization_admin_required: 'employer.not_admin',
};

/** Answers every employer route may give; true when handled (the page then shows why). */
function handledCommon(result) {
  if (handledUnauthenticated(result)) return true;
  if (result.status !== 403) return false;
  const wasShown = !$('employer-view').hidden;
  if (result.error.code === 'organisation_profile_required') {
    showOnly('employer-none');
    if (wasShown) focusElement($('employer-none-heading'));
    return true;
  }
  if (DENIED_KEYS[result.error.code]) {
    setText($('employer-denied-text'), DENIED_KEYS[result.error.code]);
    setRawText($('employer-denied-api'), result.error.message);
    showOnly('employer-denied');
    if (wasShown) focusElement($('employer-denied-heading'));
    return true;
  }
  return false;
}

// ---- Tabs ----

const tabs = [$('tab-authorizations'), $('tab-requests'), $('tab-migrated')];
const TAB_HASHES = { 'tab-authorizations': '', 'tab-requests': '#demandes', 'tab-migrated': '#migrations' };

function selectTab(tab, { focus = false } = {}) {
  for (const each of tabs) {
    const selected = each === tab;
    each.setAttribute('aria-selected', String(selected));
    each.tabIndex = selected ? 0 : -1;
    $(each.getAttribute('aria-controls')).hidden = !selected;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', `${location.pathname}${TAB_HASHES[tab.id]}`);
}

for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(tab);
    const target = {
      ArrowRight: tabs[(index + 1) % tabs.length],
      ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    }[event.key];
    if (!target) return;
    event.preventDefault();
    selectTab(target, { focus: true });
  });
}

function renderCount(element, total) {
  if (total > 0) {
    element.textContent = `(${total})`;
    element.hidden = false;
  } else {
    element.textContent = '';
    element.hidden = true;
  }
}

// ---- A. Authorizations ----

function authorizationRow(authorization) {
  const row = document.createElement('tr');
  row.dataset.authorizationId = authorization.id;
  const origin = cell('td', badge(ORIGIN_KEYS, authorization.origin));
  if (authorization.origin === 'migrated' && authorization.review) {
    origin.append(wordFor(REVIEW_KEYS, authorization.review, 'cell-detail'));
  }
  const status = cell('td', badge(AUTHORIZATION_STATUS_KEYS, authorization.status));
  if (authorization.status === 'revoked' && authorization.revoked_at) {
    status.append(keySpan('employer.revoked_on', { date: formatDate(authorization.revoked_at) }, 'cell-detail'));
  }
  const actions = cell('td');
  if (authorization.status === 'active') {
    const manage = actionButton('employer.manage', fullName(authorization.contact));
    manage.dataset.manage = authorization.id;
    manage.setAttribute('aria-expanded', 'false');
    manage.setAttribute('aria-controls', `manage-${authorization.id}`);
    manage.addEventListener('click', () => toggleManage(authorization.id));
    actions.append(manage);
  } else {
    actions.append(nothing());
  }
  row.append(
    contactCell(authorization.contact),
    cell('td', ...firmLine(authorization.firm)),
    cell('td', servicesList(authorization.services)),
    cell('td', wordFor(LEVEL_KEYS, authorization.level)),
    periodCell(authorization),
    origin,
    status,
    actions,
  );
  return row;
}

function renderAuthorizations() {
  const { data } = state.authorizations;
  const items = data?.items ?? [];
  $('authorizations-body').replaceChildren(...items.map(authorizationRow));
  $('authorizations-wrap').hidden = items.length === 0;
  const empty = $('authorizations-empty');
  empty.hidden = items.length > 0;
  setText(empty, state.authorizations.q || state.authorizations.status !== 'active' ? 'employer.empty_search' : 'employer.empty');
  renderOffsetRows($('authorizations-summary'), data);
  renderOffsetPager($('authorizations-pager'), data);
  if (state.openId) {
    const authorization = items.find((each) => each.id === state.openId && each.status === 'active');
    if (authorization) openManage(authorization, { focus: false });
    else state.openId = null;
  }
}

async function loadAuthorizations() {
  const list = state.authorizations;
  const mine = ++list.request;
  const params = new URLSearchParams({ status: list.status, page: String(list.page), page_size: String(PAGE_SIZE) });
  if (list.q) params.set('q', list.q);
  $('authorizations-wrap').setAttribute('aria-busy', 'true');
  const result = await get(`/api/employer/authorizations?${params}`);
  if (mine !== list.request) return false;
  $('authorizations-wrap').removeAttribute('aria-busy');
  $('authorizations-alert').replaceChildren();
  if (!result.ok) {
    if (handledCommon(result)) return false;
    showOnly('employer-view');
    const search = $('authorizations-search');
    if (result.status === 422 && result.error.fields) showApiError(search, result.error);
    else showAlert($('panel-authorizations'), [result.error.message]);
    return false;
  }
  const lastPage = Math.max(1, Math.ceil((result.data.total ?? 0) / (result.data.page_size || PAGE_SIZE)));
  if ((result.data.items?.length ?? 0) === 0 && result.data.total > 0 && list.page > lastPage) {
    list.page = lastPage;
    return loadAuthorizations();
  }
  list.data = result.data;
  showOnly('employer-view');
  renderAuthorizations();
  return true;
}

const searchForm = $('authorizations-search');
let searchTimer = null;

function search() {
  clearTimeout(searchTimer);
  const list = state.authorizations;
  const q = searchForm.elements.q.value.trim();
  const status = searchForm.elements.status.value;
  if (q === list.q && status === list.status && list.data) return;
  clearErrors(searchForm);
  list.q = q;
  list.status = status;
  list.page = 1;
  state.openId = null;
  loadAuthorizations();
}

searchForm.elements.q.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, SEARCH_DELAY_MS);
});
searchForm.elements.status.addEventListener('change', search);
searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  search();
});

$('authorizations-pager').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-page]');
  if (!button || button.disabled) return;
  state.authorizations.page += button.dataset.page === 'next' ? 1 : -1;
  state.openId = null;
  await loadAuthorizations();
  keepPagerFocus($('authorizations-summary'));
});

// -- Changing or revoking one --

function closeManage({ focus = true } = {}) {
  const id = state.openId;
  state.openId = null;
  for (const row of document.querySelectorAll('#authorizations-body .manage-row')) row.remove();
  for (const button of document.querySelectorAll('[data-manage]')) button.setAttribute('aria-expanded', 'false');
  if (focus && id) focusElement(document.querySelector(`[data-manage="${CSS.escape(id)}"]`));
}

function toggleManage(id) {
  if (state.openId === id) {
    closeManage();
    return;
  }
  const authorization = state.authorizations.data?.items?.find((each) => each.id === id);
  if (authorization) openManage(authorization, { focus: true });
}

function openManage(authorization, { focus }) {
  closeManage({ focus: false });
  state.openId = authorization.id;
  const row = document.querySelector(`tr[data-authorization-id="${CSS.escape(authorization.id)}"]`);
  if (!row) return;
  const manageRow = $('manage-template').content.firstElementChild.cloneNode(true);
  uniqueIds(manageRow, `manage-${authorization.id}`);
  manageRow.id = `manage-${authorization.id}`;
  translate(manageRow);
  const form = manageRow.querySelector('form');
  const name = fullName(authorization.contact);

  const heading = slot(form, 'heading');
  heading.id = `manage-${authorization.id}-heading`;
  form.setAttribute('aria-labelledby', heading.id);
  setText(heading, 'employer.manage_heading', { name, firm: authorization.firm?.name ?? '' });
  checkServices(form, authorization.services);
  for (const radio of form.querySelectorAll('input[name="level"]')) radio.checked = radio.value === authorization.level;
  form.elements.ends_on.value = authorization.ends_on ?? '';
  setText(slot(form, 'confirm-text'), 'employer.revoke_confirm_text', { name, firm: authorization.firm?.name ?? '' });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    changeAuthorization(form, authorization);
  });
  form.addEventListener('click', (event) => {
    const button = event.target.closest('[data-action]');
    if (!button || button.disabled) return;
    const action = button.dataset.action;
    if (action === 'close') closeManage();
    else if (action === 'revoke') askRevoke(form);
    else if (action === 'cancel-revoke') cancelRevoke(form);
    else if (action === 'confirm-revoke') revokeAuthorization(form, button, authorization);
  });

  row.after(manageRow);
  row.querySelector('[data-manage]')?.setAttribute('aria-expanded', 'true');
  if (focus) focusElement(heading);
}

function askRevoke(form) {
  clearErrors(form);
  slot(form, 'confirm').hidden = false;
  form.querySelector('[data-action="revoke"]').disabled = true;
  focusElement(slot(form, 'confirm-text'));
}

function cancelRevoke(form) {
  slot(form, 'confirm').hidden = true;
  const revoke = form.querySelector('[data-action="revoke"]');
  revoke.disabled = false;
  focusElement(revoke);
}

// The authorization changed meanwhile (elsewhere, by someone else): the list is shown as it is now.
const STALE = new Set(['not_found', 'authorization_inactive']);

async function afterAuthorizationChange(statusKey, vars, focusId) {
  const status = $('authorizations-status');
  status.replaceChildren(keySpan(statusKey, vars));
  closeManage({ focus: false });
  await Promise.all([loadAuthorizations(), loadMigrated()]);
  const button = focusId ? document.querySelector(`[data-manage="${CSS.escape(focusId)}"]`) : null;
  focusElement(button ?? status);
}

async function onAuthorizationError(form, result) {
  if (handledCommon(result)) return;
  if (STALE.has(result.error.code)) {
    closeManage({ focus: false });
    await loadAuthorizations();
    showAlert($('panel-authorizations'), [result.error.message]);
    return;
  }
  showApiError(form, result.error);
}

async function changeAuthorization(form, authorization) {
  if (isBusy(form)) return;
  clearErrors(form);
  const services = checkedServices(form);
  const level = form.querySelector('input[name="level"]:checked')?.value ?? authorization.level;
  const endsOn = form.elements.ends_on.value || null;
  if (services.length === 0) {
    setFieldError(form, 'services', { key: 'employer.services_required' });
    reportClientErrors(form);
    return;
  }
  const changes = {};
  const before = [...(authorization.services ?? [])].sort().join(',');
  if ([...services].sort().join(',') !== before) changes.services = services;
  if (level !== authorization.level) changes.level = level;
  if (endsOn !== (authorization.ends_on ?? null)) changes.ends_on = endsOn;
  if (Object.keys(changes).length === 0) {
    showAlert(form, [{ key: 'employer.unchanged' }]);
    return;
  }
  const submit = form.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await patch(`/api/employer/authorizations/${encodeURIComponent(authorization.id)}`, changes);
  setBusy(submit, false);
  if (result.ok) {
    await afterAuthorizationChange('employer.changed', { name: fullName(authorization.contact) }, authorization.id);
    return;
  }
  await onAuthorizationError(form, result);
}

async function revokeAuthorization(form, button, authorization) {
  if (isBusy(form)) return;
  clearErrors(form);
  setBusy(button, true);
  const result = await del(`/api/employer/authorizations/${encodeURIComponent(authorization.id)}`, {});
  setBusy(button, false);
  if (result.ok) {
    await afterAuthorizationChange('employer.revoked', { name: fullName(authorization.contact) }, null);
    return;
  }
  slot(form, 'confirm').hidden = true;
  form.querySelector('[data-action="revoke"]').disabled = false;
  await onAuthorizationError(form, result);
}

// -- Granting --

const grantToggle = $('grant-toggle');
const grantSection = $('grant-section');
const grantForm = $('grant-form');

function openGrant() {
  grantSection.hidden = false;
  grantToggle.setAttribute('aria-expanded', 'true');
  focusElement(grantForm.elements.firm_file_number);
}

function closeGrant({ focus = true } = {}) {
  grantSection.hidden = true;
  grantToggle.setAttribute('aria-expanded', 'false');
  grantForm.reset();
  clearErrors(grantForm);
  if (focus) focusElement(grantToggle);
}

grantToggle.addEventListener('click', () => {
  if (grantSection.hidden) openGrant();
  else closeGrant();
});
$('grant-cancel').addEventListener('click', () => closeGrant());

grantForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (isBusy(grantForm)) return;
  clearErrors(grantForm);
  let ok = requireFilled(grantForm, ['firm_file_number', 'contact_email']);
  const services = checkedServices(grantForm);
  if (services.length === 0) {
    setFieldError(grantForm, 'services', { key: 'employer.services_required' });
    ok = false;
  }
  if (!ok) {
    reportClientErrors(grantForm);
    return;
  }
  const body = {
    firm_file_number: grantForm.elements.firm_file_number.value.replace(/\s+/g, ''),
    contact_email: grantForm.elements.contact_email.value.trim(),
    services,
    level: grantForm.querySelector('input[name="level"]:checked')?.value ?? 'consultation',
  };
  if (grantForm.elements.starts_on.value) body.starts_on = grantForm.elements.starts_on.value;
  if (grantForm.elements.ends_on.value) body.ends_on = grantForm.elements.ends_on.value;
  const submit = grantForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post('/api/employer/authorizations', body);
  setBusy(submit, false);
  if (result.ok) {
    const authorization = result.data?.authorization;
    closeGrant({ focus: false });
    $('authorizations-status').replaceChildren(keySpan('employer.created', {
      name: fullName(authorization?.contact) || body.contact_email,
      firm: authorization?.firm?.name ?? body.firm_file_number,
    }));
    state.openId = null;
    await loadAuthorizations();
    focusElement(grantToggle);
    return;
  }
  if (handledCommon(result)) return;
  if (result.error.code === 'authorization_exists') {
    showAlert(grantForm, [result.error.message, { key: 'employer.hint_exists' }]);
    return;
  }
  showApiError(grantForm, result.error);
});

// ---- B. Access requests ----

function requestStatusCell(request) {
  const td = cell('td', badge(REQUEST_STATUS_KEYS, request.status));
  if (request.status === 'pending' && request.expires_at) {
    td.append(keySpan('access.expires', { date: formatDate(request.expires_at) }, 'cell-detail'));
  } else if (request.answered_at && request.status !== 'cancelled') {
    td.append(keySpan('access.answered', { date: formatDate(request.answered_at) }, 'cell-detail'));
  }
  if (request.status === 'declined' && request.decline_reason) {
    td.append(keySpan('access.decline_reason', { reason: request.decline_reason }, 'cell-detail'));
  }
  return td;
}

function requestRow(request) {
  const row = document.createElement('tr');
  row.dataset.requestId = request.id;
  const actions = cell('td');
  if (request.status === 'pending') {
    const answer = actionButton('employer.answer', fullName(request.contact));
    answer.dataset.answer = request.id;
    answer.setAttribute('aria-expanded', 'false');
    answer.setAttribute('aria-controls', `answer-${request.id}`);
    answer.addEventListener('click', () => toggleAnswer(request.id));
    actions.append(answer);
  } else {
    actions.append(nothing());
  }
  row.append(
    contactCell(request.contact),
    cell('td', ...firmLine(request.firm)),
    cell('td', servicesList(request.services)),
    request.message ? cell('td', textSpan(request.message, 'cell-message')) : cell('td', nothing()),
    cell('td', timeElement(request.created_at, { withTime: false })),
    requestStatusCell(request),
    actions,
  );
  return row;
}

let openRequestId = null;

function renderRequests() {
  const { data } = state.requests;
  const items = data?.items ?? [];
  $('requests-body').replaceChildren(...items.map(requestRow));
  $('requests-wrap').hidden = items.length === 0;
  const empty = $('requests-empty');
  empty.hidden = items.length > 0;
  setText(empty, state.requests.status === 'pending' ? 'employer.requests_empty' : 'employer.requests_empty_filtered');
  renderOffsetRows($('requests-summary'), data);
  renderOffsetPager($('requests-pager'), data);
  if (openRequestId) {
    const request = items.find((each) => each.id === openRequestId && each.status === 'pending');
    if (request) openAnswer(request, { focus: false });
    else openRequestId = null;
  }
}

async function loadRequests() {
  const list = state.requests;
  const mine = ++list.request;
  const params = new URLSearchParams({ status: list.status, page: String(list.page), page_size: String(PAGE_SIZE) });
  $('requests-wrap').setAttribute('aria-busy', 'true');
  const result = await get(`/api/employer/access-requests?${params}`);
  if (mine !== list.request) return false;
  $('requests-wrap').removeAttribute('aria-busy');
  $('requests-alert').replaceChildren();
  if (!result.ok) {
    if (handledCommon(result)) return false;
    showAlert($('panel-requests'), [result.error.message], { focus: false });
    return false;
  }
  const lastPage = Math.max(1, Math.ceil((result.data.total ?? 0) / (result.data.page_size || PAGE_SIZE)));
  if ((result.data.items?.length ?? 0) === 0 && result.data.total > 0 && list.page > lastPage) {
    list.page = lastPage;
    return loadRequests();
  }
  list.data = result.data;
  if (list.status === 'pending') renderCount($('requests-count'), result.data.total ?? 0);
  renderRequests();
  return true;
}

$('requests-filter').elements.status.addEventListener('change', () => {
  state.requests.status = $('requests-filter').elements.status.value;
  state.requests.page = 1;
  openRequestId = null;
  loadRequests();
});
$('requests-filter').addEventListener('submit', (event) => event.preventDefault());

$('requests-pager').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-page]');
  if (!button || button.disabled) return;
  state.requests.page += button.dataset.page === 'next' ? 1 : -1;
  openRequestId = null;
  await loadRequests();
  keepPagerFocus($('requests-summary'));
});

function closeAnswer({ focus = true } = {}) {
  const id = openRequestId;
  openRequestId = null;
  for (const row of document.querySelectorAll('#requests-body .manage-row')) row.remove();
  for (const button of document.querySelectorAll('[data-answer]')) button.setAttribute('aria-expanded', 'false');
  if (focus && id) focusElement(document.querySelector(`[data-answer="${CSS.escape(id)}"]`));
}

function toggleAnswer(id) {
  if (openRequestId === id) {
    closeAnswer();
    return;
  }
  const request = state.requests.data?.items?.find((each) => each.id === id);
  if (request) openAnswer(request, { focus: true });
}

function openAnswer(request, { focus }) {
  closeAnswer({ focus: false });
  openRequestId = request.id;
  const row = document.querySelector(`tr[data-request-id="${CSS.escape(request.id)}"]`);
  if (!row) return;
  const answerRow = $('answer-template').content.firstElementChild.cloneNode(true);
  const approve = slot(answerRow, 'approve');
  const decline = slot(answerRow, 'decline');
  uniqueIds(approve, `approve-${request.id}`);
  uniqueIds(decline, `decline-${request.id}`);
  answerRow.id = `answer-${request.id}`;
  translate(answerRow);
  const name = fullName(request.contact);
  const heading = slot(answerRow, 'heading');
  heading.id = `answer-${request.id}-heading`;
  setText(heading, 'employer.answer_heading', { name, firm: request.firm?.name ?? '' });
  checkServices(approve, request.services);

  approve.addEventListener('submit', (event) => {
    event.preventDefault();
    approveRequest(approve, request);
  });
  decline.addEventListener('submit', (event) => {
    event.preventDefault();
    declineRequest(decline, request);
  });
  answerRow.querySelector('[data-action="close"]').addEventListener('click', () => closeAnswer());

  row.after(answerRow);
  row.querySelector('[data-answer]')?.setAttribute('aria-expanded', 'true');
  if (focus) focusElement(heading);
}

const REQUEST_STALE = new Set(['not_found', 'access_request_expired', 'access_request_answered']);

async function afterRequestAnswer(statusKey, vars) {
  const status = $('requests-status');
  status.replaceChildren(keySpan(statusKey, vars));
  closeAnswer({ focus: false });
  await Promise.all([loadRequests(), loadAuthorizations()]);
  focusElement(status);
}

async function onRequestError(form, result) {
  if (handledCommon(result)) return;
  if (REQUEST_STALE.has(result.error.code)) {
    closeAnswer({ focus: false });
    await loadRequests();
    showAlert($('panel-requests'), [result.error.message]);
    return;
  }
  showApiError(form, result.error);
}

async function approveRequest(form, request) {
  if (isBusy(form)) return;
  clearErrors(form);
  const services = checkedServices(form);
  if (services.length === 0) {
    setFieldError(form, 'services', { key: 'employer.services_required' });
    reportClientErrors(form);
    return;
  }
  const body = { services, level: form.querySelector('input[name="level"]:checked')?.value ?? 'consultation' };
  if (form.elements.ends_on.value) body.ends_on = form.elements.ends_on.value;
  const submit = form.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post(`/api/employer/access-requests/${encodeURIComponent(request.id)}/approve`, body);
  setBusy(submit, false);
  if (result.ok) {
    await afterRequestAnswer('employer.approved', { name: fullName(request.contact) });
    return;
  }
  await onRequestError(form, result);
}

async function declineRequest(form, request) {
  if (isBusy(form)) return;
  clearErrors(form);
  const reason = form.elements.reason.value.trim();
  const submit = form.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post(`/api/employer/access-requests/${encodeURIComponent(request.id)}/decline`, reason ? { reason } : {});
  setBusy(submit, false);
  if (result.ok) {
    await afterRequestAnswer('employer.declined', { name: fullName(request.contact) });
    return;
  }
  await onRequestError(form, result);
}

// ---- C. Migrated relations to review ----

function migratedRow(authorization) {
  const row = document.createElement('tr');
  row.dataset.migratedId = authorization.id;
  const name = fullName(authorization.contact);
  const actions = cell('td');
  actions.className = 'cell-actions';

  const showButtons = () => {
    const confirm = actionButton('employer.confirm', name);
    confirm.dataset.confirmId = authorization.id;
    confirm.addEventListener('click', () => confirmMigrated(confirm, authorization));
    const revoke = actionButton('employer.revoke', name, 'button button--danger button--small');
    revoke.dataset.revokeId = authorization.id;
    revoke.addEventListener('click', () => {
      showQuestion();
      focusElement(actions.querySelector('.confirm__text'));
    });
    actions.replaceChildren(confirm, revoke);
  };
  const showQuestion = () => {
    const box = document.createElement('div');
    box.className = 'confirm confirm--inline';
    const text = keySpan('employer.revoke_one_text', { name }, 'confirm__text');
    text.tabIndex = -1;
    const yes = actionButton('employer.revoke_confirm', name, 'button button--danger button--small');
    yes.addEventListener('click', () => revokeMigrated(yes, authorization));
    const no = actionButton('employer.cancel', '', 'button button--secondary button--small');
    no.addEventListener('click', () => {
      showButtons();
      focusElement(actions.querySelector('[data-revoke-id]'));
    });
    const buttons = document.createElement('div');
    buttons.className = 'actions';
    buttons.append(yes, no);
    box.append(text, buttons);
    actions.replaceChildren(box);
  };
  showButtons();

  row.append(
    contactCell(authorization.contact),
    cell('td', ...firmLine(authorization.firm)),
    cell('td', servicesList(authorization.services)),
    cell('td', wordFor(LEVEL_KEYS, authorization.level)),
    periodCell(authorization),
    actions,
  );
  return row;
}

function renderMigrated() {
  const { data } = state.migrated;
  const items = data?.items ?? [];
  $('migrated-body').replaceChildren(...items.map(migratedRow));
  $('migrated-wrap').hidden = items.length === 0;
  $('migrated-empty').hidden = items.length > 0;
  $('migrated-bulk').hidden = items.length === 0;
  renderOffsetRows($('migrated-summary'), data);
  renderOffsetPager($('migrated-pager'), data);
  renderCount($('migrated-count'), data?.total ?? 0);
}

async function loadMigrated() {
  const list = state.migrated;
  const mine = ++list.request;
  const params = new URLSearchParams({ origin: 'migrated', review: 'pending', status: 'active', page: String(list.page), page_size: String(PAGE_SIZE) });
  $('migrated-wrap').setAttribute('aria-busy', 'true');
  const result = await get(`/api/employer/authorizations?${params}`);
  if (mine !== list.request) return false;
  $('migrated-wrap').removeAttribute('aria-busy');
  $('migrated-alert').replaceChildren();
  if (!result.ok) {
    if (handledCommon(result)) return false;
    showAlert($('panel-migrated'), [result.error.message], { focus: false });
    return false;
  }
  const lastPage = Math.max(1, Math.ceil((result.data.total ?? 0) / (result.data.page_size || PAGE_SIZE)));
  if ((result.data.items?.length ?? 0) === 0 && result.data.total > 0 && list.page > lastPage) {
    list.page = lastPage;
    return loadMigrated();
  }
  list.data = result.data;
  renderMigrated();
  return true;
}

$('migrated-pager').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-page]');
  if (!button || button.disabled) return;
  state.migrated.page += button.dataset.page === 'next' ? 1 : -1;
  await loadMigrated();
  keepPagerFocus($('migrated-summary'));
});

async function afterReview(statusKey, vars) {
  const status = $('migrated-status');
  status.replaceChildren(keySpan(statusKey, vars));
  $('revoke-all-confirm').hidden = true;
  await Promise.all([loadMigrated(), loadAuthorizations()]);
  focusElement(status);
}

async function onReviewError(result) {
  if (handledCommon(result)) return;
  await loadMigrated();
  showAlert($('panel-migrated'), [result.error.message]);
}

async function confirmMigrated(button, authorization) {
  if (button.disabled) return;
  $('migrated-status').replaceChildren();
  button.disabled = true;
  const result = await post(`/api/employer/authorizations/${encodeURIComponent(authorization.id)}/confirm`, {});
  if (result.ok) {
    await afterReview('employer.confirmed', { name: fullName(authorization.contact) });
    return;
  }
  button.disabled = false;
  await onReviewError(result);
}

async function revokeMigrated(button, authorization) {
  if (button.disabled) return;
  $('migrated-status').replaceChildren();
  button.disabled = true;
  const result = await del(`/api/employer/authorizations/${encodeURIComponent(authorization.id)}`, {});
  if (result.ok) {
    await afterReview('employer.revoked', { name: fullName(authorization.contact) });
    return;
  }
  button.disabled = false;
  await onReviewError(result);
}

async function reviewAll(button, decision) {
  if (button.disabled) return;
  $('migrated-status').replaceChildren();
  setBusy(button, true);
  const result = await post('/api/employer/migrated-relations/review', { decision });
  setBusy(button, false);
  if (result.ok) {
    const n = decision === 'confirm' ? result.data?.confirmed : result.data?.revoked;
    await afterReview(decision === 'confirm' ? 'employer.confirm_all_done' : 'employer.revoke_all_done', { n: Number(n) || 0 });
    return;
  }
  await onReviewError(result);
}

$('confirm-all').addEventListener('click', (event) => reviewAll(event.currentTarget, 'confirm'));
$('revoke-all').addEventListener('click', () => {
  setText($('revoke-all-text'), 'employer.revoke_all_text', { n: state.migrated.data?.total ?? 0 });
  $('revoke-all-confirm').hidden = false;
  $('revoke-all').disabled = true;
  focusElement($('revoke-all-text'));
});
$('revoke-all-no').addEventListener('click', () => {
  $('revoke-all-confirm').hidden = true;
  $('revoke-all').disabled = false;
  focusElement($('revoke-all'));
});
$('revoke-all-yes').addEventListener('click', async (event) => {
  await reviewAll(event.currentTarget, 'revoke');
  $('revoke-all').disabled = false;
});

// Dates and words computed here follow the language too.
onLangChange(() => {
  if (state.authorizations.data) renderAuthorizations();
  if (state.requests.data) renderRequests();
  if (state.migrated.data) renderMigrated();
});

// ---- Start ----

async function start() {
  const me = await startSession();
  if (!me) return;
  if (!me.ok) {
    $('employer-loading').hidden = true;
    showAlert(main, [[{ key: 'home.load_failed' }, me.error.message]]);
    return;
  }
  const organisation = me.data.active_profile?.organisation;
  if (organisation) setText($('employer-name'), 'employer.eyebrow', { name: organisation.name, number: organisation.file_number });
  if (!(await loadAuthorizations())) return;
  await Promise.all([loadRequests(), loadMigrated()]);
  const tab = { '#demandes': $('tab-requests'), '#migrations': $('tab-migrated') }[location.hash];
  if (tab) selectTab(tab);
}

start();
