// "Relation client manquante?" (/access-request): a firm's contact asks an employer for access to
// its file — the employer's file number, the postal code on that file, the services wished and a
// message (POST /api/access-requests). Only the employer can grant: the request waits among its
// pending requests (21 days at most). Below, the requests made (a responsable sees the whole
// firm's), with their status, and a button to cancel one's own pending request.

import { del, post } from './api.js';
import { checkedServices, requestStatusCell, servicesChosen, servicesList } from './authz.js';
import { timeElement } from './format.js';
import { fullName } from './profile.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import { OffsetList, actionButton, cell, emailSpan, keySpan, textSpan } from './table.js';
import {
  $, focusElement, initPage, isBusy, readyToSubmit, retryAfterPiece, showAlert, showApiError, whileBusy,
} from './ui.js';

initPage('access.title');

const form = $('access-form');

// The profile's contact: the pending requests it made itself may be cancelled.
let contactId = null;

function showNoOrganisation() {
  $('access-loading').hidden = true;
  $('access-view').hidden = true;
  $('access-none').hidden = false;
}

/** Handles the answers every route here may give; true when handled. */
const handledCommon = (result) => handledWithoutOrganisation(result, showNoOrganisation);

// ---- The requests made ----

function statusCell(request) {
  const td = requestStatusCell(request);
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
  if (request.status === 'pending' && request.contact?.id === contactId) {
    const cancel = actionButton('access.cancel', request.employer?.name ?? '');
    cancel.dataset.cancel = request.id;
    cancel.addEventListener('click', () => cancelRequest(cancel, request));
    actions.append(cancel);
  }
  row.append(employer, cell('td', timeElement(request.created_at, { withTime: false })), requester,
    cell('td', servicesList(request.services)), statusCell(request), actions);
  return row;
}

const requests = new OffsetList('requests', {
  url: '/api/access-requests',
  pageSize: 10,
  row: requestRow,
  onError(result) {
    $('access-loading').hidden = true;
    if (handledCommon(result)) return;
    $('access-view').hidden = false;
    showAlert($('requests-heading').parentElement, [[{ key: 'common.load_failed' }, result.error.message]]);
  },
  onLoad() {
    $('access-loading').hidden = true;
    $('access-none').hidden = true;
    $('access-view').hidden = false;
  },
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
    await requests.load();
    showAlert(section, [result.error.message]);
    return;
  }
  $('requests-status').replaceChildren(keySpan('access.cancelled', { name: request.employer?.name ?? '' }));
  await requests.load();
  focusElement($('requests-status'));
}

// ---- A new request ----

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (isBusy(form)) return;
  $('access-status').replaceChildren();
  if (!readyToSubmit(form, ['file_number', 'postal_code'], () => servicesChosen(form, 'access.services_required'))) return;
  const body = {
    file_number: form.elements.file_number.value.replace(/\s+/g, ''),
    postal_code: form.elements.postal_code.value.trim(),
    services: checkedServices(form),
  };
  const message = form.elements.message.value.trim();
  if (message) body.message = message;
  const submit = form.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post('/api/access-requests', body));
  if (result.ok) {
    const request = result.data?.access_request;
    form.reset();
    const status = $('access-status');
    status.replaceChildren(keySpan('access.sent', { name: request?.employer?.name ?? '', number: request?.employer?.file_number ?? body.file_number }));
    requests.page = 1;
    await requests.load();
    focusElement(status);
    return;
  }
  if (handledCommon(result)) return;
  const wait = result.status === 429 ? retryAfterPiece(result.error.retry_after) : null;
  showApiError(form, result.error, wait && result.error.code !== 'too_many_attempts' ? [wait] : []);
});

// ---- Start ----

async function start() {
  const me = await signedIn($('access-loading'));
  if (!me) return;
  const profile = me.active_profile;
  if (profile?.kind !== 'organisation') {
    showNoOrganisation();
    return;
  }
  contactId = profile.id;
  await requests.load();
}

start();

