// "Mon organisation" (/organisation): the organisation of the active profile, its contacts, its
// activity log and its API tokens. Everyone linked to it sees the contact inventory (search,
// status filter, paging); a responsable also invites contacts and, per contact, changes the role,
// resends the link credentials of an invited contact, or revokes (after a confirmation in the
// page). In an employer's organisation, the responsable also says which members may manage the
// employer's authorizations ("Peut gérer les autorisations"; responsables always may).
// Only responsables see the activity log (filters by type of action and dates, CSV export with the
// same filters) and the API tokens (create with name, scopes and expiry — the secret is shown once
// with a copy button —, list by prefix and last use, revoke after a confirmation).
// Without an organisation profile the API answers 403 organisation_profile_required, and the page
// explains how to get one.

import { del, get, patch, post } from './api.js';
import { dayElement, formatDate, timeElement, todayInMontreal } from './format.js';
import { onLangChange, translate } from './i18n.js';
import { KIND_KEYS, ROLE_KEYS, wordSpan } from './profile.js';
import { startSession } from './session.js';
import {
  clearErrors, focusElement, initPage, isBusy, reportClientErrors, requireFilled, setBusy, setFieldError, setRawText,
  setText, showAlert, showApiError, t,
} from './ui.js';

initPage('org.title');

const PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 350;

const STATUS_KEYS = { invited: 'org.status.invited', linked: 'org.status.linked', revoked: 'org.status.revoked' };
const CREDENTIAL_KEYS = {
  sent: 'org.credential.sent',
  used: 'org.credential.used',
  expired: 'org.credential.expired',
  locked: 'org.credential.locked',
  none: 'org.credential.none',
};
// The audit actions the page puts into words; any other is shown with its code.
const AUDIT_KEYS = {
  'organisation.created': 'audit.organisation_created',
  'contact.invited': 'audit.contact_invited',
  'contact.linked': 'audit.contact_linked',
  'link.succeeded': 'audit.contact_linked',
  'link.linked': 'audit.contact_linked',
  'contact.role_changed': 'audit.contact_role_changed',
  'contact.revoked': 'audit.contact_revoked',
  'link_credentials.issued': 'audit.credentials_sent',
  'link_credentials.sent': 'audit.credentials_sent',
  'contact.credentials_sent': 'audit.credentials_sent',
  'link_credentials.reissued': 'audit.credentials_reissued',
  'contact.credentials_reissued': 'audit.credentials_reissued',
  'link.failed': 'audit.link_failed',
  'link.code_invalid': 'audit.link_failed',
  'link.locked': 'audit.link_locked',
  'link_credentials.locked': 'audit.link_locked',
  'link.known_facts_requested': 'audit.known_facts_requested',
  'known_facts.requested': 'audit.known_facts_requested',
  'link.known_facts_sent': 'audit.known_facts_requested',
  'profile.selected': 'audit.profile_selected',
  'session.profile_changed': 'audit.profile_selected',
  'contact.authorizations_role_changed': 'audit.manages_changed',
  'authorization.granted': 'audit.authorization_granted',
  'authorization.changed': 'audit.authorization_changed',
  'authorization.revoked': 'audit.authorization_revoked',
  'authorization.confirmed': 'audit.authorization_confirmed',
  'access_request.created': 'audit.access_requested',
  'access_request.approved': 'audit.access_approved',
  'access_request.declined': 'audit.access_declined',
  'access_request.cancelled': 'audit.access_cancelled',
  'token.created': 'audit.token_created',
  'token.revoked': 'audit.token_revoked',
};

const TOKEN_STATE_KEYS = { active: 'tokens.state.active', expired: 'tokens.state.expired', revoked: 'tokens.state.revoked' };
const SCOPE_KEYS = { 'authorized_files:read': 'tokens.scope.authorized_files', 'contacts:read': 'tokens.scope.contacts' };
// The tokens' default lifetime in the form, and the longest the API accepts.
const TOKEN_DEFAULT_DAYS = 90;
const TOKEN_MAX_DAYS = 365;

const main = document.getElementById('main');
const $ = (id) => document.getElementById(id);

const state = {
  organisation: null,
  role: null,
  contacts: { q: '', status: '', page: 1, data: null, request: 0 },
  audit: { page: 1, data: null, request: 0, loaded: false, filters: { action: '', from: '', to: '' } },
  tokens: { data: null, request: 0, revoking: null },
  openContactId: null,
};

const isResponsable = () => state.role === 'responsable';
const fullName = (contact) => `${contact.first_name ?? ''} ${contact.last_name ?? ''}`.trim();

