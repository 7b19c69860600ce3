// "Mon organisation" (/organisation): the organisation of the active profile, its contacts, its
// activity log, its API tokens and its webhooks. Everyone linked to it sees the contact inventory
// (search, status filter, paging); a responsable also invites contacts and, per contact, changes
// the role, resends the link credentials of an invited contact, or revokes (after a confirmation
// in the page). In an employer's organisation, the responsable also says which members may manage the
// employer's authorizations ("Peut gérer les autorisations"; responsables always may).
// Only responsables see the activity log (filters by type of action and dates, CSV export with the
// same filters), the API tokens (create with name, scopes and expiry — the secret is shown once
// with a copy button —, list by prefix and last use, revoke after a confirmation) and the webhooks
// (org-webhooks.js).
// Above the tabs, the organisation's second-factor policy: everyone sees whether every contact needs
// a second factor (not only responsables and administrators); a responsable turns it on or off
// (step-up: api.js asks for a code when the session has not proved it lately). The contact list
// says which linked accounts have a second factor.
// Without an organisation profile the API answers 403 organisation_profile_required, and the page
// explains how to get one.

import { del, get, patch, post, put } from './api.js';
import { dayElement, formatDate, timeElement, todayInMontreal } from './format.js';
import { onLangChange } from './i18n.js';
import { KIND_KEYS, ROLE_KEYS, fullName } from './profile.js';
import { handledWithoutOrganisation, signedIn } from './session.js';
import {
  OffsetList, RowDetails, actionButton, badge, cell, emailSpan, keySpan, nothing, textSpan, wordFor,
} from './table.js';
import {
  $, clearErrors, focusElement, initPage, readyToSubmit, setFieldError, setRawText, setText, showAlert, showApiError,
  showStatus, t, whileBusy,
} from './ui.js';
import {
  askConfirmation, dropConfirmation, formDisclosure, instantiate, liveSearch, secretBlock, slot, tabList,
} from './widgets.js';
import { webhooksTab } from './org-webhooks.js';

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
  'link.known_facts_already_linked': 'audit.known_facts_already_linked',
  'organisation.security_changed': 'audit.security_changed',
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
  'token.created': 'audit.token_created',
  'token.revoked': 'audit.token_revoked',
  'webhook.created': 'audit.webhook_created',
  'webhook.changed': 'audit.webhook_changed',
  'webhook.deleted': 'audit.webhook_deleted',
  'webhook.secret_rotated': 'audit.webhook_secret_rotated',
  'webhook.disabled': 'audit.webhook_disabled',
  'webhook.delivery_replayed': 'audit.webhook_delivery_replayed',
  'webhook.test_sent': 'audit.webhook_test_sent',
};

// The most events one CSV export of the activity log holds (the API's limit).
const AUDIT_EXPORT_MAX = 10000;

const TOKEN_STATE_KEYS = { active: 'tokens.state.active', expired: 'tokens.state.expired', revoked: 'tokens.state.revoked' };
const SCOPE_KEYS = {
  'authorized_files:read': 'tokens.scope.authorized_files',
  'contacts:read': 'tokens.scope.contacts',
  'monthly_reports:read': 'tokens.scope.monthly_reports_read',
  'monthly_reports:write': 'tokens.scope.monthly_reports_write',
};
// The tokens' default lifetime in the form, and the longest the API accepts.
const TOKEN_DEFAULT_DAYS = 90;
const TOKEN_MAX_DAYS = 365;

const main = document.getElementById('main');

const state = { organisation: null, role: null };
const contactFilters = { q: '', status: '' };
const auditFilters = { action: '', from: '', to: '' };

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
  // The activity log and the API tokens are the responsables'.
  for (const tab of document.querySelectorAll('[data-responsable-only]')) tab.hidden = !isResponsable();
  if (!isResponsable() && $('tab-contacts').getAttribute('aria-selected') !== 'true') tabs.select($('tab-contacts'));
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

// ---- Second-factor policy ----

function renderSecurity(security) {
  $('security-section').hidden = false;
  // Every contact of an accounting firm needs a factor anyway: there is nothing to choose.
  const firm = state.organisation?.kind === 'accounting_firm';
  let stateKey = security.mfa_for_all_contacts ? 'org.security_on' : 'org.security_off';
  if (firm) stateKey = 'org.security_firm';
  setText($('security-state'), stateKey);
  $('security-form').hidden = !isResponsable() || firm;
  $('security-all').checked = security.mfa_for_all_contacts;
  setText($('security-hint'), 'org.security_hint', { count: security.linked_contacts_without_factor });
}

async function loadSecurity() {
  const result = await get('/api/organisation/security');
  if (result.ok) renderSecurity(result.data);
  else if (!handledCommonError(result)) showAlert(main, [[{ key: 'common.load_failed' }, result.error.message]]);
}

