// Pieces of markup several pages repeat, written once. A page puts a placeholder carrying
// `data-block` and the few things that differ (ids, dictionary keys); expandBlocks() turns it
// into the full markup before the page is translated, in the page and in its <template>s.
//
//   <div class="field" data-label="key"> <input id="x" name="n" …> </div>
//                                 a field: expandBlocks() puts before its control the label, the
//                                 hint (data-hint="key", id x-hint), the password rules (data-rules,
//                                 id x-rules) and the error paragraph (id x-error,
//                                 data-error-for="n") that ui.js fills; the control is described by
//                                 the hint and the rules.
//
//   data-block="table"            a list's table: the "Rangées X - Y de N" line (…-summary), the
//                                 scrollable region (…-wrap) with its caption and column headers,
//                                 the body (…-body), the empty message (…-empty) and previous/next
//                                 (…-pager). The placeholder is replaced by them.
//     data-name="contacts"        the prefix of those ids
//     data-columns="k1 k2 k3#id"  the column headers' keys (and an id for one of them)
//     data-caption="key"          the caption (visually hidden); or data-labelledby="id"
//     data-pages="key"            the pager's name
//     data-empty="key"            the empty message, when it never changes
//     data-parts="table empty"    fewer parts (default: summary table empty pager)
//
//   data-block="services"         on a <fieldset class="field">: the four services as checkboxes
//   data-block="level"            on a <fieldset class="field">: consultation or transmission
//     data-prefix="grant"         the prefix of the ids (none in a template: uniqueIds() adds one)
//     data-legend="key"           the legend
//     data-checked="consultation" the choice checked at first
//     data-stacked                one under the other (no checkbox group)
//
//   data-block="revoke-confirmation"
//                                 on a <div class="confirm" hidden> in a form: the question asked
//                                 before revoking (see askConfirmation() in widgets.js) and its two
//     data-confirm, data-cancel   buttons' keys
//
//   data-block="no-organisation"  on a <section id="…">: the page needs an organisation's profile;
//     data-title, data-text       its heading and explanation, with links to choose or link one
//
//   data-block="file-gone"        on a <section id="…">: the file is not (or no longer) the profile's
//
//   data-block="secret"           on a <section class="subpanel secret" id="x" hidden>: a secret shown
//                                 once (an API token, a webhook's signing secret): its heading (x-heading),
//                                 the warning (x-warning), the read-only input (x-value) with its copy
//                                 button (x-copy) and the copy's status (x-copy-status), a note
//                                 (x-note, hidden until filled), how to use it (x-usage) and the button
//                                 that hides it (x-done); secretBlock() in widgets.js runs it
//     data-heading, data-warning, data-label, data-usage, data-done
//                                 their keys; data-copied, data-copy-failed: what the copy says
//     data-level="2"              the heading's level (default 3)
//
//   data-block="webhook-fields"   a webhook endpoint's settings: its URL (x-url) and description
//     data-prefix="x"             (x-description) fields, then its events: the event types it may
//                                 ask for, as checkboxes in their groups (authorizations, contacts,
//                                 access requests), all checked. The placeholder is replaced by them.

import { EVENT_GROUPS, EVENT_KEYS } from './webhook-events.js';