// ---- Small builders ----

function cell(tag = 'td', ...children) {
  const element = document.createElement(tag);
  element.append(...children);
  return element;
}

function textSpan(text, className) {
  const element = document.createElement('span');
  if (className) element.className = className;
  element.textContent = text;
  return element;
}

function keySpan(key, vars, className) {
  const element = document.createElement('span');
  if (className) element.className = className;
  setText(element, key, vars);
  return element;
}

/** An email address that may wrap before "@" rather than anywhere. */
function emailSpan(email, className = 'cell-email') {
  const element = document.createElement('span');
  element.className = className;
  String(email ?? '').split(/(?=@)/).forEach((part, index) => {
    if (index > 0) element.append(document.createElement('wbr'));
    element.append(part);
  });
  return element;
}

/** "—" on screen, a word for screen readers. */
function nothing(key = 'common.none') {
  const wrapper = document.createElement('span');
  const dash = textSpan('—');
  dash.setAttribute('aria-hidden', 'true');
  wrapper.append(dash, keySpan(key, undefined, 'visually-hidden'));
  return wrapper;
}

function badge(keys, value) {
  const element = wordSpan(keys, value, `badge badge--${String(value).replace(/[^a-z_]/g, '')}`);
  return element;
}

function renderSummary(element, data) {
  if (!data || !data.total) {
    setText(element, 'common.no_rows');
    return;
  }
  const from = (data.page - 1) * data.page_size + 1;
  const to = Math.min(data.total, from + data.items.length - 1);
  setText(element, 'common.rows', { from, to, total: data.total });
}

function renderPager(pager, data) {
  const pages = data ? Math.max(1, Math.ceil(data.total / data.page_size)) : 1;
  pager.hidden = !data || pages <= 1;
  pager.querySelector('[data-page="previous"]').disabled = !data || data.page <= 1;
  pager.querySelector('[data-page="next"]').disabled = !data || data.page >= pages;
}

/** After paging: keep the focus on the button used, or on the summary if it became disabled. */
function keepPagerFocus(summary) {
  const active = document.activeElement;
  if (!active || active === document.body || active.disabled) focusElement(summary);
}

// ---- The organisation ----

function showNoOrganisation() {
  // Focus moves only when the page was showing an organisation (the profile lost access meanwhile).
  const focus = !$('org-view').hidden;
  $('org-loading').hidden = true;
  $('org-view').hidden = true;
  $('org-none').hidden = false;
  if (focus) focusElement($('org-none-heading'));
}

/** Handles answers every organisation route may give; true when handled. */
function handledCommonError(result) {
  if (result.status === 401) {
    location.replace('/');
    return true;
  }
  if (result.status === 403 && result.error.code === 'organisation_profile_required') {
    showNoOrganisation();
    return true;
  }
  return false;
}

function renderOrganisation() {
  const { organisation } = state;
  setRawText($('org-name'), organisation.name);
  const kind = $('org-kind');
  if (KIND_KEYS[organisation.kind]) setText(kind, KIND_KEYS[organisation.kind]);
  else setRawText(kind, organisation.kind ?? '');
  setText($('org-file'), 'org.file_number', { number: organisation.file_number });
  const role = $('org-role');
  if (ROLE_KEYS[state.role]) setText(role, ROLE_KEYS[state.role]);
  else setRawText(role, state.role ?? '');

  $('invite-block').hidden = !isResponsable();
  $('org-readonly').hidden = isResponsable();
  $('contacts-actions-col').hidden = !isResponsable();
  if (!isResponsable()) closeInvite({ focus: false });
  // The activity log and the API tokens are the responsables'.
  for (const tab of document.querySelectorAll('[data-responsable-only]')) tab.hidden = !isResponsable();
  if (!isResponsable() && selectedTab() !== $('tab-contacts')) selectTab($('tab-contacts'));
}

async function loadOrganisation() {
  const result = await get('/api/organisation');
  if (!result.ok) {
    if (handledCommonError(result)) return false;
    $('org-loading').hidden = true;
    showAlert(main, [[{ key: 'common.load_failed' }, result.error.message]]);
    return false;
  }
  state.organisation = result.data.organisation;
  state.role = result.data.role;
  renderOrganisation();
  $('org-loading').hidden = true;
  $('org-none').hidden = true;
  $('org-view').hidden = false;
  return true;
}

// ---- Tabs ----

const tabs = [$('tab-contacts'), $('tab-audit'), $('tab-tokens')];
// Each tab's address, so a link (or a reload) opens it again.
const TAB_HASHES = { 'tab-audit': '#journal', 'tab-tokens': '#jetons' };

