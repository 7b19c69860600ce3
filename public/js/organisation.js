// "Mon organisation" (/organisation): the organisation of the active profile, its contacts and
// its activity log. Everyone linked to it sees the contact inventory (search, status filter,
// paging); a responsable also invites contacts and, per contact, changes the role, resends the
// link credentials of an invited contact, or revokes (after a confirmation in the page). In an
// employer's organisation, the responsable also says which members may manage the employer's
// authorizations ("Peut gérer les autorisations"; responsables always may).
// Without an organisation profile the API answers 403 organisation_profile_required, and the page
// explains how to get one.

import { del, get, patch, post } from './api.js';
import { formatDate, timeElement } from './format.js';
import { KIND_KEYS, ROLE_KEYS, fullName } from './profile.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import { OffsetList, RowDetails, badge, cell, emailSpan, keySpan, nothing, textSpan, wordFor } from './table.js';
import {
  $, focusElement, initPage, readyToSubmit, setFieldError, setRawText, setText, showAlert, showApiError, t, whileBusy,
} from './ui.js';
import {
  askConfirmation, dropConfirmation, formDisclosure, instantiate, liveSearch, slot, tabList,
} from './widgets.js';

initPage('org.title');

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
  'authorization.migrated': 'audit.authorization_migrated',
  'organisation.imported': 'audit.organisation_imported',
  'contact.imported': 'audit.contact_imported',
  'legacy.imported': 'audit.legacy_imported',
  'access_request.created': 'audit.access_requested',
  'access_request.approved': 'audit.access_approved',
  'access_request.declined': 'audit.access_declined',
  'access_request.cancelled': 'audit.access_cancelled',
};

const main = document.getElementById('main');

const state = { organisation: null, role: null };
const contactFilters = { q: '', status: '' };

const isResponsable = () => state.role === 'responsable';

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
const handledCommonError = (result) => handledWithoutOrganisation(result, showNoOrganisation);

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
  if (!isResponsable()) invite.close({ focus: false });
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

const tabs = tabList([$('tab-contacts'), $('tab-audit')], {
  hashes: { 'tab-contacts': '', 'tab-audit': '#journal' },
  onSelect: (tab) => {
    if (tab.id === 'tab-audit') audit.load();
  },
});

// ---- Contacts ----

const isEmployer = () => state.organisation?.kind === 'employer';

function roleCell(contact) {
  const role = cell('td', wordFor(ROLE_KEYS, contact.role, 'cell-main'));
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
    const manage = contact.status !== 'revoked' ? manageDetails.button(contact, 'org.manage', fullName(contact)) : nothing();
    row.append(cell('td', manage));
  }
  return row;
}

const contacts = new OffsetList('contacts', {
  url: '/api/organisation/members',
  filters: () => contactFilters,
  row: contactRow,
  emptyKey: () => (contactFilters.q || contactFilters.status ? 'org.empty_search' : 'org.empty'),
  onError(result) {
    if (handledCommonError(result)) return;
    showAlert($('panel-contacts'), [result.error.message]);
  },
  afterRender: (items) => manageDetails.refresh(items),
  beforePage: () => manageDetails.forget(),
});

const searchForm = $('search-form');

liveSearch(searchForm, () => {
  const q = searchForm.elements.q.value.trim();
  const status = searchForm.elements.status.value;
  if (q === contactFilters.q && status === contactFilters.status && contacts.data) return;
  Object.assign(contactFilters, { q, status });
  contacts.page = 1;
  manageDetails.forget();
  contacts.load();
});

// ---- Managing one contact (responsable) ----

const manageDetails = new RowDetails($('contacts-body'), 'manage', {
  find: (id) => contacts.data?.items?.find((each) => each.id === id),
  keep: (contact) => contact.status !== 'revoked',
  build: manageForm,
});

function manageForm(contact) {
  const manageRow = instantiate('manage-template', `manage-${contact.id}`);
  const form = manageRow.querySelector('form');
  const name = fullName(contact);

  const heading = slot(form, 'heading');
  setText(heading, 'org.manage_heading', { name });
  form.elements.role.value = contact.role;
  form.elements.manages_authorizations.checked = Boolean(contact.manages_authorizations);
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
    if (action === 'close') manageDetails.close();
    else if (action === 'resend') resend(form, button, contact);
    else if (action === 'manages') changeManages(form, button, contact);
    else if (action === 'revoke') askConfirmation(form);
    else if (action === 'cancel-revoke') dropConfirmation(form);
    else if (action === 'confirm-revoke') revoke(form, button, contact);
  });
  return { row: manageRow, heading };
}

const CONTACT_HINTS = {
  last_responsable: { key: 'org.hint_last_responsable' },
};

/** After a change: say what happened, show the list as it is now, focus the contact's button. */
async function afterChange(contact, statusKey, vars) {
  const status = $('contacts-status');
  status.replaceChildren(keySpan(statusKey, vars));
  manageDetails.close({ focus: false });
  // The person's own role may have changed: the organisation answer says what they may do now.
  if (!(await loadOrganisation())) return;
  await contacts.load();
  const button = document.querySelector(`[data-manage="${CSS.escape(contact.id)}"]`);
  focusElement(button ?? status);
}

