// One webhook endpoint of the organisation (/webhook?id=…), for its responsables: the URL as
// heading, its state (Actif, or Désactivé with why and since when — a receiver that answered
// 410, a delivery that failed after all its retries, or a pause), and what may be done with it:
// change its URL, description and events; pause it or enable it again (which sends the deliveries
// that waited); renew its signing secret after a confirmation (the new one shown once, the
// previous one still signing until the date said); read the delivery log (each delivery's event,
// state, attempts, last answer and next attempt, and under "Détails" every attempt) and replay a
// delivery; delete it after a confirmation, back to "Mon organisation › Webhooks".
// Another organisation's id, or a deleted endpoint, answers 404 (the page says it is not found); a
// membre gets 403 responsable_required (the page says why); without an organisation profile the
// page explains how to get one.

import { del, get, patch, post } from './api.js';
import { formatDateTime, timeElement } from './format.js';
import { onLangChange } from './i18n.js';
import {
  checkedEvents, eventChosen, leaveStatus, stateParts,
} from './org-webhooks.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import {
  OffsetList, RowDetails, actionButton, badge, cell, keySpan, nothing, textSpan,
} from './table.js';
import {
  $, clearErrors, focusElement, initPage, readyToSubmit, setPageTitle, setRawText, setText, showAlert, showApiError, t, whileBusy,
} from './ui.js';
import { DELIVERY_STATUS_KEYS, FAILURE_KEYS, LOGGED_EVENT_KEYS } from './webhook-events.js';
import { secretBlock } from './widgets.js';

initPage('webhook.title');

const main = $('main');
const view = $('webhook-view');
const status = $('webhook-status');
const id = new URLSearchParams(location.search).get('id') ?? '';
const path = `/api/organisation/webhooks/${encodeURIComponent(id)}`;
let endpoint = null;

const SECTIONS = ['webhook-none', 'webhook-gone', 'webhook-forbidden', 'webhook-view'];

function show(sectionId) {
  $('webhook-loading').hidden = true;
  for (const each of SECTIONS) $(each).hidden = each !== sectionId;
}

/** One of the pages that replace the endpoint: its heading takes the focus and names the page. */
function showInstead(sectionId, titleKey) {
  endpoint = null;
  show(sectionId);
  setText(document.querySelector(`#${sectionId} h1`), titleKey);
  setPageTitle(titleKey);
  focusElement($(`${sectionId}-heading`));
}

/**
 * The refusals any request of this page may get: no session, no organisation profile, no longer
 * a responsable (403 responsable_required), the endpoint gone (404). True when handled.
 */
function handledRefusal(result) {
  if (handledWithoutOrganisation(result, () => showInstead('webhook-none', 'webhook.title'))) return true;
  if (result.status === 403 && result.error.code === 'responsable_required') {
    showInstead('webhook-forbidden', 'webhook.forbidden_heading');
    return true;
  }
  if (result.status === 404) {
    showInstead('webhook-gone', 'webhook.gone_heading');
    return true;
  }
  return false;
}

/** Says what happened in the page's status region and gives it the focus. */
function say(key, vars) {
  status.replaceChildren(keySpan(key, vars));
  focusElement(status);
}

// ---- The endpoint ----

const SENDING_KEYS = {
  active: 'webhook.sending_active',
  manual: 'webhook.sending_paused',
  gone: 'webhook.sending_disabled',
  failing: 'webhook.sending_disabled',
};

function render() {
  setRawText($('webhook-url-heading'), endpoint.url);
  document.title = `${endpoint.url} – ${t('site.name')}`;
  const description = $('webhook-description');
  setRawText(description, endpoint.description ?? '');
  description.hidden = !endpoint.description;
  $('webhook-state').replaceChildren(keySpan('webhook.state_label'), ' ', ...stateParts(endpoint));

  const active = endpoint.status === 'active';
  const reason = active ? 'active' : endpoint.disabled_reason;
  const notice = $('webhook-disabled-notice');
  notice.hidden = active || (reason !== 'gone' && reason !== 'failing');
  if (!notice.hidden) {
    setText($('webhook-disabled-why'), `webhook.notice_${reason}`, { date: formatDateTime(endpoint.disabled_at) });
    const waiting = Number(endpoint.pending_deliveries) || 0;
    if (waiting) setText($('webhook-waiting'), 'webhook.notice_waiting', { n: waiting });
    else setText($('webhook-waiting'), 'webhook.notice_reactivate');
  }
  setText($('webhook-sending-text'), SENDING_KEYS[reason] ?? 'webhook.sending_disabled', { date: formatDateTime(endpoint.disabled_at) });
  $('webhook-pause').hidden = !active;
  $('webhook-resume').hidden = active;
  $('webhook-replay-disabled').hidden = active;
  $('webhook-send-test').hidden = !active;

  const previous = $('webhook-previous-secret');
  const graceUntil = Number(endpoint.previous_secret_expires_at);
  previous.hidden = !(graceUntil > Date.now());
  if (!previous.hidden) setText(previous, 'webhook.previous_valid', { date: formatDateTime(graceUntil) });
}