const selectedTab = () => tabs.find((tab) => tab.getAttribute('aria-selected') === 'true');

function selectTab(tab, { focus = false } = {}) {
  for (const each of tabs) {
    const selected = each === tab;
    each.setAttribute('aria-selected', String(selected));
    each.tabIndex = selected ? 0 : -1;
    $(each.getAttribute('aria-controls')).hidden = !selected;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', TAB_HASHES[tab.id] ?? location.pathname);
  if (tab.id === 'tab-audit') loadAudit();
  if (tab.id === 'tab-tokens') loadTokens();
}

for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (event) => {
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
    selectTab(target, { focus: true });
  });
}

// ---- Contacts ----

const isEmployer = () => state.organisation?.kind === 'employer';

function roleCell(contact) {
  const role = cell('td', wordSpan(ROLE_KEYS, contact.role, 'cell-main'));
  if (isEmployer() && contact.role !== 'responsable' && contact.manages_authorizations) {
    role.append(keySpan('org.manages_badge', undefined, 'cell-detail'));
  }
  return role;
}

function contactRow(contact) {
  const row = document.createElement('tr');
  row.dataset.contactId = contact.id;

  const name = cell('th', textSpan(fullName(contact)));
  name.scope = 'row';

  const account = contact.linked_user?.email
    ? cell('td', emailSpan(contact.linked_user.email, 'cell-main cell-email'),
      ...(contact.linked_at ? [keySpan('org.linked_on', { date: formatDate(contact.linked_at) }, 'cell-detail')] : []))
    : cell('td', nothing());

  const activity = contact.last_activity_at ? cell('td', timeElement(contact.last_activity_at)) : cell('td', nothing('org.no_activity'));

  const credential = contact.credential ?? { state: 'none' };
  const credentialCell = cell('td', badge(CREDENTIAL_KEYS, credential.state));
  if (credential.state === 'sent' && credential.expires_at) {
    credentialCell.append(keySpan('org.credential_expires', { date: formatDate(credential.expires_at) }, 'cell-detail'));
  }

  row.append(
    name,
    cell('td', emailSpan(contact.email)),
    roleCell(contact),
    cell('td', badge(STATUS_KEYS, contact.status)),
    account,
    activity,
    credentialCell,
  );

  if (isResponsable()) {
    const actions = cell('td');
    if (contact.status !== 'revoked') {
      const manage = document.createElement('button');
      manage.type = 'button';
      manage.className = 'button button--secondary button--small';
      manage.dataset.manage = contact.id;
      manage.setAttribute('aria-expanded', 'false');
      manage.setAttribute('aria-controls', `manage-${contact.id}`);
      manage.append(keySpan('org.manage'), textSpan(` ${fullName(contact)}`, 'visually-hidden'));
      manage.addEventListener('click', () => toggleManage(contact.id));
      actions.append(manage);
    } else {
      actions.append(nothing());
    }
    row.append(actions);
  }
  return row;
}

function renderContacts() {
  const data = state.contacts.data;
  const body = $('contacts-body');
  body.replaceChildren();
  const items = data?.items ?? [];
  for (const contact of items) body.append(contactRow(contact));
  const empty = $('contacts-empty');
  empty.hidden = items.length > 0;
  setText(empty, state.contacts.q || state.contacts.status ? 'org.empty_search' : 'org.empty');
  $('contacts-wrap').hidden = items.length === 0;
  renderSummary($('contacts-summary'), data);
  renderPager($('contacts-pager'), data);
  if (state.openContactId) {
    const contact = items.find((each) => each.id === state.openContactId && each.status !== 'revoked');
    if (contact) openManage(contact, { focus: false });
    else state.openContactId = null;
  }
}

async function loadContacts() {
  const request = ++state.contacts.request;
  const { q, status, page } = state.contacts;
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
  if (q) params.set('q', q);
  if (status) params.set('status', status);
  $('contacts-wrap').setAttribute('aria-busy', 'true');
  const result = await get(`/api/organisation/members?${params}`);
  if (request !== state.contacts.request) return false;
  $('contacts-wrap').removeAttribute('aria-busy');
  const alert = $('contacts-alert');
  alert.replaceChildren();
  if (!result.ok) {
    if (handledCommonError(result)) return false;
    showAlert($('panel-contacts'), [result.error.message]);
    return false;
  }
  state.contacts.data = result.data;
  // Past the last page (a contact was revoked, a filter changed): show the last page instead.
  const lastPage = Math.max(1, Math.ceil((result.data.total ?? 0) / (result.data.page_size || PAGE_SIZE)));
  if (result.data.items?.length === 0 && result.data.total > 0 && page > lastPage) {
    state.contacts.page = lastPage;
    return loadContacts();
  }
  renderContacts();
  return true;
}

