// What the pages of authorizations share: the words of authorizations (services, levels, origins,
// statuses) and the cells and form fields that show them.

import { dayElement, formatDate } from './format.js';
import { badge, cell, keySpan, nothing, wordFor } from './table.js';
import { setFieldError } from './ui.js';

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

/** The services checked in `form` under `name`, in the API's order. */
export function checkedServices(form, name = 'services') {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}

/** False, said on the field `services` with `requiredKey`, when none of them is checked. */
export function servicesChosen(form, requiredKey) {
  if (checkedServices(form).length > 0) return true;
  setFieldError(form, 'services', { key: requiredKey });
  return false;
}

/** Checks exactly `services` among the checkboxes `name` of `form`. */
export function checkServices(form, services, name = 'services') {
  const wanted = new Set(services ?? []);
  for (const input of form.querySelectorAll(`input[name="${name}"]`)) input.checked = wanted.has(input.value);
}

/** An access request's status, with when it expires or was answered, and why it was declined. */
export function requestStatusCell(request) {
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