// The settings form shows what is saved: at the start and after a save, never over what is typed.
const settings = $('webhook-settings');

function fillSettings() {
  clearErrors(settings);
  settings.elements.url.value = endpoint.url;
  settings.elements.description.value = endpoint.description ?? '';
  for (const box of settings.querySelectorAll('input[name="events"]')) box.checked = endpoint.events.includes(box.value);
}

async function loadEndpoint() {
  const result = await get(path);
  if (!result.ok) {
    if (handledRefusal(result)) return false;
    $('webhook-loading').hidden = true;
    showAlert(main, [[{ key: 'common.load_failed' }, result.error.message]]);
    return false;
  }
  endpoint = result.data.webhook;
  render();
  return true;
}

/** A change to the endpoint answered with it: shown as it is now. */
function changed(result) {
  endpoint = result.data.webhook;
  render();
}

const sameSet = (a, b) => a.length === b.length && a.every((each) => b.includes(each));

settings.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(settings, ['url'], eventChosen(settings))) return;
  const body = {
    url: settings.elements.url.value.trim(),
    description: settings.elements.description.value.trim(),
    events: checkedEvents(settings),
  };
  if (body.url === endpoint.url && body.description === (endpoint.description ?? '') && sameSet(body.events, endpoint.events)) {
    showAlert(settings, [{ key: 'webhook.unchanged' }]);
    return;
  }
  const result = await whileBusy(settings.querySelector('button[type="submit"]'), () => patch(path, body));
  if (!result.ok) {
    if (handledRefusal(result)) return;
    showApiError(settings, result.error);
    return;
  }
  changed(result);
  fillSettings();
  say('webhook.saved');
});

// ---- Pause and enable again ----

async function setStatus(button, wanted, doneKey) {
  const result = await whileBusy(button, () => patch(path, { status: wanted }));
  if (!result.ok) {
    if (handledRefusal(result)) return;
    showAlert(view, [result.error.message]);
    return;
  }
  changed(result);
  say(doneKey);
  // Replaying needs an active endpoint; enabled again, the deliveries that waited go out: the log
  // shows them leave.
  if (wanted === 'active') await log.load();
  else log.render();
}

$('webhook-pause').addEventListener('click', (event) => setStatus(event.currentTarget, 'disabled', 'webhook.paused'));
$('webhook-resume').addEventListener('click', (event) => setStatus(event.currentTarget, 'active', 'webhook.resumed'));

// ---- Renewing the secret (after a confirmation in the page) ----

const rotate = $('webhook-rotate');
const newSecret = secretBlock($('webhook-new-secret'), { onDone: () => focusElement(rotate) });

function closeRotation({ focus = true } = {}) {
  $('webhook-rotate-confirm').hidden = true;
  rotate.disabled = false;
  if (focus) focusElement(rotate);
}

rotate.addEventListener('click', () => {
  newSecret.hide();
  $('webhook-rotate-confirm').hidden = false;
  rotate.disabled = true;
  focusElement($('webhook-rotate-confirm-text'));
});
$('webhook-rotate-no').addEventListener('click', () => closeRotation());
$('webhook-rotate-yes').addEventListener('click', async (event) => {
  const result = await whileBusy(event.currentTarget, () => post(`${path}/rotate-secret`, {}));
  closeRotation({ focus: false });
  if (!result.ok) {
    if (handledRefusal(result)) return;
    showAlert(view, [result.error.message]);
    return;
  }
  changed(result);
  status.replaceChildren(keySpan('webhook.rotated'));
  const until = result.data.webhook.previous_secret_expires_at;
  newSecret.show(result.data.secret, { note: until ? ['webhook.previous_valid', { date: formatDateTime(until) }] : undefined });
});

// ---- Deleting (after a confirmation in the page) ----

const remove = $('webhook-delete');

function closeDeletion({ focus = true } = {}) {
  $('webhook-delete-confirm').hidden = true;
  remove.disabled = false;
  if (focus) focusElement(remove);
}

remove.addEventListener('click', () => {
  setText($('webhook-delete-confirm-text'), 'webhook.delete_confirm_text', { url: endpoint.url });
  $('webhook-delete-confirm').hidden = false;
  remove.disabled = true;
  focusElement($('webhook-delete-confirm-text'));
});
$('webhook-delete-no').addEventListener('click', () => closeDeletion());
$('webhook-delete-yes').addEventListener('click', async (event) => {
  const { url } = endpoint;
  const result = await whileBusy(event.currentTarget, () => del(path, {}));
  if (!result.ok) {
    closeDeletion({ focus: false });
    if (handledRefusal(result)) return;
    showAlert(view, [result.error.message]);
    return;
  }
  leaveStatus('webhooks.deleted', { url });
  location.assign('/organisation#webhooks');
});

