// "Mon organisation › Webhooks" (responsables): the organisation's webhook endpoints — an
// accounting platform's address that receives a signed notification (Standard Webhooks) when an
// authorization, a contact or an access request changes. "Ajouter un webhook" opens a form (URL,
// description, event types, all checked); once added, the signing secret (whsec_…) is shown once
// with a copy button (the shared secret block). The list shows each endpoint's URL and
// description, its events, its state (Actif, or Désactivé with why and since when) and "Gérer",
// which opens its page (/webhook?id=…: settings, pause, secret rotation, delivery log, deletion).
//
// The endpoint page's words for an endpoint's state are here too (stateParts, eventsSummary).

import { get, post } from './api.js';
import { formatDate } from './format.js';
import { onLangChange } from './i18n.js';
import { badge, cell, keySpan, textSpan } from './table.js';
import {
  $, focusElement, readyToSubmit, setFieldError, setText, showAlert, showApiError, whileBusy,
} from './ui.js';
import {
  DISABLED_REASON_KEYS, ENDPOINT_STATUS_KEYS, EVENT_KEYS, EVENT_TYPES,
} from './webhook-events.js';
import { formDisclosure, secretBlock } from './widgets.js';

// A message the endpoint page leaves for this tab (after deleting an endpoint): said once, here.
const FLASH_KEY = 'sel.webhooks.status';

/** Leaves `[key, vars]` for "Mon organisation › Webhooks" to say when it opens next. */
export function leaveStatus(key, vars) {
  try {
    sessionStorage.setItem(FLASH_KEY, JSON.stringify([key, vars]));
  } catch {
    // Storage refused (private browsing): the list, without the endpoint, says it well enough.
  }
}

function takeStatus() {
  try {
    const raw = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** The badge Actif / Désactivé, then (disabled) why and since when; (active) since when it was added. */
export function stateParts(endpoint) {
  const parts = [badge(ENDPOINT_STATUS_KEYS, endpoint.status)];
  if (endpoint.status === 'disabled') {
    const reason = DISABLED_REASON_KEYS[endpoint.disabled_reason];
    if (reason) parts.push(keySpan(reason, undefined, 'cell-detail'));
    if (endpoint.disabled_at) parts.push(keySpan('webhooks.since', { date: formatDate(endpoint.disabled_at) }, 'cell-detail'));
  } else if (endpoint.created_at) {
    parts.push(keySpan('webhooks.added_on', { date: formatDate(endpoint.created_at) }, 'cell-detail'));
  }
  return parts;
}

/** The events of an endpoint: all of them said as such, otherwise each one by its name. */
export function eventsSummary(events = []) {
  if (events.length === EVENT_TYPES.length && EVENT_TYPES.every((type) => events.includes(type))) {
    return keySpan('webhooks.events_all', { n: events.length });
  }
  const list = document.createElement('ul');
  list.className = 'cell-list';
  for (const type of events) {
    const item = document.createElement('li');
    item.append(EVENT_KEYS[type] ? keySpan(EVENT_KEYS[type]) : textSpan(type));
    list.append(item);
  }
  return list;
}

/** The checked event types of a form's events fieldset, in the API's order. */
export function checkedEvents(form) {
  return [...form.querySelectorAll('input[name="events"]:checked')].map((box) => box.value);
}

/** The events check of readyToSubmit(): at least one. */
export const eventChosen = (form) => () => {
  if (checkedEvents(form).length) return true;
  setFieldError(form, 'events', { key: 'webhooks.events_required' });
  return false;
};

/**
 * Wires the tab; `handledRefusal(result)` handles the answers any organisation route may give
 * (no session, no organisation profile, no longer a responsable). Returns load().
 */
export function webhooksTab({ handledRefusal }) {
  const panel = $('panel-webhooks');
  const status = $('webhooks-status');
  const toggle = $('webhook-create-toggle');
  const form = $('webhook-form');
  const state = { data: null, request: 0 };

  function row(endpoint) {
    const tr = document.createElement('tr');
    tr.dataset.webhookId = endpoint.id;
    const url = cell('th', textSpan(endpoint.url, 'cell-main cell-url'));
    url.scope = 'row';
    if (endpoint.description) url.append(textSpan(endpoint.description, 'cell-detail'));
    const manage = document.createElement('a');
    manage.className = 'button button--secondary button--small';
    manage.href = `/webhook?id=${encodeURIComponent(endpoint.id)}`;
    manage.append(keySpan('webhooks.manage'), textSpan(` ${endpoint.url}`, 'visually-hidden'));
    tr.append(url, cell('td', eventsSummary(endpoint.events)), cell('td', ...stateParts(endpoint)), cell('td', manage));
    return tr;
  }

  function render() {
    const items = state.data?.items ?? [];
    $('webhooks-body').replaceChildren(...items.map(row));
    $('webhooks-empty').hidden = items.length > 0;
    $('webhooks-wrap').hidden = items.length === 0;
    if (items.length) setText($('webhooks-summary'), 'webhooks.rows', { n: items.length });
    else $('webhooks-summary').replaceChildren();
  }

  async function load() {
    const flash = takeStatus();
    if (flash) status.replaceChildren(keySpan(...flash));
    const mine = ++state.request;
    $('webhooks-wrap').setAttribute('aria-busy', 'true');
    const result = await get('/api/organisation/webhooks');
    if (mine !== state.request) return false;
    $('webhooks-wrap').removeAttribute('aria-busy');
    if (!result.ok) {
      if (await handledRefusal(result)) return false;
      showAlert(panel, [result.error.message]);
      return false;
    }
    state.data = result.data;
    render();
    if (flash) focusElement(status);
    return true;
  }

  onLangChange(() => {
    if (state.data) render();
  });

  const secret = secretBlock($('webhook-secret'), { onDone: () => focusElement(toggle) });
  const disclosure = formDisclosure({
    toggle, section: $('webhook-create-section'), form, cancel: $('webhook-cancel'), first: 'url',
  });
  // Opening the form hides a secret still shown: one new thing at a time.
  toggle.addEventListener('click', () => secret.hide());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.replaceChildren();
    if (!readyToSubmit(form, ['url'], eventChosen(form))) return;
    const body = {
      url: form.elements.url.value.trim(),
      description: form.elements.description.value.trim(),
      events: checkedEvents(form),
    };
    const result = await whileBusy(form.querySelector('button[type="submit"]'), () => post('/api/organisation/webhooks', body));
    if (result.ok) {
      disclosure.close({ focus: false });
      status.replaceChildren(keySpan('webhooks.created', { url: result.data.webhook.url }));
      secret.show(result.data.secret);
      await load();
      return;
    }
    if (await handledRefusal(result)) return;
    showApiError(form, result.error);
  });

  return { load };
}
