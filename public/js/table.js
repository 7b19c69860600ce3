// Tables and lists every page shares: small cell builders, the "Rangées X - Y de N
// enregistrements" line and previous/next of a list, a list the API pages by offset, and the
// details (a form) that a row's button opens under that row. The markup they fill is a
// data-block="table" (see blocks.js): `${name}-summary`, -wrap, -body, -empty, -pager.

import { get } from './api.js';
import { onLangChange } from './i18n.js';
import { $, focusElement, setRawText, setText } from './ui.js';

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

/** A dictionary word (kind, role, status…) when known, else the raw value (a code the page does not know yet). */
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

/** A row's button: its action on screen, followed by whom it acts on for screen readers. */
export function actionButton(key, name, className = 'button button--secondary button--small') {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.append(keySpan(key), textSpan(` ${name}`, 'visually-hidden'));
  return button;
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
  const to = from + (data.items?.length ?? 0) - 1;
  // A capped total: more events match than it says.
  if (data.total_capped) setText(element, 'common.rows_more', { from, to, total: data.total });
  else setText(element, 'common.rows', { from, to: Math.min(data.total, to), total: data.total });
}

/** Previous/next of an offset-paged list. */
export function renderOffsetPager(pager, data) {
  const pages = data ? Math.max(1, Math.ceil(data.total / data.page_size)) : 1;
  pager.querySelector('[data-page="previous"]').disabled = !data || data.page <= 1;
  // A list that answers a next cursor says itself whether a page follows.
  const last = data && 'next' in data ? data.next === null : !data || data.page >= pages;
  pager.hidden = !data || (pages <= 1 && last);
  pager.querySelector('[data-page="next"]').disabled = last;
}

/** After paging: keep the focus on the button used, or on the summary if it became disabled. */
export function keepPagerFocus(summary) {
  const active = document.activeElement;
  if (!active || active === document.body || active.disabled) focusElement(summary);
}

/**
 * A list the API pages by offset ({items, total, page, page_size}) in the table `name`, with its
 * alert `${name}-alert` when there is one. One request at a time counts (the answer to an older
 * one is dropped); a page past the end (the list shrank meanwhile) gives way to the last one;
 * previous/next keep the focus; a change of language shows the rows again in that language.
 *
 * options: url, filters() (query parameters besides page and page_size; empty ones left out),
 * pageSize, row(item) → <tr>, emptyKey() (when the empty message depends on the filters),
 * onError(result) (the API's refusal), onLoad(data) (before the rows are shown), afterRender(items),
 * beforePage() (when previous/next is used).
 */
export class OffsetList {
  constructor(name, { url, filters = () => ({}), pageSize = 25, row, emptyKey, onError, onLoad, afterRender, beforePage }) {
    Object.assign(this, { url, filters, pageSize, row, emptyKey, onError, onLoad, afterRender });
    this.page = 1;
    this.cursors = [];
    this.data = null;
    this.request = 0;
    for (const part of ['wrap', 'body', 'empty', 'summary', 'pager', 'alert']) this[part] = $(`${name}-${part}`);
    this.pager.addEventListener('click', async (event) => {
      const button = event.target.closest('[data-page]');
      if (!button || button.disabled) return;
      if (button.dataset.page === 'next') {
        // Where the next page starts, when the API pages by cursor: it then reads only its rows.
        this.cursors[this.page - 1] = this.data?.next ?? undefined;
        this.page += 1;
      } else {
        this.page -= 1;
      }
      beforePage?.();
      await this.load();
      keepPagerFocus(this.summary);
    });
    onLangChange(() => {
      if (this.data) this.render();
    });
  }

  /** Loads the current page and shows it; true when shown. */
  async load() {
    const mine = ++this.request;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(this.filters())) {
      if (value !== '' && value !== null && value !== undefined) params.set(key, String(value));
    }
    const cursor = this.page > 1 ? this.cursors[this.page - 2] : undefined;
    if (cursor) params.set('after', cursor);
    else params.set('page', String(this.page));
    params.set('page_size', String(this.pageSize));
    this.wrap.setAttribute('aria-busy', 'true');
    const result = await get(`${this.url}?${params}`);
    if (mine !== this.request) return false;
    this.wrap.removeAttribute('aria-busy');
    this.alert?.replaceChildren();
    if (!result.ok) {
      this.onError(result);
      return false;
    }
    const lastPage = Math.max(1, Math.ceil((result.data.total ?? 0) / (result.data.page_size || this.pageSize)));
    if ((result.data.items?.length ?? 0) === 0 && result.data.total > 0 && this.page > lastPage) {
      this.page = lastPage;
      return this.load();
    }
    this.data = result.data.page === null ? { ...result.data, page: this.page } : result.data;
    this.onLoad?.(this.data);
    this.render();
    return true;
  }

  render() {
    const items = this.data?.items ?? [];
    this.body.replaceChildren(...items.map(this.row));
    this.wrap.hidden = items.length === 0;
    this.empty.hidden = items.length > 0;
    if (this.emptyKey) setText(this.empty, this.emptyKey());
    renderOffsetRows(this.summary, this.data);
    renderOffsetPager(this.pager, this.data);
    this.afterRender?.(items);
  }
}

/**
 * The details of one row (a form to change it, say) opened under it by the row's button
 * `data-${name}="<id>"` (aria-expanded, aria-controls "<name>-<id>"); one open at a time. Closing
 * gives the focus back to that button; when the table is shown again, the details stay open if
 * their item is still there and `keep(item)` allows it.
 *
 * options: find(id) → the item, build(item) → {row, heading} (the <tr class="manage-row"> and
 * what takes the focus), keep(item).
 */
export class RowDetails {
  constructor(body, name, { find, build, keep = () => true }) {
    Object.assign(this, { body, name, find, build, keep });
    this.openId = null;
  }

  toggleOf(id) {
    return this.body.querySelector(`[data-${this.name}="${CSS.escape(id)}"]`);
  }

  /** The row's button that opens and closes the details of `item`. */
  button(item, key, label) {
    const button = actionButton(key, label);
    button.setAttribute(`data-${this.name}`, item.id);
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', `${this.name}-${item.id}`);
    button.addEventListener('click', () => this.toggle(item.id));
    return button;
  }

  close({ focus = true } = {}) {
    const id = this.openId;
    this.openId = null;
    for (const row of this.body.querySelectorAll('.manage-row')) row.remove();
    for (const button of this.body.querySelectorAll(`[data-${this.name}]`)) button.setAttribute('aria-expanded', 'false');
    if (focus && id) focusElement(this.toggleOf(id));
  }

  toggle(id) {
    if (this.openId === id) {
      this.close();
      return;
    }
    const item = this.find(id);
    if (item) this.open(item, { focus: true });
  }

  open(item, { focus }) {
    this.close({ focus: false });
    this.openId = item.id;
    const row = this.toggleOf(item.id)?.closest('tr');
    if (!row) return;
    const details = this.build(item);
    row.after(details.row);
    row.querySelector(`[data-${this.name}]`)?.setAttribute('aria-expanded', 'true');
    if (focus) focusElement(details.heading);
  }

  /** After the rows were shown again: the details open again under their row, if still there. */
  refresh(items) {
    if (!this.openId) return;
    const item = items.find((each) => each.id === this.openId && this.keep(each));
    if (item) this.open(item, { focus: false });
    else this.openId = null;
  }

  forget() {
    this.openId = null;
  }
}