$('security-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = $('security-form');
  clearErrors(form);
  const body = { mfa_for_all_contacts: $('security-all').checked };
  const result = await whileBusy(form.querySelector('button[type="submit"]'), () => put('/api/organisation/security', body));
  if (!result.ok) {
    if (handledCommonError(result)) return;
    showApiError(form, result.error);
    return;
  }
  renderSecurity(result.data);
  showStatus(form, [{ key: result.data.mfa_for_all_contacts ? 'org.security_saved_on' : 'org.security_saved_off' }]);
  await contacts.load();
});

// ---- Tabs ----

const tabs = tabList([$('tab-contacts'), $('tab-audit'), $('tab-tokens'), $('tab-webhooks')], {
  hashes: {
    'tab-contacts': '', 'tab-audit': '#journal', 'tab-tokens': '#jetons', 'tab-webhooks': '#webhooks',
  },
  onSelect: (tab) => {
    if (tab.id === 'tab-audit') audit.load();
    if (tab.id === 'tab-tokens') loadTokens();
    if (tab.id === 'tab-webhooks') webhooks.load();
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
      ...(contact.linked_at ? [keySpan('org.linked_on', { date: formatDate(contact.linked_at) }, 'cell-detail')] : []),
      keySpan(contact.has_factor ? 'org.factor_yes' : 'org.factor_no', undefined, 'cell-detail'))
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

/** The filters applied to the log, as query parameters (the export's too). */
function auditParams() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(auditFilters)) if (value) params.set(name, value);
  return params;
}

const audit = new OffsetList('audit', {
  url: '/api/organisation/audit',
  filters: () => auditFilters,
  row: auditRow,
  onLoad: () => {
    // An export holds at most AUDIT_EXPORT_MAX events (the API refuses more rather than cut them).
    const link = $('audit-export');
    const tooMany = (audit.data?.total ?? 0) > AUDIT_EXPORT_MAX || audit.data?.total_capped === true;
    if (tooMany) {
      link.removeAttribute('href');
      link.setAttribute('aria-disabled', 'true');
    } else {
      link.href = `/api/organisation/audit.csv?${auditParams()}`;
      link.removeAttribute('aria-disabled');
    }
    $('audit-export-hint').hidden = !tooMany;
  },
  async onError(result) {
    if (await handledNotResponsable(result)) return;
    if (result.status === 422) showApiError(auditForm, result.error);
    else showAlert($('panel-audit'), [result.error.message]);
  },
});

/** The person is no longer a responsable (or lost the organisation): the page shows what they may do now. */
async function handledNotResponsable(result) {
  if (handledCommonError(result)) return true;
  if (result.error.code !== 'responsable_required') return false;
  await loadOrganisation();
  showAlert($('panel-contacts'), [result.error.message]);
  return true;
}

const auditForm = $('audit-filters');

auditForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const filters = { action: auditForm.elements.action.value, from: auditForm.elements.from.value, to: auditForm.elements.to.value };
  const ordered = () => {
    if (!filters.from || !filters.to || filters.to >= filters.from) return true;
    setFieldError(auditForm, 'to', { key: 'audit.to_before_from' });
    return false;
  };
  if (!readyToSubmit(auditForm, [], ordered)) return;
  Object.assign(auditFilters, filters);
  audit.page = 1;
  if (await audit.load()) focusElement(audit.summary);
});
auditForm.elements.action.addEventListener('change', () => auditForm.requestSubmit());

// ---- API tokens (responsable) ----

/** `day` ("YYYY-MM-DD") moved by `n` calendar days. */
function addDays(day, n) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

const tokenState = { data: null, request: 0, revoking: null };

function tokenRow(token) {
  const row = document.createElement('tr');
  row.dataset.tokenId = token.id;
  const name = cell('th', textSpan(token.name, 'cell-main'));
  if (token.created_by) name.append(keySpan('tokens.created_by', { email: token.created_by }, 'cell-detail'));
  name.scope = 'row';
  const list = document.createElement('ul');
  list.className = 'cell-list';
  for (const scope of token.scopes ?? []) {
    const item = document.createElement('li');
    item.append(wordFor(SCOPE_KEYS, scope));
    list.append(item);
  }
  const lastUse = token.last_used_at ? cell('td', timeElement(token.last_used_at)) : cell('td', nothing('tokens.never_used'));
  const stateCell = cell('td', badge(TOKEN_STATE_KEYS, token.state));
  if (token.revoked_at) stateCell.append(keySpan('tokens.revoked_on', { date: formatDate(token.revoked_at) }, 'cell-detail'));
  let action = nothing();
  if (token.state === 'active') {
    action = actionButton('tokens.revoke', token.name, 'button button--danger button--small');
    action.dataset.revokeToken = token.id;
    action.setAttribute('aria-controls', 'token-confirm');
    action.addEventListener('click', () => askRevokeToken(token));
  }
  row.append(name, cell('td', textSpan(`${token.prefix}…`, 'cell-code')), cell('td', list), cell('td', dayElement(token.expires_on)),
    lastUse, stateCell, cell('td', action));
  return row;
}

