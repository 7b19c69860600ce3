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
