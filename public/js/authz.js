// What the pages of issue 4 share: the words of authorizations (services, levels, origins,
// statuses), small table builders, the "Rangées X - Y de N enregistrements" line, and the checks
// every authorization route may answer (no session, no organisation profile).

import { dayElement } from './format.js';
import { setRawText, setText } from './ui.js';

/** The four services, in the order the API and the guide list them. */
export const SERVICES = ['workforce', 'site_identification', 'status_letter', 'monthly_report'];

export const SERVICE_KEYS = {
  workforce: 'service.workforce',
  site_identification: 'service.site_identification',
  status_letter: 'service.status_letter',
  monthly_report: 'service.monthly_report',
};

export const LEVEL_KEYS = { consultation: 'level.consultation', transmission: 'level.transmission' };
export const ORIGIN_KEYS = { granted: 'origin.granted', migrated: 'origin.migrated' };
export const AUTHORIZATION_STATUS_KEYS = {
  active: 'authorization.status.active',
  ended: 'authorization.status.ended',
  revoked: 'authorization.status.revoked',
};
export const REVIEW_KEYS = { pending: 'review.pending', confirmed: 'review.confirmed' };
export const REQUEST_STATUS_KEYS = {
  pending: 'request.status.pending',
  approved: 'request.status.approved',
  declined: 'request.status.declined',
  cancelled: 'request.status.cancelled',
  expired: 'request.status.expired',
};

export const $ = (id) => document.getElementById(id);

export const fullName = (person) => `${person?.first_name ?? ''} ${person?.last_name ?? ''}`.trim();

export function cell(tag = 'td', ...children) {
  const element = document.createElement(tag);
  element.append(...children);
  return element;
}

export function textSpan(text, className) {
  const element = document.createElement('span');
  if (className) element.className = className;
  element.textContent = text ?? '';
  return element;
}

export function keySpan(key, vars, className) {
  const element = document.createElement('span');
  if (className) element.className = className;
  setText(element, key, vars);
  return element;
}

/** A dictionary word when known, else the raw value (a code the page does not know yet). */
export function wordFor(keys, value, className) {
  const element = document.createElement('span');
  if (className) element.className = className;
  if (keys[value]) setText(element, keys[value]);
  else setRawText(element, String(value ?? ''));
  return element;
}

export function badge(keys, value) {
  return wordFor(keys, value, `badge badge--${String(value).replace(/[^a-z_]/g, '')}`);
}

/** An email address that may wrap before "@" rather than anywhere. */
export function emailSpan(email, className = 'cell-email') {
  const element = document.createElement('span');
  element.className = className;
  String(email ?? '').split(/(?=@)/).forEach((part, index) => {
    if (index > 0) element.append(document.createElement('wbr'));
    element.append(part);
  });
  return element;
}

/** "—" on screen, a word for screen readers. */
export function nothing(key = 'common.none') {
  const wrapper = document.createElement('span');
  const dash = textSpan('—');
  dash.setAttribute('aria-hidden', 'true');
  wrapper.append(dash, keySpan(key, undefined, 'visually-hidden'));
  return wrapper;
}

/** The services of an authorization or a request, as a short list in the API's order. */
export function servicesList(services) {
  const list = document.createElement('ul');
  list.className = 'cell-list';
  const given = new Set(services ?? []);
  const ordered = [...SERVICES.filter((code) => given.has(code)), ...[...given].filter((code) => !SERVICES.includes(code))];
  for (const code of ordered) {
    const item = document.createElement('li');
    item.append(wordFor(SERVICE_KEYS, code));
    list.append(item);
  }
  return list;
}

/** A day "YYYY-MM-DD" as a <time>, or "—" (read "Sans date de fin") when there is none. */
export function endDay(day, noneKey = 'common.no_end') {
  return day ? dayElement(day) : nothing(noneKey);
}

/** "Rangées X - Y de N enregistrements", or "Aucun enregistrement". */
export function renderRows(element, { from, to, total }) {
  if (!total) setText(element, 'common.no_rows');
  else setText(element, 'common.rows', { from, to, total });
}

/** The same line for the offset-paged lists ({items, total, page, page_size}). */
export function renderOffsetRows(element, data) {
  if (!data || !data.total) {
    setText(element, 'common.no_rows');
    return;
  }
  const from = (data.page - 1) * data.page_size + 1;
  const to = Math.min(data.total, from + (data.items?.length ?? 0) - 1);
  setText(element, 'common.rows', { from, to, total: data.total });
}

/** Previous/next of an offset-paged list. */
export function renderOffsetPager(pager, data) {
  const pages = data ? Math.max(1, Math.ceil(data.total / data.page_size)) : 1;
  pager.hidden = !data || pages <= 1;
  pager.querySelector('[data-page="previous"]').disabled = !data || data.page <= 1;
  pager.querySelector('[data-page="next"]').disabled = !data || data.page >= pages;
}

/** The services checked in `form` under `name`, in the API's order. */
export function checkedServices(form, name = 'services') {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}

/** Checks exactly `services` among the checkboxes `name` of `form`. */
export function checkServices(form, services, name = 'services') {
  const wanted = new Set(services ?? []);
  for (const input of form.querySelectorAll(`input[name="${name}"]`)) input.checked = wanted.has(input.value);
}

/** Without a session: back to the login page. True when handled. */
export function handledUnauthenticated(result) {
  if (result.status === 401) {
    location.replace('/');
    return true;
  }
  return false;
}