const searchForm = $('search-form');
let searchTimer = null;

function search() {
  clearTimeout(searchTimer);
  const q = searchForm.elements.q.value.trim();
  const status = searchForm.elements.status.value;
  if (q === state.contacts.q && status === state.contacts.status && state.contacts.data) return;
  state.contacts.q = q;
  state.contacts.status = status;
  state.contacts.page = 1;
  state.openContactId = null;
  loadContacts();
}

searchForm.elements.q.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, SEARCH_DELAY_MS);
});
searchForm.elements.status.addEventListener('change', search);
searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  search();
});

$('contacts-pager').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-page]');
  if (!button || button.disabled) return;
  state.contacts.page += button.dataset.page === 'next' ? 1 : -1;
  state.openContactId = null;
  await loadContacts();
  keepPagerFocus($('contacts-summary'));
});

// ---- Managing one contact (responsable) ----

function closeManage({ focus = true } = {}) {
  const id = state.openContactId;
  state.openContactId = null;
  for (const row of document.querySelectorAll('.manage-row')) row.remove();
  for (const button of document.querySelectorAll('[data-manage]')) button.setAttribute('aria-expanded', 'false');
  if (focus && id) focusElement(document.querySelector(`[data-manage="${CSS.escape(id)}"]`));
}

function toggleManage(id) {
  if (state.openContactId === id) {
    closeManage();
    return;
  }
  const contact = state.contacts.data?.items?.find((each) => each.id === id);
  if (contact) openManage(contact, { focus: true });
}

function slot(root, name) {
  return root.querySelector(`[data-slot="${name}"]`);
}

function openManage(contact, { focus }) {
  closeManage({ focus: false });
  state.openContactId = contact.id;
  const row = document.querySelector(`tr[data-contact-id="${CSS.escape(contact.id)}"]`);
  if (!row) return;
  const manageRow = $('manage-template').content.firstElementChild.cloneNode(true);
  manageRow.id = `manage-${contact.id}`;
  translate(manageRow);
  const form = manageRow.querySelector('form');
  const name = fullName(contact);

  const heading = slot(form, 'heading');
  heading.id = `manage-${contact.id}-heading`;
  form.setAttribute('aria-labelledby', heading.id);
  setText(heading, 'org.manage_heading', { name });

  const select = slot(form, 'role');
  select.id = `manage-${contact.id}-role`;
  select.value = contact.role;
  slot(form, 'role-label').htmlFor = select.id;
  slot(form, 'role-error').id = `manage-${contact.id}-role-error`;

  const manages = slot(form, 'manages');
  manages.id = `manage-${contact.id}-manages`;
  manages.checked = Boolean(contact.manages_authorizations);
  slot(form, 'manages-label').htmlFor = manages.id;
  slot(form, 'manages-error').id = `manage-${contact.id}-manages-error`;
  slot(form, 'manages-hint').id = `manage-${contact.id}-manages-hint`;
  manages.setAttribute('aria-describedby', slot(form, 'manages-hint').id);
  slot(form, 'manages-block').hidden = !isEmployer() || contact.role === 'responsable';

  slot(form, 'resend-block').hidden = contact.status !== 'invited';
  setText(slot(form, 'resend-text'), 'org.resend_text', { email: contact.email });
  setText(slot(form, 'confirm-text'), 'org.revoke_confirm_text', { name });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    changeRole(form, contact);
  });
  form.addEventListener('click', (event) => {
    const button = event.target.closest('[data-action]');
    if (!button || button.disabled) return;
    const action = button.dataset.action;
    if (action === 'close') closeManage();
    else if (action === 'resend') resend(form, button, contact);
    else if (action === 'manages') changeManages(form, button, contact);
    else if (action === 'revoke') askRevoke(form);
    else if (action === 'cancel-revoke') cancelRevoke(form);
    else if (action === 'confirm-revoke') revoke(form, button, contact);
  });

  row.after(manageRow);
  row.querySelector('[data-manage]')?.setAttribute('aria-expanded', 'true');
  if (focus) focusElement(heading);
}

function askRevoke(form) {
  clearErrors(form);
  slot(form, 'confirm').hidden = false;
  form.querySelector('[data-action="revoke"]').disabled = true;
  focusElement(slot(form, 'confirm-text'));
}

