// Dates as people of the commission read them: in Montréal's time zone, in the chosen language.

import { getLang } from './i18n.js';

const TIME_ZONE = 'America/Montreal';

function locale() {
  return getLang() === 'en' ? 'en-CA' : 'fr-CA';
}

/** "15 janv. 2026, 14 h 05" / "Jan 15, 2026, 2:05 p.m." for epoch ms; '' when missing. */
export function formatDateTime(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(Number(ms)));
}

/** "15 janv. 2026" / "Jan 15, 2026" for epoch ms; '' when missing. */
export function formatDate(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, dateStyle: 'medium' }).format(new Date(Number(ms)));
}

/** A <time> element for epoch ms, with its machine-readable UTC value. */
export function timeElement(ms, { withTime = true } = {}) {
  const element = document.createElement('time');
  element.dateTime = new Date(Number(ms)).toISOString();
  element.textContent = withTime ? formatDateTime(ms) : formatDate(ms);
  return element;
}

/** A calendar day "2027-03-31" as "31 mars 2027" / "Mar 31, 2027" (no time zone shift); '' when missing. */
export function formatDay(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day ?? ''));
  if (!match) return '';
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', dateStyle: 'medium' }).format(date);
}

/** A <time> element for a calendar day "YYYY-MM-DD". */
export function dayElement(day) {
  const element = document.createElement('time');
  element.dateTime = String(day);
  element.textContent = formatDay(day);
  return element;
}

/** Today in Montréal as "YYYY-MM-DD" (the default start of an authorization, the earliest end). */
export function todayInMontreal(now = Date.now()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(now));
  const part = (type) => parts.find((each) => each.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}
