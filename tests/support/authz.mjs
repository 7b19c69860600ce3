// Employers, firms and authorizations for the end-to-end tests of authorizations: an employer with its
// linked responsable, a firm with a linked member, grants through the API, many files for one
// contact (employers made by the operator route, granted by one administrator user linked to all
// of them), migrated relations seeded in SQL (the import is tested elsewhere), the worker's clock
// and Montreal days, and snapshots of everything authorizations write.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { uniqueEmail } from './app.mjs';
import { query } from './api.mjs';
import { sqlWrite } from './db.mjs';
import {
  sql, quote, createOrganisation, linkedResponsible, linkedMember, invitedMember, signedUp, selectProfile, link, DAY,
} from './orgs.mjs';

export const SERVICES = ['workforce', 'site_identification', 'status_letter', 'monthly_report'];
export const SERVICE_BITS = { workforce: 1, site_identification: 2, status_letter: 4, monthly_report: 8 };
export const LEVELS = ['consultation', 'transmission'];

export const EMPLOYER_AUTHORIZATIONS = '/api/employer/authorizations';
export const EMPLOYER_REQUESTS = '/api/employer/access-requests';
export const REVIEW = '/api/employer/migrated-relations/review';
export const ACCESS_REQUESTS = '/api/access-requests';
export const FILES = '/api/authorized-files';
export const FILES_CSV = '/api/authorized-files.csv';
export const MEMBERS = '/api/organisation/members';
export const AUDIT = '/api/organisation/audit';

// --- Time ------------------------------------------------------------------------------------------

/** The worker's current time (epoch ms), real time plus the test clock's offset. */
export async function workerNow(app) {
  const res = await app.client().devClock({ advance_ms: 0 });
  if (res.status !== 200) throw new Error(`clock answered ${res.status}`);
  return res.body.now;
}

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day (YYYY-MM-DD) an instant falls on in Montreal. */
export const montrealDay = (ms) => MONTREAL.format(new Date(ms));

/** `day` moved by `n` calendar days. */
export function addDays(day, n) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** Today in Montreal by the worker's clock. */
export const today = async (app) => montrealDay(await workerNow(app));

/** The instant a Montreal day starts (local midnight), found by search so DST needs no table. */
export function startOfDay(day) {
  // Midnight in Montreal is 04:00 or 05:00 UTC.
  for (const hour of [4, 5]) {
    const candidate = Date.parse(`${day}T0${hour}:00:00Z`);
    if (montrealDay(candidate) === day && montrealDay(candidate - 1) !== day) return candidate;
  }
  throw new Error(`no Montreal midnight found for ${day}`);
}

/** The exclusive end of a Montreal day: the start of the next one. */
export const endOfDay = (day) => startOfDay(addDays(day, 1));

// --- Organisations and people ----------------------------------------------------------------------

/** An employer and its responsable, signed up, linked and acting for it. */
export async function employer(app, overrides = {}) {
  const postal = overrides.postal_code ?? randomPostalCode();
  const responsible = await linkedResponsible(app, { kind: 'employer', name: overrides.name ?? `Employeur Essai ${randomUUID().slice(0, 6)}`, postal_code: postal, ...overrides });
  return { ...responsible, postalCode: postal };
}

/** An accounting firm with its linked responsable and one linked member: {responsable, member, organisation}. */
export async function firmWithMember(app, { overrides = {}, member = {} } = {}) {
  const responsable = await linkedResponsible(app, { kind: 'accounting_firm', ...overrides });
  const linked = await linkedMember(app, responsable.client, { first_name: 'Martin', last_name: 'Membre', ...member });
  return { responsable, member: linked, organisation: responsable.organisation };
}

/** Another linked member of the organisation whose responsable is `responsableClient`. */
export const anotherMember = (app, responsableClient, options) => linkedMember(app, responsableClient, options);

/** A contact invited (not linked) by `responsableClient`; resolves to the contact without waiting for the email. */
export async function invitedContact(responsableClient, { first_name = 'Inès', last_name = 'Invitée', email = uniqueEmail('invite'), role = 'membre' } = {}) {
  const res = await responsableClient.inviteMember({ first_name, last_name, email, role });
  if (res.status !== 201) throw new Error(`inviting answered ${res.status}: ${res.text}`);
  return { ...res.body.contact, email };
}

export { invitedMember };

/**
 * A user who will act for several employers (one signup for them all): `employerAt(app, desk)`
 * then makes each employer cheaply.
 */
export const deskUser = (app) => signedUp(app, { email: uniqueEmail('bureau'), first_name: 'Denise', last_name: 'Bureau' });

/**
 * An employer made by the operator, whose responsable's credentials the desk user links; resolves
 * to {client (a session of the desk user acting for this employer), organisation, postalCode,
 * contactId, email, password}.
 */