function renderTokens() {
  const items = tokenState.data?.items ?? [];
  $('tokens-body').replaceChildren(...items.map(tokenRow));
  $('tokens-empty').hidden = items.length > 0;
  $('tokens-wrap').hidden = items.length === 0;
  if (items.length) setText($('tokens-summary'), 'tokens.rows', { n: items.length });
  else $('tokens-summary').replaceChildren();
}

async function loadTokens() {
  const mine = ++tokenState.request;
  $('tokens-wrap').setAttribute('aria-busy', 'true');
  const result = await get('/api/organisation/tokens');
  if (mine !== tokenState.request) return false;
  $('tokens-wrap').removeAttribute('aria-busy');
  if (!result.ok) {
    if (await handledNotResponsable(result)) return false;
    showAlert($('panel-tokens'), [result.error.message]);
    return false;
  }
  tokenState.data = result.data;
  renderTokens();
  return true;
}

onLangChange(() => {
  if (tokenState.data) renderTokens();
});

const tokenToggle = $('token-create-toggle');
const tokenSection = $('token-create-section');
const tokenForm = $('token-form');

// The secret is shown once, until "J'ai copié le jeton": the list shows the prefix only.
const tokenSecret = secretBlock($('token-secret'), { onDone: () => focusElement(tokenToggle) });

function openTokenForm() {
  tokenSecret.hide();
  tokenForm.reset();
  clearErrors(tokenForm);
  const today = todayInMontreal();
  const expires = tokenForm.elements.expires_on;
  expires.min = today;
  expires.max = addDays(today, TOKEN_MAX_DAYS);
  expires.value = addDays(today, TOKEN_DEFAULT_DAYS);
  // Reading is offered checked; writing monthly reports is a choice to make.
  for (const box of tokenForm.querySelectorAll('input[name="scopes"]')) box.checked = !box.value.endsWith(':write');
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
  $('tokens-status').replaceChildren();
  const scopes = [...tokenForm.querySelectorAll('input[name="scopes"]:checked')].map((box) => box.value);
  const scopeChosen = () => {
    if (scopes.length) return true;
    setFieldError(tokenForm, 'scopes', { key: 'tokens.scope_required' });
    return false;
  };
  if (!readyToSubmit(tokenForm, ['name', 'expires_on'], scopeChosen)) return;
  const body = { name: tokenForm.elements.name.value.trim(), scopes, expires_on: tokenForm.elements.expires_on.value };
  const result = await whileBusy(tokenForm.querySelector('button[type="submit"]'), () => post('/api/organisation/tokens', body));
  if (result.ok) {
    closeTokenForm({ focus: false });
    $('tokens-status').replaceChildren(keySpan('tokens.created', { name: result.data.token.name }));
    tokenSecret.show(result.data.secret);
    await loadTokens();
    return;
  }
  if (await handledNotResponsable(result)) return;
  showApiError(tokenForm, result.error);
});

function askRevokeToken(token) {
  tokenState.revoking = token;
  setText($('token-confirm-text'), 'tokens.revoke_confirm_text', { name: token.name, prefix: token.prefix });
  $('token-confirm').hidden = false;
  focusElement($('token-confirm-text'));
}

function cancelRevokeToken({ focus = true } = {}) {
  const token = tokenState.revoking;
  tokenState.revoking = null;
  $('token-confirm').hidden = true;
  if (focus && token) focusElement(document.querySelector(`[data-revoke-token="${CSS.escape(token.id)}"]`));
}

$('token-cancel-revoke').addEventListener('click', () => cancelRevokeToken());

$('token-confirm-revoke').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  const token = tokenState.revoking;
  if (!token || button.disabled) return;
  const result = await whileBusy(button, () => del(`/api/organisation/tokens/${encodeURIComponent(token.id)}`, {}));
  cancelRevokeToken({ focus: false });
  if (!result.ok) {
    if (await handledNotResponsable(result)) return;
    await loadTokens();
    showAlert($('panel-tokens'), [result.error.message]);
    return;
  }
  $('tokens-status').replaceChildren(keySpan('tokens.revoked', { name: token.name }));
  await loadTokens();
  focusElement($('tokens-status'));
});

// ---- Webhooks (responsable): see org-webhooks.js ----

const webhooks = webhooksTab({ handledRefusal: handledNotResponsable });

// ---- Start ----

async function start() {
  if (!(await signedIn($('org-loading')))) return;
  if (!(await loadOrganisation())) return;
  await loadSecurity();
  await contacts.load();
  tabs.fromAddress();
}

start();