/** An element: `attributes` as given (true: present without value), then its children. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children);
  return element;
}

const keyed = (tag, key, attributes = {}) => h(tag, { ...attributes, 'data-i18n': key });
const takeData = (element, names) => {
  const values = {};
  for (const name of names) {
    values[name] = element.dataset[name];
    delete element.dataset[name];
  }
  return values;
};
const linkList = (...links) => h('ul', { class: 'link-list' }, ...links.map(([href, key]) => h('li', {}, keyed('a', key, { href }))));

const CHOICES = {
  services: {
    type: 'checkbox',
    idPart: 'service',
    items: [
      ['workforce', 'workforce'],
      ['site_identification', 'site'],
      ['status_letter', 'letter'],
      ['monthly_report', 'report'],
    ].map(([value, short]) => ({ value, short, key: `service.${value}` })),
  },
  level: {
    type: 'radio',
    idPart: 'level',
    items: ['consultation', 'transmission'].map((value) => ({ value, short: value, key: `level.${value}` })),
  },
};

function choices(fieldset, name) {
  const { type, idPart, items } = CHOICES[name];
  const data = fieldset.dataset;
  const { legend } = data;
  const prefix = data.prefix ? `${data.prefix}-` : '';
  const errorId = `${prefix}${name}-error`;
  const boxes = items.map(({ value, short, key }) => {
    const id = `${prefix}${idPart}-${short}`;
    const input = h('input', { id, name, type, value, checked: data.checked === value });
    return h('div', { class: 'checkbox' }, input, keyed('label', key, { for: id }));
  });
  const stacked = 'stacked' in data;
  for (const attribute of ['prefix', 'legend', 'checked', 'stacked']) delete data[attribute];
  fieldset.setAttribute('aria-describedby', errorId);
  fieldset.replaceChildren(
    keyed('legend', legend),
    h('p', { class: 'field__error', id: errorId, 'data-error-for': name }),
    ...(stacked ? boxes : [h('div', { class: 'checkbox-group' }, ...boxes)]),
  );
}

function table(placeholder) {
  const data = placeholder.dataset;
  const name = data.name;
  const parts = new Set((data.parts || 'summary table empty pager').split(/\s+/));
  const nodes = [];
  if (parts.has('summary')) {
    // "Rangées X - Y de N enregistrements": said when it changes, and where paging puts the focus.
    nodes.push(h('p', { class: 'table-summary', id: `${name}-summary`, role: 'status', tabindex: '-1' }));
  }
  if (parts.has('table')) {
    const headers = data.columns.split(/\s+/).map((column) => {
      const [key, id] = column.split('#');
      return keyed('th', key, { scope: 'col', id });
    });
    const caption = data.caption ? keyed('caption', data.caption, { id: `${name}-caption`, class: 'visually-hidden' }) : '';
    const grid = h('table', { class: 'data-table' }, caption, h('thead', {}, h('tr', {}, ...headers)), h('tbody', { id: `${name}-body` }));
    // A region that scrolls sideways on a narrow screen, reachable with the keyboard.
    const labelledBy = data.labelledby || `${name}-caption`;
    nodes.push(h('div', { class: 'table-wrap', id: `${name}-wrap`, role: 'region', 'aria-labelledby': labelledBy, tabindex: '0' }, grid));
  }
  if (parts.has('empty')) nodes.push(h('p', { class: 'empty', id: `${name}-empty`, hidden: true, 'data-i18n': data.empty }));
  if (parts.has('pager')) {
    const button = (page, key) => keyed('button', key, {
      type: 'button', class: 'button button--secondary button--small', 'data-page': page,
    });
    nodes.push(h('nav', { class: 'pager', id: `${name}-pager`, 'data-i18n-attr': `aria-label:${data.pages}`, hidden: true },
      button('previous', 'common.previous'), button('next', 'common.next')));
  }
  placeholder.replaceWith(...nodes);
}

function revokeConfirmation(box) {
  const { confirm, cancel } = box.dataset;
  delete box.dataset.confirm;
  delete box.dataset.cancel;
  box.setAttribute('data-slot', 'confirm');
  box.replaceChildren(
    h('p', { class: 'confirm__text', tabindex: '-1', 'data-slot': 'confirm-text' }),
    h('div', { class: 'actions' },
      keyed('button', confirm, { type: 'button', class: 'button button--danger', 'data-action': 'confirm-revoke' }),
      keyed('button', cancel, { type: 'button', class: 'button button--secondary', 'data-action': 'cancel-revoke' })),
  );
}

function noOrganisation(section) {
  const { title, text } = section.dataset;
  delete section.dataset.title;
  delete section.dataset.text;
  const headingId = `${section.id}-heading`;
  section.setAttribute('aria-labelledby', headingId);
  section.replaceChildren(
    keyed('h1', title, { id: headingId, tabindex: '-1' }),
    keyed('p', text, { class: 'notice' }),
    linkList(['/profiles', 'org.choose_profile'], ['/link', 'org.link']),
  );
}

function fileGone(section) {
  const headingId = `${section.id}-heading`;
  section.setAttribute('aria-labelledby', headingId);
  section.replaceChildren(
    keyed('h1', 'file.gone_heading', { id: headingId, tabindex: '-1' }),
    keyed('p', 'file.gone', { class: 'notice' }),
    keyed('p', 'file.gone_text'),
    h('p', {}, keyed('a', 'file.back', { href: '/files' })),
  );
}

function secret(section) {
  const keys = takeData(section, ['heading', 'warning', 'label', 'usage', 'done', 'copied', 'copyFailed', 'level']);
  const id = (part) => `${section.id}-${part}`;
  section.setAttribute('aria-labelledby', id('heading'));
  section.replaceChildren(
    keyed(`h${keys.level || 3}`, keys.heading, { id: id('heading'), tabindex: '-1' }),
    keyed('p', keys.warning, { class: 'notice', id: id('warning') }),
    h('div', { class: 'field' },
      keyed('label', keys.label, { for: id('value') }),
      h('div', { class: 'secret__row' },
        h('input', {
          id: id('value'), class: 'input--secret', type: 'text', readonly: true, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': id('warning'),
        }),
        keyed('button', 'common.copy', {
          type: 'button', class: 'button button--secondary', id: id('copy'), 'data-copied': keys.copied, 'data-copy-failed': keys.copyFailed,
        })),
      h('p', { class: 'field__hint', id: id('copy-status'), role: 'status' })),
    h('p', { class: 'secret__note', id: id('note'), hidden: true }),
    keyed('p', keys.usage, { class: 'field__hint', id: id('usage') }),
    h('div', { class: 'actions' }, keyed('button', keys.done, { type: 'button', class: 'button button--primary', id: id('done') })),
  );
}

function webhookFields(placeholder) {
  const { prefix } = takeData(placeholder, ['prefix']);
  const id = (part) => `${prefix}-${part}`;
  const text = (name, label, attributes) => {
    const wrapper = h('div', { class: 'field', 'data-label': label, 'data-hint': `${label}_hint` },
      h('input', { id: id(name), name, autocomplete: 'off', ...attributes }));
    field(wrapper);
    return wrapper;
  };
  placeholder.replaceWith(
    text('url', 'webhooks.url', {
      type: 'url', inputmode: 'url', spellcheck: 'false', autocapitalize: 'none', maxlength: '2048', required: true,
    }),
    text('description', 'webhooks.description', { type: 'text', maxlength: '500' }),
    webhookEvents(id),
  );
}

function webhookEvents(id) {
  const fieldset = h('fieldset', { class: 'field' });
  const groups = EVENT_GROUPS.map(({ key, types }) => h('fieldset', { class: 'event-group' },
    keyed('legend', key),
    ...types.map((type) => {
      const boxId = id(`event-${type.replace('.', '-')}`);
      return h('div', { class: 'checkbox' },
        h('input', { id: boxId, name: 'events', type: 'checkbox', value: type, checked: true }),
        keyed('label', EVENT_KEYS[type], { for: boxId }));
    })));
  fieldset.setAttribute('aria-describedby', `${id('events-error')} ${id('events-hint')}`);
  fieldset.replaceChildren(
    keyed('legend', 'webhooks.events'),
    keyed('p', 'webhooks.events_hint', { class: 'field__hint', id: id('events-hint') }),
    h('p', { class: 'field__error', id: id('events-error'), 'data-error-for': 'events' }),
    h('div', { class: 'event-groups' }, ...groups),
  );
  return fieldset;
}

function passwordRules(id) {
  return h('div', { class: 'field__hint', id },
    keyed('p', 'password.rules_title'),
    h('ul', {}, ...['length', 'common', 'email'].map((rule) => keyed('li', `password.rule_${rule}`))));
}

function field(wrapper) {
  const { label, hint } = wrapper.dataset;
  const rules = 'rules' in wrapper.dataset;
  for (const attribute of ['label', 'hint', 'rules']) delete wrapper.dataset[attribute];
  const control = wrapper.querySelector('input, select, textarea');
  const parts = [keyed('label', label, { for: control.id })];
  const describedBy = [];
  if (hint) {
    parts.push(keyed('p', hint, { class: 'field__hint', id: `${control.id}-hint` }));
    describedBy.push(`${control.id}-hint`);
  }
  if (rules) {
    parts.push(passwordRules(`${control.id}-rules`));
    describedBy.push(`${control.id}-rules`);
  }
  parts.push(h('p', { class: 'field__error', id: `${control.id}-error`, 'data-error-for': control.name }));
  if (describedBy.length) control.setAttribute('aria-describedby', describedBy.join(' '));
  control.before(...parts);
}

const BLOCKS = {
  table,
  services: (fieldset) => choices(fieldset, 'services'),
  level: (fieldset) => choices(fieldset, 'level'),
  'revoke-confirmation': revokeConfirmation,
  'no-organisation': noOrganisation,
  'file-gone': fileGone,
  secret,
  'webhook-fields': webhookFields,
};

/** Expands every placeholder in `root` and in the <template>s it holds. */
export function expandBlocks(root = document) {
  for (const template of root.querySelectorAll('template')) expandBlocks(template.content);
  for (const wrapper of root.querySelectorAll('.field[data-label]')) field(wrapper);
  for (const placeholder of root.querySelectorAll('[data-block]')) {
    const expand = BLOCKS[placeholder.getAttribute('data-block')];
    placeholder.removeAttribute('data-block');
    expand?.(placeholder);
  }
}
