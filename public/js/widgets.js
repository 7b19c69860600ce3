// Interactive pieces several pages share: tabs, a section a button opens (with its form), a
// confirmation asked in the page, a secret shown once, a search that runs as one types, and the
// copies of a <template> (a form opened under a table row).

import { translate } from './i18n.js';
import { clearErrors, focusElement, setText } from './ui.js';

/**
 * Tabs (role="tab", each aria-controls its panel): a click or the arrow keys, Home and End select
 * one (hidden tabs are skipped); the address keeps the selected tab as `hashes[tab.id]` ('' for none). Returns select(tab,
 * {focus}) and fromAddress(), which selects the tab the address names, if any.
 */
export function tabList(tabs, { hashes = {}, onSelect } = {}) {
  function select(tab, { focus = false } = {}) {
    for (const each of tabs) {
      const selected = each === tab;
      each.setAttribute('aria-selected', String(selected));
      each.tabIndex = selected ? 0 : -1;
      document.getElementById(each.getAttribute('aria-controls')).hidden = !selected;
    }
    if (focus) tab.focus();
    history.replaceState(null, '', `${location.pathname}${hashes[tab.id] ?? ''}`);
    onSelect?.(tab);
  }

  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      // A tab hidden from this person (say, a responsable's) is skipped.
      const shown = tabs.filter((each) => !each.hidden);
      const index = shown.indexOf(tab);
      const target = {
        ArrowRight: shown[(index + 1) % shown.length],
        ArrowLeft: shown[(index - 1 + shown.length) % shown.length],
        Home: shown[0],
        End: shown[shown.length - 1],
      }[event.key];
      if (!target) return;
      event.preventDefault();
      select(target, { focus: true });
    });
  }

  function fromAddress() {
    const tab = location.hash && tabs.find((each) => hashes[each.id] === location.hash && !each.hidden);
    if (tab) select(tab);
  }

  return { select, fromAddress };
}

/**
 * A button (aria-expanded) that opens and closes a section holding a form, and the form's cancel
 * button. Opening focuses the form's field `first`; closing empties the form and, unless told
 * otherwise, gives the focus back to the button.
 */
export function formDisclosure({ toggle, section, form, cancel, first }) {
  function open() {
    section.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    focusElement(form.elements[first]);
  }

  function close({ focus = true } = {}) {
    section.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    form.reset();
    clearErrors(form);
    if (focus) focusElement(toggle);
  }

  toggle.addEventListener('click', () => {
    if (section.hidden) open();
    else close();
  });
  cancel.addEventListener('click', () => close());
  return { open, close };
}

/** The element of `root` marked data-slot="name". */
export function slot(root, name) {
  return root.querySelector(`[data-slot="${name}"]`);
}

/**
 * Revoking asks first, in the form: its data-slot="confirm" box (a data-block="revoke-confirmation",
 * with its question data-slot="confirm-text") shows and the button data-action="revoke" waits.
 */
export function askConfirmation(form) {
  clearErrors(form);
  slot(form, 'confirm').hidden = false;
  form.querySelector('[data-action="revoke"]').disabled = true;
  focusElement(slot(form, 'confirm-text'));
}

/** The question goes away (cancelled, or the answer failed); the revoke button is back. */
export function dropConfirmation(form, { focus = true } = {}) {
  slot(form, 'confirm').hidden = true;
  const revoke = form.querySelector('[data-action="revoke"]');
  revoke.disabled = false;
  if (focus) focusElement(revoke);
}

/**
 * A secret shown once (a data-block="secret" section, see blocks.js): show(secret, {note}) puts it
 * in the read-only input, with `note` ([key, vars]) under it, and focuses the heading; "Copier"
 * copies it (or selects it when the clipboard refuses); the done button hides it and calls
 * `onDone()`. The secret lives only in that input until then: never stored, never shown again.
 */
export function secretBlock(section, { onDone } = {}) {
  const part = (name) => document.getElementById(`${section.id}-${name}`);
  const input = part('value');
  const copy = part('copy');
  const status = part('copy-status');
  const note = part('note');

  function show(secret, { note: message } = {}) {
    input.value = secret;
    status.replaceChildren();
    if (message) setText(note, ...message);
    else note.replaceChildren();
    note.hidden = !message;
    section.hidden = false;
    focusElement(part('heading'));
  }

  function hide() {
    input.value = '';
    status.replaceChildren();
    section.hidden = true;
  }

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      setText(status, copy.dataset.copied);
    } catch {
      input.focus();
      input.select();
      setText(status, copy.dataset.copyFailed);
    }
  });
  part('done').addEventListener('click', () => {
    hide();
    onDone?.();
  });
  return { show, hide };
}

/**
 * A search form: its field `q` searches after a pause in the typing ({typing: true}), the
 * selects `changes` as soon as they change, the submit button (or Enter) at once. Returns cancel(),
 * which drops a pending search.
 */
export function liveSearch(form, search, { changes = ['status'], delay = 350 } = {}) {
  let timer = null;
  const run = (options) => {
    clearTimeout(timer);
    search(options);
  };
  form.elements.q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run({ typing: true }), delay);
  });
  for (const name of changes) form.elements[name].addEventListener('change', () => run({}));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run({});
  });
  return { cancel: () => clearTimeout(timer) };
}

/** Gives the ids of a template's copy a prefix, and the references to them too. */
export function uniqueIds(root, prefix) {
  for (const element of root.querySelectorAll('[id]')) element.id = `${prefix}-${element.id}`;
  for (const label of root.querySelectorAll('label[for]')) label.htmlFor = `${prefix}-${label.htmlFor}`;
  for (const attribute of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
    for (const element of root.querySelectorAll(`[${attribute}]`)) {
      element.setAttribute(attribute, element.getAttribute(attribute).split(/\s+/).filter(Boolean).map((id) => `${prefix}-${id}`).join(' '));
    }
  }
}

/** A translated copy of the <template id="templateId">'s element, its ids prefixed with `id`, itself `id`. */
export function instantiate(templateId, id) {
  const copy = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  uniqueIds(copy, id);
  copy.id = id;
  translate(copy);
  return copy;
}