function cancelRevoke(form) {
  slot(form, 'confirm').hidden = true;
  const revokeButton = form.querySelector('[data-action="revoke"]');
  revokeButton.disabled = false;
  focusElement(revokeButton);
}

const CONTACT_HINTS = {
  last_responsable: { key: 'org.hint_last_responsable' },
};

/** After a change: say what happened, show the list as it is now, focus the contact's button. */
async function afterChange(contact, statusKey, vars) {
  const status = $('contacts-status');
  status.replaceChildren(keySpan(statusKey, vars));
  closeManage({ focus: false });
  // The person's own role may have changed: the organisation answer says what they may do now.
  if (!(await loadOrganisation())) return;
  await loadContacts();
  const button = document.querySelector(`[data-manage="${CSS.escape(contact.id)}"]`);
  focusElement(button ?? status);
}

// The contact or the person's rights changed meanwhile (elsewhere, by someone else): the list
// and the page are shown again as they are now, with the API's explanation above the list.
const STALE = new Set(['responsable_required', 'not_found', 'contact_linked', 'contact_revoked']);

async function onContactError(form, result) {
  if (handledCommonError(result)) return;
  if (STALE.has(result.error.code)) {
    closeManage({ focus: false });
    if (await loadOrganisation()) await loadContacts();
    showAlert($('panel-contacts'), [result.error.message]);
    return;
  }
  const hint = CONTACT_HINTS[result.error.code];
  showApiError(form, result.error, hint ? [hint] : []);
}

async function changeRole(form, contact) {
  if (isBusy(form)) return;
  clearErrors(form);
  const role = form.elements.role.value;
  if (role === contact.role) {
    setFieldError(form, 'role', { key: 'org.role_unchanged' });
    reportClientErrors(form);
    return;
  }
  const submit = form.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await patch(`/api/organisation/members/${encodeURIComponent(contact.id)}`, { role });
  setBusy(submit, false);
  if (result.ok) {
    await afterChange(contact, 'org.role_changed', { name: fullName(contact), role: t(ROLE_KEYS[role]) });
    return;
  }
  await onContactError(form, result);
}

async function changeManages(form, button, contact) {
  if (isBusy(form)) return;
  clearErrors(form);
  const value = form.elements.manages_authorizations.checked;
  if (value === Boolean(contact.manages_authorizations)) {
    setFieldError(form, 'manages_authorizations', { key: 'org.manages_unchanged' });
    reportClientErrors(form);
    return;
  }
  setBusy(button, true);
  const result = await patch(`/api/organisation/members/${encodeURIComponent(contact.id)}`, { manages_authorizations: value });
  setBusy(button, false);
  if (result.ok) {
    await afterChange(contact, value ? 'org.manages_on' : 'org.manages_off', { name: fullName(contact) });
    return;
  }
  await onContactError(form, result);
}

async function resend(form, button, contact) {
  if (isBusy(form)) return;
  clearErrors(form);
  setBusy(button, true);
  const result = await post(`/api/organisation/members/${encodeURIComponent(contact.id)}/link-credentials`, {});
  setBusy(button, false);
  if (result.ok) {
    await afterChange(contact, 'org.resent', { email: result.data?.contact?.email ?? contact.email });
    return;
  }
  await onContactError(form, result);
}

async function revoke(form, button, contact) {
  if (isBusy(form)) return;
  clearErrors(form);
  setBusy(button, true);
  const result = await del(`/api/organisation/members/${encodeURIComponent(contact.id)}`, {});
  setBusy(button, false);
  if (result.ok) {
    await afterChange(contact, 'org.revoked', { name: fullName(contact) });
    return;
  }
  slot(form, 'confirm').hidden = true;
  form.querySelector('[data-action="revoke"]').disabled = false;
  await onContactError(form, result);
}

// ---- Inviting (responsable) ----

const inviteToggle = $('invite-toggle');
const inviteSection = $('invite-section');
const inviteForm = $('invite-form');

function openInvite() {
  inviteSection.hidden = false;
  inviteToggle.setAttribute('aria-expanded', 'true');
  focusElement(inviteForm.elements.first_name);
}

function closeInvite({ focus = true } = {}) {
  inviteSection.hidden = true;
  inviteToggle.setAttribute('aria-expanded', 'false');
  inviteForm.reset();
  clearErrors(inviteForm);
  if (focus) focusElement(inviteToggle);
}

inviteToggle.addEventListener('click', () => {
  if (inviteSection.hidden) openInvite();
  else closeInvite();
});
$('invite-cancel').addEventListener('click', () => closeInvite());

inviteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (isBusy(inviteForm)) return;
  clearErrors(inviteForm);
  if (!requireFilled(inviteForm, ['first_name', 'last_name', 'email'])) {
    reportClientErrors(inviteForm);
    return;
  }
  const invitation = {
    first_name: inviteForm.elements.first_name.value.trim(),
    last_name: inviteForm.elements.last_name.value.trim(),
    email: inviteForm.elements.email.value.trim(),
    role: inviteForm.elements.role.value,
  };
  const submit = inviteForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post('/api/organisation/members', invitation);
  setBusy(submit, false);
  if (result.ok) {
    closeInvite({ focus: false });
    $('contacts-status').replaceChildren(keySpan('org.invited', { email: result.data?.contact?.email ?? invitation.email }));
    state.openContactId = null;
    await loadContacts();
    focusElement(inviteToggle);
    return;
  }
  if (handledCommonError(result)) return;
  const { error } = result;
  if (error.code === 'contact_exists' && !error.fields) {
    setFieldError(inviteForm, 'email', error.message);
    showAlert(inviteForm, [error.message, { key: 'org.hint_contact_exists' }], { focus: false });
    focusElement(inviteForm.elements.email);
    return;
  }
  if (error.code === 'responsable_required') {
    closeInvite({ focus: false });
    if (await loadOrganisation()) await loadContacts();
    showAlert($('panel-contacts'), [error.message]);
    return;
  }
  showApiError(inviteForm, error);
});

// ---- Activity log ----

function auditRow(event) {
  const row = document.createElement('tr');
  const key = AUDIT_KEYS[event.action];
  const action = cell('td', key ? keySpan(key, undefined, 'cell-main') : keySpan('audit.other', { code: event.action }, 'cell-main'));
  if (event.action.startsWith('token.') && event.details?.name) {
    action.append(textSpan(`${event.details.name} (${event.details.prefix ?? ''}…)`, 'cell-detail'));
  }
  if (event.counterpart) action.append(keySpan('audit.counterpart', { name: event.counterpart }, 'cell-detail'));
  const actor = event.actor
    ? cell('td', textSpan(event.actor.name || event.actor.email || '', 'cell-main'),
      ...(event.actor.name && event.actor.email ? [emailSpan(event.actor.email, 'cell-detail cell-email')] : []))
    : cell('td', keySpan('org.audit_system'));
  const subject = event.subject?.name ? cell('td', textSpan(event.subject.name)) : cell('td', nothing());
  const date = cell('th', timeElement(event.at));
  date.scope = 'row';
  row.append(date, action, actor, subject);
  return row;
}

function renderAudit() {
  const data = state.audit.data;
  const items = data?.items ?? [];
  const body = $('audit-body');
  body.replaceChildren();
  for (const event of items) body.append(auditRow(event));
  $('audit-empty').hidden = items.length > 0;
  $('audit-wrap').hidden = items.length === 0;
  renderSummary($('audit-summary'), data);
  renderPager($('audit-pager'), data);
}

/** The applied filters of the log as query parameters (the list's and the export's). */
function auditFilterParams() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.audit.filters)) if (value) params.set(name, value);
  return params;
}

async function loadAudit() {
  const request = ++state.audit.request;
  const params = auditFilterParams();
  params.set('page', String(state.audit.page));
  params.set('page_size', String(PAGE_SIZE));
  $('audit-wrap').setAttribute('aria-busy', 'true');
  const result = await get(`/api/organisation/audit?${params}`);
  if (request !== state.audit.request) return false;
  $('audit-wrap').removeAttribute('aria-busy');
  $('audit-alert').replaceChildren();
  if (!result.ok) {
    if (handledCommonError(result)) return false;
    if (result.error.code === 'responsable_required') {
      await loadOrganisation();
      showAlert($('panel-contacts'), [result.error.message]);
      return false;
    }
    if (result.status === 422) showApiError(auditFilters, result.error);
    else showAlert($('panel-audit'), [result.error.message]);
    return false;
  }
  state.audit.data = result.data;
  state.audit.loaded = true;
  $('audit-export').href = `/api/organisation/audit.csv?${auditFilterParams()}`;
  renderAudit();
  return true;
}

const auditFilters = $('audit-filters');

auditFilters.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(auditFilters);
  const filters = {
    action: auditFilters.elements.action.value,
    from: auditFilters.elements.from.value,
    to: auditFilters.elements.to.value,
  };
  if (filters.from && filters.to && filters.to < filters.from) {
    setFieldError(auditFilters, 'to', { key: 'audit.to_before_from' });
    reportClientErrors(auditFilters);
    return;
  }
  state.audit.filters = filters;
  state.audit.page = 1;
  if (await loadAudit()) focusElement($('audit-summary'));
});
auditFilters.elements.action.addEventListener('change', () => auditFilters.requestSubmit());

