// The worker for scripts/schemathesis.sh: a real `wrangler dev` on fresh local state (as the
// end-to-end tests start it), seeded through the API with the actors and objects Schemathesis
// needs so that every operation meets someone allowed to use it, on objects that exist.
//
// Usage: node scripts/schemathesis_app.mjs <directory>. Each run is one `st run`, on one actor's
// session: the script writes <directory>/run-N.toml (scripts/schemathesis.toml, then the real
// values of path parameters and of the body fields that name a pending object (a signup, a reset,
// a sign-in challenge, credentials), per operation) and <directory>/run-N.args (the operations it covers, as `st run` options, one a
// line), then prints one JSON line {base_url, runs: [{name, session, config, args, step_up}]} and
// serves until it receives SIGTERM or SIGINT. On SIGUSR1 every actor with a second factor proves it
// again (a step-up lasts ten minutes), then the line `stepped-up N` is printed (N counting signals).
// On SIGUSR2 it writes to stderr, from the worker's request log since seeding ended, each tested
// operation that never answered anything but 401, 403 or 404 (nobody reached it for real), then
// prints the line `tallied`.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnApp, GOOD_PASSWORD, uniqueEmail } from '../tests/support/app.mjs';
import { FACTORS, nextProof } from '../tests/support/client.mjs';
import { createOrganisation, invitedMember, linkedMember, operatorClient, signedUp } from '../tests/support/orgs.mjs';
import { employer, firmWithMember, invitedContact, granted, grantBody, today, addDays, randomPostalCode } from '../tests/support/authz.mjs';
import { SoftPasskey } from '../tests/support/passkeys.mjs';
import { startReceiver } from '../tests/support/webhooks.mjs';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: node scripts/schemathesis_app.mjs <directory>');
const app = await spawnApp();
// The statuses each operation answered, by its route pattern, from the worker's request log lines.
const statuses = new Map();
let pending = '';
app.child.stdout.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  for (const line of lines) {
    if (!line.startsWith('{') || !line.includes('"kind":"request"')) continue;
    try {
      const { method, route, status } = JSON.parse(line);
      const key = `${method} ${route}`;
      if (!statuses.has(key)) statuses.set(key, new Set());
      statuses.get(key).add(status);
    } catch { /* not a request line */ }
  }
});
const receiver = await startReceiver();
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await receiver.close();
  await app.stop();
  process.exit(code);
};
process.on('SIGTERM', () => stop());
process.on('SIGINT', () => stop());