// The contact or the person's rights changed meanwhile (elsewhere, by someone else): the list
// and the page are shown again as they are now, with the API's explanation above the list.
const STALE = new Set(['responsable_required', 'not_found', 'contact_linked', 'contact_revoked']);

async function onContactError(form, result) {
  if (handledCommonError(result)) return;
  if (STALE.has(result.error.code)) {
    manageDetails.close({ focus: false });
    if (await loadOrganisation()) await contacts.load();
    showAlert($('panel-contacts'), [result.error.message]);
    return;
  }
  const hint = CONTACT_HINTS[result.error.code];
  showApiError(form, result.error, hint ? [hint] : []);
}

const memberPath = (contact) => `/api/organisation/members/${encodeURIComponent(contact.id)}`;

/** A check that fails, said on the field `name` with `key`, when nothing `changed`. */
function mustChange(form, name, changed, key) {
  return () => {
    if (changed) return true;
    setFieldError(form, name, { key });
    return false;
  };
}

/**
 * One change to a contact from its form: unless the form's request still runs or `check()` finds
 * something to fix, sends `request()` with `button` busy; done, says `done(result)` ([key, vars])
 * above the list shown again; refused, says why (after `onRefusal()`).
 */
async function changeContact(form, button, contact, { check, request, done, onRefusal }) {
  if (!readyToSubmit(form, [], check)) return;
  const result = await whileBusy(button, request);
  if (result.ok) {
    await afterChange(contact, ...done(result));
    return;
  }
  onRefusal?.();
  await onContactError(form, result);
}

function changeRole(form, contact) {
  const role = form.elements.role.value;
  return changeContact(form, form.querySelector('button[type="submit"]'), contact, {
    check: mustChange(form, 'role', role !== contact.role, 'org.role_unchanged'),
    request: () => patch(memberPath(contact), { role }),
    done: () => ['org.role_changed', { name: fullName(contact), role: t(ROLE_KEYS[role]) }],
  });
}

function changeManages(form, button, contact) {
  const value = form.elements.manages_authorizations.checked;
  const changed = value !== Boolean(contact.manages_authorizations);
  return changeContact(form, button, contact, {
    check: mustChange(form, 'manages_authorizations', changed, 'org.manages_unchanged'),
    request: () => patch(memberPath(contact), { manages_authorizations: value }),
    done: () => [value ? 'org.manages_on' : 'org.manages_off', { name: fullName(contact) }],
  });
}

function resend(form, button, contact) {
  return changeContact(form, button, contact, {
    request: () => post(`${memberPath(contact)}/link-credentials`, {}),
    done: (result) => ['org.resent', { email: result.data?.contact?.email ?? contact.email }],
  });
}

function revoke(form, button, contact) {
  return changeContact(form, button, contact, {
    request: () => del(memberPath(contact), {}),
    done: () => ['org.revoked', { name: fullName(contact) }],
    onRefusal: () => dropConfirmation(form, { focus: false }),
  });
}

// ---- Inviting (responsable) ----

const inviteToggle = $('invite-toggle');
const inviteForm = $('invite-form');
const invite = formDisclosure({
  toggle: inviteToggle, section: $('invite-section'), form: inviteForm, cancel: $('invite-cancel'), first: 'first_name',
});

inviteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!readyToSubmit(inviteForm, ['first_name', 'last_name', 'email'])) return;
  const invitation = {
    first_name: inviteForm.elements.first_name.value.trim(),
    last_name: inviteForm.elements.last_name.value.trim(),
    email: inviteForm.elements.email.value.trim(),
    role: inviteForm.elements.role.value,
  };
  const submit = inviteForm.querySelector('button[type="submit"]');
  const result = await whileBusy(submit, () => post('/api/organisation/members', invitation));
  if (result.ok) {
    invite.close({ focus: false });
    $('contacts-status').replaceChildren(keySpan('org.invited', { email: result.data?.contact?.email ?? invitation.email }));
    manageDetails.forget();
    await contacts.load();
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
    invite.close({ focus: false });
    if (await loadOrganisation()) await contacts.load();
    showAlert($('panel-contacts'), [error.message]);
    return;
  }
  showApiError(inviteForm, error);
});

// ---- Activity log ----

function auditRow(event) {
  const row = document.createElement('tr');
  const key = AUDIT_KEYS[event.action];
  const action = key ? keySpan(key) : keySpan('audit.other', { code: event.action });
  const actor = event.actor
    ? cell('td', textSpan(event.actor.name || event.actor.email || '', 'cell-main'),
      ...(event.actor.name && event.actor.email ? [emailSpan(event.actor.email, 'cell-detail cell-email')] : []))
    : cell('td', keySpan('org.audit_system'));
  const subject = event.subject?.name ? cell('td', textSpan(event.subject.name)) : cell('td', nothing());
  const date = cell('th', timeElement(event.at));
  date.scope = 'row';
  row.append(date, cell('td', action), actor, subject);
  return row;
}

const audit = new OffsetList('audit', {
  url: '/api/organisation/audit',
  row: auditRow,
  onError(result) {
    if (handledCommonError(result)) return;
    showAlert($('panel-audit'), [result.error.message]);
  },
});

// ---- Start ----

async function start() {
  if (!(await signedIn($('org-loading')))) return;
  if (!(await loadOrganisation())) return;
  await contacts.load();
  tabs.fromAddress();
}

start();