// ---- The delivery log ----

const eventWord = (delivery) => (LOGGED_EVENT_KEYS[delivery.event?.type] ? t(LOGGED_EVENT_KEYS[delivery.event.type]) : String(delivery.event?.type ?? ''));
const deliveryAt = (delivery) => delivery.event?.at ?? delivery.created_at;

/** Why an attempt failed, in the page's language; the API's English detail as its title. */
function failureSpan(kind, detail, className) {
  if (!FAILURE_KEYS[kind]) return textSpan(detail, className);
  const span = keySpan(FAILURE_KEYS[kind], undefined, className);
  span.title = detail;
  return span;
}

/** What the receiver last answered: its HTTP code (or the error) and how long it took. */
function answerCell(delivery) {
  if (!delivery.attempts) return cell('td', nothing('webhook.not_sent'));
  const parts = [];
  if (delivery.last_status_code) parts.push(keySpan('webhook.answer_code', { code: delivery.last_status_code }, 'cell-main'));
  else parts.push(keySpan('webhook.no_answer', undefined, 'cell-main'));
  if (delivery.last_error) parts.push(failureSpan(delivery.last_error_kind, delivery.last_error, 'cell-detail'));
  if (delivery.last_latency_ms !== null && delivery.last_latency_ms !== undefined) {
    parts.push(keySpan('webhook.latency', { ms: delivery.last_latency_ms }, 'cell-detail'));
  }
  return cell('td', ...parts);
}

function deliveryRow(delivery) {
  const row = document.createElement('tr');
  row.dataset.deliveryId = delivery.id;
  const date = cell('th', timeElement(deliveryAt(delivery)));
  date.scope = 'row';
  const type = delivery.event?.type ?? '';
  const subject = [delivery.subject?.contact, delivery.subject?.employer].filter(Boolean).join(' · ');
  const eventCell = cell('td', LOGGED_EVENT_KEYS[type] ? keySpan(LOGGED_EVENT_KEYS[type], undefined, 'cell-main') : textSpan(type, 'cell-main'),
    ...(subject ? [textSpan(subject, 'cell-detail')] : []), textSpan(type, 'cell-detail cell-code'));
  const next = delivery.status === 'pending' && delivery.next_attempt_at ? cell('td', timeElement(delivery.next_attempt_at)) : cell('td', nothing());
  const label = `${eventWord(delivery)}, ${formatDateTime(deliveryAt(delivery))}`;
  const actions = document.createElement('div');
  actions.className = 'row-actions';
  const toggle = details.button(delivery, 'webhook.details', label);
  toggle.dataset.focusKey = `details:${delivery.id}`;
  actions.append(toggle);
  if (endpoint?.status === 'active') {
    const replay = actionButton('webhook.replay', label);
    replay.dataset.focusKey = `replay:${delivery.id}`;
    replay.addEventListener('click', () => replayDelivery(replay, delivery));
    actions.append(replay);
  }
  row.append(date, eventCell, cell('td', badge(DELIVERY_STATUS_KEYS, delivery.status)), cell('td', textSpan(String(delivery.attempts), 'cell-number')),
    answerCell(delivery), next, cell('td', actions));
  return row;
}

function attemptRow(attempt) {
  const row = document.createElement('tr');
  const number = cell('th', textSpan(String(attempt.number), 'cell-number'));
  number.scope = 'row';
  if (attempt.replay) number.append(keySpan('webhook.replay_attempt', undefined, 'cell-detail'));
  const code = attempt.status_code ? cell('td', keySpan('webhook.answer_code', { code: attempt.status_code })) : cell('td', keySpan('webhook.no_answer'));
  const error = attempt.error ? cell('td', failureSpan(attempt.error_kind, attempt.error)) : cell('td', nothing());
  row.append(number, cell('td', timeElement(attempt.at)), code, cell('td', keySpan('webhook.latency', { ms: attempt.latency_ms })), error);
  return row;
}