/** Insists on the expected status; resolves to the body. */
async function expect(what, promise, status) {
  const res = await promise;
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 400)}`);
  return res.body;
}

/** The password the password-change run sets (then the current one no longer matches). */
const NEW_PASSWORD = 'Quatre hiboux blancs veillent';

const session = (client) => client.cookies.get('__Host-sel_session');

/** Proves the second factor of `client`'s account in its session (sensitive actions need it). */
async function stepUp(client) {
  const factor = FACTORS.get(client.email);
  if (!factor) throw new Error(`${client.email} has no second factor`);
  const res = await client.stepUp(await nextProof(app.baseUrl, factor));
  return res.status === 204;
}

/** The month before the current one (America/Montreal): its report may be drafted and transmitted. */
async function lastMonth() {
  const [y, m] = (await today(app)).slice(0, 7).split('-').map(Number);
  const month = m === 1 ? 12 : m - 1;
  return `${m === 1 ? y - 1 : y}-${String(month).padStart(2, '0')}`;
}

/** A second session of the account of `account` ({email, password}); resolves to its id. */
async function anotherSessionId(account, client) {
  const other = app.client();
  other.email = account.email;
  await expect('signing in again', other.logIn(account.email, account.password), 200);
  const list = await expect('listing sessions', client.sessions(), 200);
  const found = list.items.find((s) => !s.current);
  if (!found) throw new Error(`no other session in ${JSON.stringify(list)}`);
  return found.id;
}

try {
  const month = await lastMonth();
  const [boss, firm, plain] = await Promise.all([
    employer(app),
    firmWithMember(app),
    Promise.all([signedUp(app), signedUp(app), signedUp(app), signedUp(app)]),
  ]);
  const [signer, changer, closer, ender] = plain;
  const requester = await linkedMember(app, firm.responsable.client, { first_name: 'Rémi', last_name: 'Requérant' });

  // For each organisation: a contact of its own, a webhook with one delivery, a token. For the
  // employer: an authorization of the firm's member and an access request of another member, a
  // passkey and a second session of its responsible. For the firm's responsible: an authorized
  // file (with the monthly report) and an access request of its own.
  const bossMember = await invitedContact(boss.client);
  const memberAuthorization = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report', 'workforce'], level: 'transmission' }));
  const responsableFile = await granted(boss.client, grantBody(firm.organisation, firm.responsable.email, { services: ['monthly_report', 'workforce'], level: 'transmission', ends_on: addDays(await today(app), 60) }));
  const request = await expect('asking for access', requester.client.requestAccess({
    file_number: boss.organisation.file_number, postal_code: boss.postalCode, services: ['status_letter'], message: 'Bonjour',
  }), 201);
  // The firm's responsable already has the employer's file: it asks another employer.
  const other = await createOrganisation(app, { kind: 'employer', postal_code: randomPostalCode() });
  const cancellable = await expect('asking for access', firm.responsable.client.requestAccess({
    file_number: other.form.file_number, postal_code: other.form.postal_code, services: ['status_letter'], message: 'Bonjour',
  }), 201);

  const third = await createOrganisation(app, { kind: 'employer', postal_code: randomPostalCode() });

  const webhookOf = async (client, path) => {
    const { webhook } = await expect('creating a webhook', client.createWebhook({ url: `${receiver.url}${path}`, events: ['authorization.granted'] }), 201);
    const { delivery } = await expect('testing a webhook', client.testWebhook(webhook.id, {}), 202);
    return { webhook: webhook.id, delivery: delivery.id };
  };
  const tokenOf = async (client) => (await expect('creating a token', client.createToken({
    name: 'Synchro Acomba', scopes: ['authorized_files:read', 'contacts:read'], expires_on: addDays(await today(app), 30),
  }), 201)).token.id;

  const bossHook = await webhookOf(boss.client, '/employer');
  const firmHook = await webhookOf(firm.responsable.client, '/firm');
  const firmToken = await tokenOf(firm.responsable.client);
  const firmContact = await invitedContact(firm.responsable.client);
  const bossToken = await tokenOf(boss.client);
  const creation = await expect('asking to create a passkey', boss.client.passkeyCreationOptions(), 200);
  const passkey = await expect('adding a passkey', boss.client.addPasskey({
    credential: new SoftPasskey(app.baseUrl).create(creation), name: 'Clé USB',
  }), 201);
  const bossSession = await anotherSessionId(boss, boss.client);
  // Something for DELETE /api/me/sessions to end.
  await anotherSessionId(ender, ender.client);

  // Pending codes and challenges, for the operations that answer them (with a wrong code, as the
  // fuzzer's codes are): a signup, a password reset, a sign-in's second factor, an email change.
  const pendingSignup = await expect('signing up', app.client().signUp({
    email: uniqueEmail('attente'), password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD, first_name: 'Paule', last_name: 'Attente', accept_terms: true,
  }), 202);
  const reset = await expect('asking for a reset', app.client().forgotPassword(ender.email), 202);
  const challenge = await expect('signing in', app.client({ autoStepUp: false }).logIn(firm.member.email, firm.member.password), 202);
  const emailChange = await expect('changing the email', boss.client.changeEmail({ new_email: uniqueEmail('nouvelle'), current_password: GOOD_PASSWORD }), 202);
  // Credentials a person links with: an invitation's, and the legacy system's (imported by the
  // operator for a contact of the firm).
  const invitation = await invitedMember(app, firm.responsable.client, { first_name: 'Lina', last_name: 'Liaison' });
  const legacy = { username: `er${process.pid % 10000}sel`, password: 'motdepasse-heritage' };
  const salt = randomBytes(9).toString('base64url');
  const imported = await expect('importing legacy credentials', operatorClient(app).operatorImportLegacyCredentials({ items: [{
    username: legacy.username, file_number: firm.organisation.file_number,
    password_hash: `pbkdf2_sha256$1000$${salt}$${pbkdf2Sync(legacy.password, salt, 1000, 32, 'sha256').toString('base64')}`,
    contact: { first_name: 'Émile', last_name: 'Héritage', email: uniqueEmail('heritage'), role: 'membre' },
  }] }), 200);
  if (imported.created !== 1) throw new Error(`the legacy import answered ${JSON.stringify(imported)}`);

  const id = (value) => ({ 'path.id': value });
  const organisationParameters = (contact, hook, token) => ({
    'GET /api/organisation/members/{id}': id(contact),
    'PATCH /api/organisation/members/{id}': id(contact),
    'DELETE /api/organisation/members/{id}': id(contact),
    'POST /api/organisation/members/{id}/link-credentials': id(contact),
    'POST /api/organisation/members/{id}/legacy-unlock': id(contact),
    'GET /api/organisation/webhooks/{id}': id(hook.webhook),
    'PATCH /api/organisation/webhooks/{id}': id(hook.webhook),
    'DELETE /api/organisation/webhooks/{id}': id(hook.webhook),
    'POST /api/organisation/webhooks/{id}/rotate-secret': id(hook.webhook),
    'POST /api/organisation/webhooks/{id}/test': id(hook.webhook),
    'GET /api/organisation/webhooks/{id}/deliveries': id(hook.webhook),
    'POST /api/organisation/webhooks/deliveries/{id}/replay': id(hook.delivery),
    'DELETE /api/organisation/tokens/{id}': id(token),
  });
  const fileParameters = (file) => Object.fromEntries([
    'GET /api/authorized-files/{id}', 'GET /api/authorized-files/{id}/monthly-report', 'GET /api/authorized-files/{id}/monthly-reports',
  ].map((op) => [op, id(file)]).concat([
    'GET /api/authorized-files/{id}/monthly-reports/{month}', 'PUT /api/authorized-files/{id}/monthly-reports/{month}',
    'POST /api/authorized-files/{id}/monthly-reports/{month}/import', 'POST /api/authorized-files/{id}/monthly-reports/{month}/transmit',
    'POST /api/authorized-files/{id}/monthly-reports/{month}/correct',
  ].map((op) => [op, { 'path.id': file, 'path.month': month }])));
  const employerMonth = Object.fromEntries([
    'GET /api/employer/monthly-reports/{month}', 'PUT /api/employer/monthly-reports/{month}',
    'POST /api/employer/monthly-reports/{month}/import', 'POST /api/employer/monthly-reports/{month}/transmit',
    'POST /api/employer/monthly-reports/{month}/correct',
  ].map((op) => [op, { 'path.month': month }]));

  // The operations that end their actor's session or second factor (or the account) run on an
  // actor of their own, each in its own run; the main runs leave them out.
  // (Ending the other sessions would end the one DELETE /api/me/sessions/{id} is given.)
  // Never run: the development routes, the operator's, and the document itself (a static asset:
  // the asset layer, not the worker, answers its other methods).
  const EXCLUDED = '^/(dev/|api/operator/)|^/api/openapi\\.json$';
  const ALONE = ['POST /api/session', 'DELETE /api/session', 'PUT /api/session/profile', 'DELETE /api/me/mfa/totp',
    'POST /api/me/password', 'DELETE /api/me', 'DELETE /api/me/sessions'];
  const runs = [
    {
      name: 'employer responsable (second factor proven)',
      client: boss.client,
      // Every operation but those of a firm's authorized files (covered by the firm's run).
      filters: ['--exclude-path-regex', `${EXCLUDED}|^/api/authorized-files/`, ...ALONE.flatMap((op) => ['--exclude-name', op])],
      parameters: {
        ...organisationParameters(bossMember.id, bossHook, bossToken),
        'GET /api/employer/authorizations/{id}': id(memberAuthorization.id),
        'PATCH /api/employer/authorizations/{id}': id(memberAuthorization.id),
        'DELETE /api/employer/authorizations/{id}': id(memberAuthorization.id),
        'POST /api/employer/authorizations/{id}/confirm': id(memberAuthorization.id),
        'POST /api/employer/access-requests/{id}/approve': id(request.access_request.id),
        'POST /api/employer/access-requests/{id}/decline': id(request.access_request.id),
        'PATCH /api/me/passkeys/{id}': id(passkey.id),
        'DELETE /api/me/passkeys/{id}': id(passkey.id),
        'DELETE /api/me/sessions/{id}': id(bossSession),
        ...employerMonth,
        // Bodies the generator rarely makes valid (an address matching the document's pattern, a
        // password confirmed, an existing firm contact): real ones, so that these succeed too.
        'POST /api/signup/validate': { 'body.email': uniqueEmail('nouveau'), 'body.password': GOOD_PASSWORD, 'body.password_confirmation': GOOD_PASSWORD },
        'POST /api/signup': { 'body.email': uniqueEmail('nouveau'), 'body.password': GOOD_PASSWORD, 'body.password_confirmation': GOOD_PASSWORD },
        'POST /api/password/forgot': { 'body.email': ender.email },
        'POST /api/me/email': { 'body.new_email': uniqueEmail('nouvelle'), 'body.current_password': GOOD_PASSWORD },
        'POST /api/organisation/members': { 'body.email': uniqueEmail('invite') },
        'POST /api/employer/authorizations': { 'body.firm_file_number': firm.organisation.file_number, 'body.contact_email': requester.email },
        'POST /api/signup/resend': { 'body.verification_id': pendingSignup.verification_id },
        'POST /api/signup/verify': { 'body.verification_id': pendingSignup.verification_id },
        'POST /api/password/reset': { 'body.reset_id': reset.reset_id },
        'POST /api/session/mfa': { 'body.challenge_id': challenge.challenge_id },
        'POST /api/session/mfa/passkey/options': { 'body.challenge_id': challenge.challenge_id },
        'POST /api/me/email/confirm': { 'body.verification_id': emailChange.verification_id },
        'POST /api/links/credentials': { 'body.identifier': invitation.identifier, 'body.code': invitation.code },
        'POST /api/links/legacy': { 'body.username': legacy.username, 'body.password': legacy.password },
      },
    },
    {
      name: 'accounting firm responsable (second factor proven)',
      client: firm.responsable.client,
      // The operations whose answer depends on the organisation being a firm: the rest behave
      // alike for both actors and ran in the employer's run.
      filters: ['--include-path-regex', '^/api/(authorized-files|access-requests|monthly-reports/|organisation)'],
      parameters: {
        ...organisationParameters(firmContact.id, firmHook, firmToken),
        ...fileParameters(responsableFile.id),
        'DELETE /api/access-requests/{id}': id(cancellable.access_request.id),
        'POST /api/organisation/members': { 'body.email': uniqueEmail('invite') },
        'POST /api/access-requests': { 'body.file_number': third.form.file_number, 'body.postal_code': third.form.postal_code },
      },
    },
    {
      name: 'sign-in and sign-out (an account of its own)',
      client: signer.client,
      operations: ['POST /api/session', 'DELETE /api/session'],
      parameters: { 'POST /api/session': { 'body.email': signer.email, 'body.password': signer.password } },
    },
    {
      name: 'profile change (a firm member of its own: the change ends the session)',
      client: requester.client,
      operations: ['PUT /api/session/profile'],
      parameters: { 'PUT /api/session/profile': { 'body.profile_id': requester.profile.id } },
    },
    {
      name: 'second factor removal (a firm member of its own, second factor proven)',
      client: firm.member.client,
      operations: ['DELETE /api/me/mfa/totp'],
      parameters: {},
    },
    {
      name: 'password change (an account of its own: the change ends the other sessions)',
      client: changer.client,
      operations: ['POST /api/me/password'],
      parameters: { 'POST /api/me/password': {
        'body.current_password': GOOD_PASSWORD, 'body.new_password': NEW_PASSWORD, 'body.new_password_confirmation': NEW_PASSWORD,
      } },
    },
    {
      name: 'the end of the other sessions (an account of its own, signed in twice)',
      client: ender.client,
      operations: ['DELETE /api/me/sessions'],
      parameters: {},
    },
    {
      name: 'account closure (an account of its own)',
      client: closer.client,
      operations: ['DELETE /api/me'],
      parameters: { 'DELETE /api/me': { 'body.current_password': GOOD_PASSWORD } },
    },
  ];
  const factored = [boss.client, firm.responsable.client, firm.member.client];
  for (const client of factored) {
    if (!(await stepUp(client))) throw new Error(`the step-up of ${client.email} failed`);
  }
  process.on('SIGUSR2', () => {
    const document = JSON.parse(readFileSync(new URL('../public/api/openapi.json', import.meta.url), 'utf8'));
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).filter((m) => ['get', 'put', 'post', 'delete', 'patch'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((op) => !new RegExp(EXCLUDED).test(op.slice(op.indexOf(' ') + 1)));
    const shallow = operations.filter((op) => [...(statuses.get(op) ?? [])].every((status) => [401, 403, 404].includes(status)));
    process.stderr.write(`[check-api] ${operations.length} operations under test; ${shallow.length} never answered anything but 401, 403 or 404${
      shallow.map((op) => `\n  ${op}: ${[...(statuses.get(op) ?? [])].sort().join(', ') || 'never requested'}`).join('')}\n`);
    // SEL_CHECK_API_TALLY=1: every operation's statuses, to see what each run reached.
    if (process.env.SEL_CHECK_API_TALLY === '1') {
      for (const op of operations) process.stderr.write(`  ${op}: ${[...(statuses.get(op) ?? [])].sort().join(', ')}\n`);
    }
    process.stdout.write('tallied\n');
  });
  let signals = 0;
  process.on('SIGUSR1', async () => {
    signals += 1;
    const n = signals;
    // An actor whose run is over may have spent its step-up tries on the fuzzer's codes: only the
    // actors still to run need to succeed, and the shell script knows which those are.
    await Promise.all(factored.map((client) => stepUp(client).catch(() => false)));
    process.stdout.write(`stepped-up ${n}\n`);
  });
  const base = readFileSync(new URL('schemathesis.toml', import.meta.url), 'utf8');
  const described = runs.map((run, index) => {
    const config = join(dir, `run-${index + 1}.toml`);
    const args = join(dir, `run-${index + 1}.args`);
    const sections = Object.entries(run.parameters).map(([operation, values]) =>
      `[[operations]]\ninclude-name = ${JSON.stringify(operation)}\nparameters = { ${
        Object.entries(values).map(([key, value]) => `${JSON.stringify(key)} = ${JSON.stringify(value)}`).join(', ')} }\n`);
    writeFileSync(config, `${base}\n# The real objects of this run (scripts/schemathesis_app.mjs).\n${sections.join('\n')}`);
    const filters = run.filters ?? run.operations.flatMap((op) => ['--include-name', op]);
    writeFileSync(args, `${filters.join('\n')}\n`);
    return { name: run.name, session: session(run.client), config, args, step_up: factored.includes(run.client) };
  });
  statuses.clear();
  process.stdout.write(`${JSON.stringify({ base_url: app.baseUrl, runs: described })}\n`);
} catch (error) {
  process.stderr.write(`seeding failed: ${error.stack ?? error}\n${app.log().slice(-4000)}\n`);
  await stop(1);
}
setInterval(() => {}, 1 << 30);