export async function employerAt(app, desk, overrides = {}) {
  const postal = overrides.postal_code ?? randomPostalCode();
  const created = await createOrganisation(app, { kind: 'employer', name: `Employeur Bureau ${randomUUID().slice(0, 6)}`, ...overrides, postal_code: postal });
  const linked = await link(desk.client, created.responsible);
  if (linked.status !== 200) throw new Error(`linking the desk user answered ${linked.status}: ${linked.text}`);
  const account = { email: desk.email, password: desk.password, contactId: linked.body.profile.id };
  await actAgain(app, account);
  return { ...account, organisation: created.organisation, postalCode: postal, responsible: created.responsible };
}

/** Makes (or unmakes) an employer's contact an administrator of its authorizations. */
export async function setAdministrator(responsableClient, contactId, value = true) {
  const res = await responsableClient.updateMember(contactId, { manages_authorizations: value });
  if (res.status !== 200) throw new Error(`manages_authorizations answered ${res.status}: ${res.text}`);
  return res.body.contact;
}

/** A fresh session of an account (after the clock moved past the session timeouts), acting as `profileId`. */
export async function actAgain(app, account, profileId = account.contactId ?? account.profile?.id) {
  const client = app.client();
  const res = await client.logIn(account.email, account.password);
  if (res.status !== 200) throw new Error(`logging in again answered ${res.status}: ${res.text}`);
  if (profileId) {
    const selected = await selectProfile(client, profileId);
    if (selected.status !== 200) throw new Error(`selecting the profile answered ${selected.status}: ${selected.text}`);
  }
  account.client = client;
  return client;
}

let postalSerial = 0;
/** A well-formed postal code (letter digit letter, digit letter digit), different on each call. */
export function randomPostalCode() {
  postalSerial += 1;
  const letters = 'ABCEGHJKLMNPRSTVXY';
  const n = process.pid * 7919 + postalSerial * 104_729;
  const letter = (k) => letters[Math.floor(n / letters.length ** k) % letters.length];
  const digit = (k) => String(Math.floor(n / 10 ** k) % 10);
  return `${letter(0)}${digit(0)}${letter(1)} ${digit(1)}${letter(2)}${digit(2)}`;
}

// --- Authorizations --------------------------------------------------------------------------------

/** A grant body for `contact` (an object with an email) of `firm` (an organisation). */
export function grantBody(firm, contactEmail, overrides = {}) {
  return { firm_file_number: firm.file_number, contact_email: contactEmail, services: ['monthly_report'], level: 'consultation', ...overrides };
}

/** POST /api/employer/authorizations with sensible defaults; resolves to the raw answer. */
export function grant(employerClient, { firm_file_number, contact_email, services = ['monthly_report'], level = 'consultation', ...rest }) {
  return employerClient.grantAuthorization({ firm_file_number, contact_email, services, level, ...rest });
}

/** Grants and insists on 201; resolves to the authorization. */
export async function granted(employerClient, body) {
  const res = await grant(employerClient, body);
  assert.equal(res.status, 201, `granting answered ${res.status}: ${res.text}`);
  return res.body.authorization;
}

export { query };

/** GET /api/authorized-files with these parameters. */
export const listFiles = (client, params) => client.authorizedFiles(params);