/** Every attempt of a delivery, in a row opened under it. */
function attemptsDetails(delivery) {
  const row = document.createElement('tr');
  row.className = 'manage-row';
  row.id = `delivery-${delivery.id}`;
  const box = document.createElement('div');
  box.className = 'manage';
  const heading = document.createElement('h3');
  heading.className = 'manage__heading';
  heading.id = `delivery-${delivery.id}-heading`;
  heading.tabIndex = -1;
  setText(heading, 'webhook.attempts_heading', { event: eventWord(delivery), date: formatDateTime(deliveryAt(delivery)) });
  box.append(heading, keySpan('webhook.delivery_id', { id: delivery.id }, 'field__hint cell-code-line'));
  const attempts = delivery.attempt_log ?? [];
  if (attempts.length) {
    const headers = ['webhook.attempt_col_number', 'webhook.attempt_col_at', 'webhook.attempt_col_code', 'webhook.attempt_col_latency',
      'webhook.attempt_col_error'].map((key) => {
      const th = cell('th', keySpan(key));
      th.scope = 'col';
      return th;
    });
    const table = document.createElement('table');
    table.className = 'data-table data-table--compact';
    table.setAttribute('aria-labelledby', heading.id);
    const head = document.createElement('thead');
    head.append(cell('tr', ...headers));
    const body = document.createElement('tbody');
    body.append(...attempts.map(attemptRow));
    table.append(head, body);
    box.append(table);
  } else {
    box.append(keySpan('webhook.no_attempts', undefined, 'empty'));
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'button button--secondary button--small';
  setText(close, 'org.close');
  close.addEventListener('click', () => details.close());
  const closeActions = document.createElement('div');
  closeActions.className = 'actions actions--end';
  closeActions.append(close);
  box.append(closeActions);
  const td = cell('td', box);
  td.colSpan = 7;
  row.append(td);
  return { row, heading };
}

const details = new RowDetails($('deliveries-body'), 'delivery', {
  find: (deliveryId) => log.data?.items?.find((each) => each.id === deliveryId),
  build: attemptsDetails,
});

const log = new OffsetList('deliveries', {
  url: `${path}/deliveries`,
  pageSize: 20,
  row: deliveryRow,
  onError(result) {
    if (handledRefusal(result)) return;
    showAlert($('webhook-log-heading').closest('section'), [result.error.message]);
  },
  afterRender: (items) => details.refresh(items),
  beforePage: () => {
    details.forget();
    following = null;
  },
});

/** Loads the log again; a button of the log that had the focus has it again afterwards. */
async function reloadLog() {
  const key = document.activeElement?.closest?.('#deliveries-body') ? document.activeElement.closest('[data-focus-key]')?.dataset.focusKey : null;
  const shown = await log.load();
  if (shown && key) focusElement(document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`));
  return shown;
}

// After a replay the log follows that delivery for a while, until it is no longer pending.
let following = null;
const FOLLOW_EVERY_MS = 1500;
const FOLLOW_TIMES = 12;

async function follow(deliveryId) {
  const mine = {};
  following = mine;
  for (let time = 0; time < FOLLOW_TIMES; time += 1) {
    await new Promise((resolve) => { setTimeout(resolve, FOLLOW_EVERY_MS); });
    if (following !== mine || !endpoint) return;
    if (!(await reloadLog())) return;
    const delivery = log.data?.items?.find((each) => each.id === deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
  }
}

async function replayDelivery(button, delivery) {
  if (button.disabled) return;
  const result = await whileBusy(button, () => post(`/api/organisation/webhooks/deliveries/${encodeURIComponent(delivery.id)}/replay`, {}));
  if (!result.ok) {
    if (result.status === 404 && result.error.code === 'not_found') {
      // The delivery left the log meanwhile (concluded more than 30 days ago), not the endpoint.
      if (!(await loadEndpoint())) return;
      await log.load();
      showAlert($('webhook-log-heading').closest('section'), [result.error.message]);
      return;
    }
    if (handledRefusal(result)) return;
    if (result.error.code === 'webhook_disabled') await loadEndpoint();
    await log.load();
    showAlert($('webhook-log-heading').closest('section'), [result.error.message]);
    return;
  }
  await log.load();
  say('webhook.replayed', { event: eventWord(delivery), date: formatDateTime(deliveryAt(delivery)) });
  follow(delivery.id);
}

// A webhook.test event to this endpoint only: the receiver can check its signature code with it.
$('webhook-send-test').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  if (button.disabled) return;
  const result = await whileBusy(button, () => post(`/api/organisation/webhooks/${encodeURIComponent(id)}/test`, {}));
  if (!result.ok) {
    if (handledRefusal(result)) return;
    if (result.error.code === 'webhook_disabled') await loadEndpoint();
    showAlert($('webhook-log-heading').closest('section'), [result.error.message]);
    return;
  }
  await log.load();
  say('webhook.test_sent');
  follow(result.data.delivery.id);
});

$('webhook-refresh').addEventListener('click', async () => {
  if (await loadEndpoint()) await reloadLog();
});

// ---- Start ----

async function start() {
  if (!(await signedIn($('webhook-loading')))) return;
  if (!id) {
    showInstead('webhook-gone', 'webhook.gone_heading');
    return;
  }
  if (!(await loadEndpoint())) return;
  show('webhook-view');
  fillSettings();
  focusElement($('webhook-url-heading'));
  await log.load();
}

onLangChange(() => {
  if (endpoint) render();
});

start();
