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

import { del, patch, post } from './api.js';
import {
  AUTHORIZATION_STATUS_KEYS, LEVEL_KEYS, ORIGIN_KEYS, REVIEW_KEYS, checkedServices, checkServices, requestStatusCell,
  servicesChosen, servicesList,
} from './authz.js';
import { dayElement, formatDate, timeElement } from './format.js';
import { translate } from './i18n.js';
import { fullName } from './profile.js';
import { handledUnauthenticated, signedIn } from './session.js';
import {
  OffsetList, RowDetails, actionButton, badge, cell, emailSpan, keySpan, nothing, textSpan, wordFor,
} from './table.js';
import {
  $, clearErrors, focusElement, initPage, readyToSubmit, setRawText, setText, showAlert, showApiError, whileBusy,
} from './ui.js';
import {
  askConfirmation, dropConfirmation, formDisclosure, instantiate, liveSearch, slot, tabList, uniqueIds,
} from './widgets.js';

initPage('employer.title');

const filters = {
  authorizations: { q: '', status: 'active' },
  requests: { status: 'pending' },
};
const authorizationPath = (authorization) => `/api/employer/authorizations/${encodeURIComponent(authorization.id)}`;
const requestPath = (request) => `/api/employer/access-requests/${encodeURIComponent(request.id)}`;

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
  if (result.error.code === 'mfa_enrolment_required') {
    // The profile came to need a second factor (a new role, or the organisation asks it of all).
    location.assign('/mfa');
    return true;
  }
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

const tabs = tabList([$('tab-authorizations'), $('tab-requests'), $('tab-migrated')], {
  hashes: { 'tab-authorizations': '', 'tab-requests': '#demandes', 'tab-migrated': '#migrations' },
});

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
  const actions = cell('td', authorization.status === 'active'
    ? manageDetails.button(authorization, 'employer.manage', fullName(authorization.contact))
    : nothing());
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

const authorizations = new OffsetList('authorizations', {
  url: '/api/employer/authorizations',
  filters: () => filters.authorizations,
  row: authorizationRow,
  emptyKey: () => {
    const { q, status } = filters.authorizations;
    return q || status !== 'active' ? 'employer.empty_search' : 'employer.empty';
  },
  onError(result) {
    if (handledCommon(result)) return;
    showOnly('employer-view');
    const search = $('authorizations-search');
    if (result.status === 422 && result.error.fields) showApiError(search, result.error);
    else showAlert($('panel-authorizations'), [result.error.message]);
  },
  onLoad: () => showOnly('employer-view'),
  afterRender: (items) => manageDetails.refresh(items),
  beforePage: () => manageDetails.forget(),
});

const searchForm = $('authorizations-search');

liveSearch(searchForm, () => {
  const q = searchForm.elements.q.value.trim();
  const status = searchForm.elements.status.value;
  if (q === filters.authorizations.q && status === filters.authorizations.status && authorizations.data) return;
  clearErrors(searchForm);
  filters.authorizations = { q, status };
  authorizations.page = 1;
  manageDetails.forget();
  authorizations.load();
});

// -- Changing or revoking one --

const manageDetails = new RowDetails($('authorizations-body'), 'manage', {
  find: (id) => authorizations.data?.items?.find((each) => each.id === id),
  keep: (authorization) => authorization.status === 'active',
  build: manageForm,
});

function manageForm(authorization) {
  const manageRow = instantiate('manage-template', `manage-${authorization.id}`);
  const form = manageRow.querySelector('form');
  const name = fullName(authorization.contact);

  const heading = slot(form, 'heading');
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
    if (action === 'close') manageDetails.close();
    else if (action === 'revoke') askConfirmation(form);
    else if (action === 'cancel-revoke') dropConfirmation(form);
    else if (action === 'confirm-revoke') revokeAuthorization(form, button, authorization);
  });
  return { row: manageRow, heading };
}

// The authorization changed meanwhile (elsewhere, by someone else): the list is shown as it is now.
const STALE = new Set(['not_found', 'authorization_inactive']);

async function afterAuthorizationChange(statusKey, vars, focusId) {
  const status = $('authorizations-status');
  status.replaceChildren(keySpan(statusKey, vars));
  manageDetails.close({ focus: false });
  await Promise.all([authorizations.load(), migrated.load()]);
  const button = focusId ? document.querySelector(`[data-manage="${CSS.escape(focusId)}"]`) : null;
  focusElement(button ?? status);
}