/** GET /api/authorized-files, insisting on 200; resolves to the page. */
export async function filesPage(client, params) {
  const res = await listFiles(client, params);
  assert.equal(res.status, 200, `listing ${query(params)} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Follows next_cursor from the first page to the last; resolves to the pages. */
export async function crawl(client, params) {
  const pages = [await filesPage(client, params)];
  while (pages.at(-1).next_cursor) {
    assert.ok(pages.length < 200, 'the crawl ends');
    pages.push(await filesPage(client, { ...params, cursor: pages.at(-1).next_cursor }));
  }
  return pages;
}

/** GET /api/employer/authorizations with these parameters, insisting on 200. */
export async function employerList(client, params) {
  const res = await client.authorizations(params);
  assert.equal(res.status, 200, `the employer's list ${query(params)} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** The ids of a page's items. */
export const ids = (page) => page.items.map((item) => item.id);

/** Folded like the portal's search: no accents, lower case. */
export const fold = (text) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The words of a name as the search sees them. */
export const wordsOf = (text) => fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * Many employer files for one contact, through the API: the operator creates the employers (in
 * parallel batches), one administrator user links to every employer's responsable and grants each
 * from its profile. `specs` are {name, file_number?, postal_code?, services?, level?, starts_on?, ends_on?}.
 * Resolves to the specs with {employer (organisation), authorization} added, in the order given.
 */
export async function manyFiles(app, firm, contactEmail, specs, { sessions = 3, batch = 10 } = {}) {
  const created = [];
  for (let i = 0; i < specs.length; i += batch) {
    created.push(...await Promise.all(specs.slice(i, i + batch).map((spec) => createOrganisation(app, {
      kind: 'employer', name: spec.name, ...(spec.file_number ? { file_number: spec.file_number } : {}),
      ...(spec.postal_code ? { postal_code: spec.postal_code } : {}),
    }))));
  }
  const admin = await signedUp(app, { first_name: 'Adèle', last_name: 'Administratrice' });
  const clients = [admin.client];
  for (let i = 1; i < sessions; i += 1) {
    const client = app.client();
    const res = await client.logIn(admin.email, admin.password);
    if (res.status !== 200) throw new Error(`admin login answered ${res.status}: ${res.text}`);
    clients.push(client);
  }
  const results = new Array(specs.length);
  await Promise.all(clients.map(async (client, lane) => {
    for (let i = lane; i < specs.length; i += clients.length) {
      const linked = await link(client, created[i].responsible);
      if (linked.status !== 200) throw new Error(`linking the admin answered ${linked.status}: ${linked.text}`);
      const selected = await selectProfile(client, linked.body.profile.id);
      if (selected.status !== 200) throw new Error(`selecting answered ${selected.status}: ${selected.text}`);
      const { name, file_number, postal_code, ...grantFields } = specs[i];
      const authorization = await granted(client, { firm_file_number: firm.file_number, contact_email: contactEmail, ...grantFields });
      results[i] = { ...specs[i], employer: created[i].organisation, authorization };
    }
  }));
  return results;
}

// --- SQL -------------------------------------------------------------------------------------------

export { sqlWrite };

/** The name key the portal stores for sorting and word-prefix search: ' ' + folded words. */
export const nameKey = (name) => ` ${wordsOf(name).join(' ')}`;

/**
 * A migrated authorization, as the legacy import will write it: origin 'migrated', not confirmed,
 * with a legacy id. `employer` and `firm` are organisations ({id, name, file_number}); `contactId`
 * a contact of the firm. Resolves to its id.
 */
export async function seedMigrated(app, { employer: emp, firm, contactId, services = ['workforce', 'monthly_report'], level = 'consultation', legacyId = `LEG-${randomUUID()}`, endsAt = null }) {
  const now = await workerNow(app);
  const id = randomUUID().replaceAll('-', '');
  const bits = services.reduce((sum, s) => sum + SERVICE_BITS[s], 0);
  sqlWrite(app, `INSERT INTO authorizations (id, employer_id, contact_id, firm_id, services, level, starts_at, ends_at, origin, status,
      confirmed_at, legacy_id, employer_name, name_key, file_number, granted_by, created_at, updated_at)
    VALUES (${quote(id)}, ${quote(emp.id)}, ${quote(contactId)}, ${quote(firm.id)}, ${bits}, ${quote(level)}, ${now - 400 * DAY},
      ${endsAt === null ? 'NULL' : endsAt}, 'migrated', 'active', NULL, ${quote(legacyId)}, ${quote(emp.name)}, ${quote(nameKey(emp.name))},
      ${quote(emp.file_number)}, NULL, ${now - 400 * DAY}, ${now - 400 * DAY})`);
  return id;
}

/** One authorization row as stored. */
export async function authorizationRow(app, id) {
  const [row] = await sql(app, `SELECT * FROM authorizations WHERE id = ${quote(id)}`);
  return row;
}

/** The domain events that mention `id` in their payload, oldest first. */
export const domainEventsAbout = (app, id) =>
  sql(app, `SELECT seq, type, employer_id, firm_id, payload FROM domain_events WHERE payload LIKE ${quote(`%${id}%`)} ORDER BY seq`);

/** Counts of everything authorizations write, to compare before and after refused requests. */
export async function authzCounts(app) {
  const [row] = await sql(app, `SELECT
    (SELECT COUNT(*) FROM authorizations) AS authorizations,
    (SELECT group_concat(id || ':' || status || ':' || services || ':' || level || ':' || COALESCE(ends_at, '-') || ':' || COALESCE(confirmed_at, '-') || ':' || updated_at, ',')
       FROM (SELECT * FROM authorizations ORDER BY id)) AS authorization_rows,
    (SELECT COUNT(*) FROM access_requests) AS access_requests,
    (SELECT group_concat(id || ':' || status || ':' || COALESCE(answered_at, '-'), ',') FROM (SELECT * FROM access_requests ORDER BY id)) AS request_rows,
    (SELECT COUNT(*) FROM domain_events) AS domain_events,
    (SELECT COUNT(*) FROM audit_events WHERE action NOT LIKE 'login.%' AND action NOT LIKE 'session.%' AND action NOT LIKE 'profile.%') AS audit_events,
    (SELECT group_concat(id || ':' || manages_authorizations || ':' || status || ':' || role, ',') FROM (SELECT * FROM contacts ORDER BY id)) AS contacts,
    (SELECT COUNT(*) FROM email_outbox) AS emails,
    (SELECT group_concat(contact_id || ':' || total || ':' || workforce || ':' || site_identification || ':' || status_letter || ':' || monthly_report, ',')
       FROM (SELECT * FROM authorized_file_totals ORDER BY contact_id)) AS totals`);
  return row;
}

/** The audit trail of the active profile's organisation (newest first, up to 100). */
export async function auditTrail(client) {
  const res = await client.audit({ page_size: 100 });
  assert.equal(res.status, 200, `the audit trail answered ${res.status}: ${res.text}`);
  return res.body.items;
}

// --- CSV -------------------------------------------------------------------------------------------

/** Parses `;`-separated CSV (RFC 4180 quoting) into rows of fields. */
export function parseCsv(text, delimiter = ';') {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { /* CRLF: the \n ends the row */ } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

export { sql, quote, DAY };