$('audit-pager').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-page]');
  if (!button || button.disabled) return;
  state.audit.page += button.dataset.page === 'next' ? 1 : -1;
  await loadAudit();
  keepPagerFocus($('audit-summary'));
});

// ---- API tokens (responsable) ----

/** `day` ("YYYY-MM-DD") moved by `n` calendar days. */
function addDays(day, n) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

function tokenRow(token) {
  const row = document.createElement('tr');
  row.dataset.tokenId = token.id;
  const name = cell('th', textSpan(token.name, 'cell-main'));
  if (token.created_by) name.append(keySpan('tokens.created_by', { email: token.created_by }, 'cell-detail'));
  name.scope = 'row';
  const prefix = cell('td', textSpan(`${token.prefix}…`, 'cell-code'));
  const scopes = cell('td');
  const list = document.createElement('ul');
  list.className = 'cell-list';
  for (const scope of token.scopes ?? []) {
    const item = document.createElement('li');
    item.append(SCOPE_KEYS[scope] ? keySpan(SCOPE_KEYS[scope]) : textSpan(scope));
    list.append(item);
  }
  scopes.append(list);
  const expires = cell('td', dayElement(token.expires_on));
  const lastUse = token.last_used_at ? cell('td', timeElement(token.last_used_at)) : cell('td', nothing('tokens.never_used'));
  const stateCell = cell('td', wordSpan(TOKEN_STATE_KEYS, token.state, `badge badge--${String(token.state).replace(/[^a-z_]/g, '')}`));
  if (token.revoked_at) stateCell.append(keySpan('tokens.revoked_on', { date: formatDate(token.revoked_at) }, 'cell-detail'));
  const actions = cell('td');
  if (token.state === 'active') {
    const revoke = document.createElement('button');
    revoke.type = 'button';
    revoke.className = 'button button--danger button--small';
    revoke.dataset.revokeToken = token.id;
    revoke.setAttribute('aria-controls', 'token-confirm');
    revoke.append(keySpan('tokens.revoke'), textSpan(` ${token.name}`, 'visually-hidden'));
    revoke.addEventListener('click', () => askRevokeToken(token));
    actions.append(revoke);
  } else {
    actions.append(nothing());
  }
  row.append(name, prefix, scopes, expires, lastUse, stateCell, actions);
  return row;
}

function renderTokens() {
  const items = state.tokens.data?.items ?? [];
  const body = $('tokens-body');
  body.replaceChildren();
  for (const token of items) body.append(tokenRow(token));
  $('tokens-empty').hidden = items.length > 0;
  $('tokens-wrap').hidden = items.length === 0;
  const summary = $('tokens-summary');
  if (items.length) setText(summary, 'tokens.rows', { n: items.length });
  else summary.replaceChildren();
}

async function loadTokens() {
  const request = ++state.tokens.request;
  $('tokens-wrap').setAttribute('aria-busy', 'true');
  const result = await get('/api/organisation/tokens');
  if (request !== state.tokens.request) return false;
  $('tokens-wrap').removeAttribute('aria-busy');
  if (!result.ok) {
    if (await handledTokenError(result)) return false;
    showAlert($('panel-tokens'), [result.error.message]);
    return false;
  }
  state.tokens.data = result.data;
  renderTokens();
  return true;
}

/** The person is no longer a responsable (or lost the organisation): the page shows what they may do now. */
async function handledTokenError(result) {
  if (handledCommonError(result)) return true;
  if (result.error.code === 'responsable_required') {
    await loadOrganisation();
    showAlert($('panel-contacts'), [result.error.message]);
    return true;
  }
  return false;
}

const tokenToggle = $('token-create-toggle');
const tokenSection = $('token-create-section');
const tokenForm = $('token-form');

function openTokenForm() {
  hideSecret();
  tokenForm.reset();
  clearErrors(tokenForm);
  const today = todayInMontreal();
  const expires = tokenForm.elements.expires_on;
  expires.min = today;
  expires.max = addDays(today, TOKEN_MAX_DAYS);
  expires.value = addDays(today, TOKEN_DEFAULT_DAYS);
  for (const box of tokenForm.querySelectorAll('input[name="scopes"]')) box.checked = true;
  tokenSection.hidden = false;
  tokenToggle.setAttribute('aria-expanded', 'true');
  focusElement(tokenForm.elements.name);
}