async function onAuthorizationError(form, result) {
  if (handledCommon(result)) return;
  if (STALE.has(result.error.code)) {
    manageDetails.close({ focus: false });
    await authorizations.load();
    showAlert($('panel-authorizations'), [result.error.message]);
    return;
  }
  showApiError(form, result.error);
}

const servicesRequired = (form) => () => servicesChosen(form, 'employer.services_required');

async function changeAuthorization(form, authorization) {
  if (!readyToSubmit(form, [], servicesRequired(form))) return;
  const services = checkedServices(form);
  const level = form.querySelector('input[name="level"]:checked')?.value ?? authorization.level;
  const endsOn = form.elements.ends_on.value || null;
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
  const result = await whileBusy(submit, () => patch(authorizationPath(authorization), changes));
  if (result.ok) {
    await afterAuthorizationChange('employer.changed', { name: fullName(authorization.contact) }, authorization.id);
    return;
  }
  await onAuthorizationError(form, result);
}

async function revokeAuthorization(form, button, authorization) {
  if (!readyToSubmit(form)) return;
  const result = await whileBusy(button, () => del(authorizationPath(authorization), {}));
  if (result.ok) {
    await afterAuthorizationChange('employer.revoked', { name: fullName(authorization.contact) }, null);
    return;
  }
  dropConfirmation(form, { focus: false });
  await onAuthorizationError(form, result);
}

// -- Granting --

const grantToggle = $('grant-toggle');
const grantForm = $('grant-form');
const grant = formDisclosure({
  toggle: grantToggle, section: $('grant-section'), form: grantForm, cancel: $('grant-cancel'), first: 'firm_file_number',
});

grantForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(grantForm, ['firm_file_number', 'contact_email'], servicesRequired(grantForm))) return;
  const body = {
    firm_file_number: grantForm.elements.firm_file_number.value.replace(/\s+/g, ''),
    contact_email: grantForm.elements.contact_email.value.trim(),
    services: checkedServices(grantForm),
    level: grantForm.querySelector('input[name="level"]:checked')?.value ?? 'consultation',
  };
  if (grantForm.elements.starts_on.value) body.starts_on = grantForm.elements.starts_on.value;
  if (grantForm.elements.ends_on.value) body.ends_on = grantForm.elements.ends_on.value;
  const submit = grantForm.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post('/api/employer/authorizations', body));
  if (result.ok) {
    const authorization = result.data?.authorization;
    grant.close({ focus: false });
    $('authorizations-status').replaceChildren(keySpan('employer.created', {
      name: fullName(authorization?.contact) || body.contact_email,
      firm: authorization?.firm?.name ?? body.firm_file_number,
    }));
    manageDetails.forget();
    await authorizations.load();
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

function requestRow(request) {
  const row = document.createElement('tr');
  row.dataset.requestId = request.id;
  const actions = cell('td', request.status === 'pending'
    ? answerDetails.button(request, 'employer.answer', fullName(request.contact))
    : nothing());
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

const requests = new OffsetList('requests', {
  url: '/api/employer/access-requests',
  filters: () => filters.requests,
  row: requestRow,
  emptyKey: () => (filters.requests.status === 'pending' ? 'employer.requests_empty' : 'employer.requests_empty_filtered'),
  onError(result) {
    if (handledCommon(result)) return;
    showAlert($('panel-requests'), [result.error.message], { focus: false });
  },
  onLoad(data) {
    if (filters.requests.status === 'pending') renderCount($('requests-count'), data.total ?? 0);
  },
  afterRender: (items) => answerDetails.refresh(items),
  beforePage: () => answerDetails.forget(),
});

$('requests-filter').elements.status.addEventListener('change', () => {
  filters.requests.status = $('requests-filter').elements.status.value;
  requests.page = 1;
  answerDetails.forget();
  requests.load();
});
$('requests-filter').addEventListener('submit', (event) => event.preventDefault());

const answerDetails = new RowDetails($('requests-body'), 'answer', {
  find: (id) => requests.data?.items?.find((each) => each.id === id),
  keep: (request) => request.status === 'pending',
  build: answerForms,
});

function answerForms(request) {
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
  answerRow.querySelector('[data-action="close"]').addEventListener('click', () => answerDetails.close());
  return { row: answerRow, heading };
}

const REQUEST_STALE = new Set(['not_found', 'access_request_expired', 'access_request_answered']);

async function afterRequestAnswer(statusKey, vars) {
  const status = $('requests-status');
  status.replaceChildren(keySpan(statusKey, vars));
  answerDetails.close({ focus: false });
  await Promise.all([requests.load(), authorizations.load()]);
  focusElement(status);
}

async function onRequestError(form, result) {
  if (handledCommon(result)) return;
  if (REQUEST_STALE.has(result.error.code)) {
    answerDetails.close({ focus: false });
    await requests.load();
    showAlert($('panel-requests'), [result.error.message]);
    return;
  }
  showApiError(form, result.error);
}

async function approveRequest(form, request) {
  if (!readyToSubmit(form, [], servicesRequired(form))) return;
  const body = {
    services: checkedServices(form),
    level: form.querySelector('input[name="level"]:checked')?.value ?? 'consultation',
  };
  if (form.elements.ends_on.value) body.ends_on = form.elements.ends_on.value;
  const submit = form.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post(`${requestPath(request)}/approve`, body));
  if (result.ok) {
    await afterRequestAnswer('employer.approved', { name: fullName(request.contact) });
    return;
  }
  await onRequestError(form, result);
}

async function declineRequest(form, request) {
  if (!readyToSubmit(form)) return;
  const reason = form.elements.reason.value.trim();
  const submit = form.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post(`${requestPath(request)}/decline`, reason ? { reason } : {}));
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

const migrated = new OffsetList('migrated', {
  url: '/api/employer/authorizations',
  filters: () => ({ origin: 'migrated', review: 'pending', status: 'active' }),
  row: migratedRow,
  onError(result) {
    if (handledCommon(result)) return;
    showAlert($('panel-migrated'), [result.error.message], { focus: false });
  },
  afterRender(items) {
    $('migrated-bulk').hidden = items.length === 0;
    renderCount($('migrated-count'), migrated.data?.total ?? 0);
  },
});

async function afterReview(statusKey, vars) {
  const status = $('migrated-status');
  status.replaceChildren(keySpan(statusKey, vars));
  $('revoke-all-confirm').hidden = true;
  await Promise.all([migrated.load(), authorizations.load()]);
  focusElement(status);
}

async function onReviewError(result) {
  if (handledCommon(result)) return;
  await migrated.load();
  showAlert($('panel-migrated'), [result.error.message]);
}

/** Confirms or revokes one migrated relation from its row's `button`; done, says `doneKey`. */
async function reviewMigrated(button, authorization, request, doneKey) {
  if (button.disabled) return;
  $('migrated-status').replaceChildren();
  button.disabled = true;
  const result = await request();
  if (result.ok) {
    await afterReview(doneKey, { name: fullName(authorization.contact) });
    return;
  }
  button.disabled = false;
  await onReviewError(result);
}

const confirmMigrated = (button, authorization) => reviewMigrated(button, authorization,
  () => post(`${authorizationPath(authorization)}/confirm`, {}), 'employer.confirmed');
const revokeMigrated = (button, authorization) => reviewMigrated(button, authorization,
  () => del(authorizationPath(authorization), {}), 'employer.revoked');

async function reviewAll(button, decision) {
  if (button.disabled) return;
  $('migrated-status').replaceChildren();
  const result = await whileBusy(button, () => post('/api/employer/migrated-relations/review', { decision }));
  if (result.ok) {
    const n = decision === 'confirm' ? result.data?.confirmed : result.data?.revoked;
    await afterReview(decision === 'confirm' ? 'employer.confirm_all_done' : 'employer.revoke_all_done', { n: Number(n) || 0 });
    return;
  }
  await onReviewError(result);
}

$('confirm-all').addEventListener('click', (event) => reviewAll(event.currentTarget, 'confirm'));
$('revoke-all').addEventListener('click', () => {
  setText($('revoke-all-text'), 'employer.revoke_all_text', { n: migrated.data?.total ?? 0 });
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

// ---- Start ----

async function start() {
  const me = await signedIn($('employer-loading'));
  if (!me) return;
  const organisation = me.active_profile?.organisation;
  if (organisation) setText($('employer-name'), 'employer.eyebrow', { name: organisation.name, number: organisation.file_number });
  if (!(await authorizations.load())) return;
  await Promise.all([requests.load(), migrated.load()]);
  tabs.fromAddress();
}

start();