function closeTokenForm({ focus = true } = {}) {
  tokenSection.hidden = true;
  tokenToggle.setAttribute('aria-expanded', 'false');
  tokenForm.reset();
  clearErrors(tokenForm);
  if (focus) focusElement(tokenToggle);
}

tokenToggle.addEventListener('click', () => {
  if (tokenSection.hidden) openTokenForm();
  else closeTokenForm();
});
$('token-cancel').addEventListener('click', () => closeTokenForm());

tokenForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (isBusy(tokenForm)) return;
  clearErrors(tokenForm);
  $('tokens-status').replaceChildren();
  let filled = requireFilled(tokenForm, ['name', 'expires_on']);
  const scopes = [...tokenForm.querySelectorAll('input[name="scopes"]:checked')].map((box) => box.value);
  if (scopes.length === 0) {
    setFieldError(tokenForm, 'scopes', { key: 'tokens.scope_required' });
    filled = false;
  }
  if (!filled) {
    reportClientErrors(tokenForm);
    return;
  }
  const body = { name: tokenForm.elements.name.value.trim(), scopes, expires_on: tokenForm.elements.expires_on.value };
  const submit = tokenForm.querySelector('button[type="submit"]');
  setBusy(submit, true);
  const result = await post('/api/organisation/tokens', body);
  setBusy(submit, false);
  if (result.ok) {
    closeTokenForm({ focus: false });
    $('tokens-status').replaceChildren(keySpan('tokens.created', { name: result.data.token.name }));
    showSecret(result.data.secret);
    await loadTokens();
    return;
  }
  if (await handledTokenError(result)) return;
  showApiError(tokenForm, result.error);
});

// The secret lives only in this input until "J'ai copié le jeton": it is never stored, and the
// list shows the prefix only.
function showSecret(secret) {
  const input = $('token-secret');
  input.value = secret;
  $('token-copy-status').replaceChildren();
  $('token-secret-section').hidden = false;
  focusElement($('token-secret-heading'));
}

function hideSecret() {
  $('token-secret').value = '';
  $('token-copy-status').replaceChildren();
  $('token-secret-section').hidden = true;
}

$('token-copy').addEventListener('click', async () => {
  const input = $('token-secret');
  const status = $('token-copy-status');
  try {
    await navigator.clipboard.writeText(input.value);
    status.replaceChildren(keySpan('tokens.copied'));
  } catch {
    input.focus();
    input.select();
    status.replaceChildren(keySpan('tokens.copy_failed'));
  }
});

$('token-secret-done').addEventListener('click', () => {
  hideSecret();
  focusElement(tokenToggle);
});

function askRevokeToken(token) {
  state.tokens.revoking = token;
  const confirm = $('token-confirm');
  setText($('token-confirm-text'), 'tokens.revoke_confirm_text', { name: token.name, prefix: token.prefix });
  confirm.hidden = false;
  focusElement($('token-confirm-text'));
}

function cancelRevokeToken({ focus = true } = {}) {
  const token = state.tokens.revoking;
  state.tokens.revoking = null;
  $('token-confirm').hidden = true;
  if (focus && token) focusElement(document.querySelector(`[data-revoke-token="${CSS.escape(token.id)}"]`));
}

$('token-cancel-revoke').addEventListener('click', () => cancelRevokeToken());

$('token-confirm-revoke').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  const token = state.tokens.revoking;
  if (!token || button.disabled) return;
  setBusy(button, true);
  const result = await del(`/api/organisation/tokens/${encodeURIComponent(token.id)}`, {});
  setBusy(button, false);
  cancelRevokeToken({ focus: false });
  if (!result.ok) {
    if (await handledTokenError(result)) return;
    await loadTokens();
    showAlert($('panel-tokens'), [result.error.message]);
    return;
  }
  $('tokens-status').replaceChildren(keySpan('tokens.revoked', { name: token.name }));
  await loadTokens();
  focusElement($('tokens-status'));
});

// Dates and words computed here follow the language too.
onLangChange(() => {
  if (state.contacts.data) renderContacts();
  if (state.audit.data) renderAudit();
  if (state.tokens.data) renderTokens();
});

// ---- Start ----

async function start() {
  const me = await startSession();
  if (!me) return;
  if (!me.ok) {
    $('org-loading').hidden = true;
    showAlert(main, [[{ key: 'home.load_failed' }, me.error.message]]);
    return;
  }
  if (!(await loadOrganisation())) return;
  await loadContacts();
  const fromAddress = tabs.find((tab) => TAB_HASHES[tab.id] === location.hash);
  if (fromAddress && !fromAddress.hidden) selectTab(fromAddress);
}

start();
