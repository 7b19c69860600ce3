// The cleanup job of the scheduled runs: each kind of row that can no longer be used is deleted
// once its retention has passed (the clock is moved to age rows), a run never deletes more than
// its bound of a kind, a second run finds nothing more, and two overlapping runs delete each row
// once. Runs are triggered like Cron Triggers (wrangler's scheduled handler) and their effects are
// read from the instance's D1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail, GOOD_PASSWORD, waitFor } from '../support/app.mjs';
import { DAY, HOUR, createOrganisation, credentialsSentTo, invitedMember, linkedMember, linkedResponsible, quote } from '../support/orgs.mjs';
import { JOBS, countsOf, execute, insertRows, runJobs, times, workerNow } from '../support/jobs.mjs';

/** At most this many rows of one kind per run (500 per statement, 10 statements). */
const PER_RUN = 5000;

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

const count = (table, where) => app.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)[0].n;

const signupForm = (email) => ({
  email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD, first_name: 'Luc', last_name: 'Gagnon', accept_terms: true,
});

/** Runs the cleanup until a run deletes nothing, so a test starts from what it arranges itself. */
async function drain() {
  for (let run = 0; run < 20; run += 1) {
    const cleanup = countsOf(await runJobs(app), 'cleanup');
    if (Object.values(cleanup).every((rows) => rows === 0)) return;
  }
  throw new Error('the cleanup never ran dry');
}

test('the scheduled cleanup purges expired codes and ended sessions past retention, and keeps live ones', async () => {
  // Arrange: a signed-out session, an abandoned signup code, then a day and more later a live session.
  const old = await app.signedUpUser();
  await old.client.logOut();
  const abandoned = await app.client().signUp(signupForm(uniqueEmail('abandoned')));
  assert.equal(abandoned.status, 202);
  assert.equal(count('verifications', `id = '${abandoned.body.verification_id}'`), 1);
  await app.advanceClock(25 * HOUR);
  const live = await app.signedUpUser();

  // Act
  const runs = await runJobs(app);

  // Assert
  assert.equal(count('verifications', `id = '${abandoned.body.verification_id}'`), 0, 'the abandoned code is purged');
  assert.equal(count('sessions', `user_id = '${old.user.id}'`), 0, 'the ended session is purged');
  assert.equal(count('sessions', `user_id = '${live.user.id}'`), 1, 'a live session is kept');
  assert.equal((await live.client.me()).status, 200, 'the live session still works');
  const cleanup = runs.find((run) => run.job === 'cleanup');
  assert.equal(cleanup.error, null, 'the run recorded no error');
  assert.ok(cleanup.counts.verifications >= 1 && cleanup.counts.sessions >= 1, `the run counts what it deleted: ${JSON.stringify(cleanup.counts)}`);
});

test('an account never verified is deleted 7 days after its last signup attempt, with its codes; verified accounts and recent attempts stay', async () => {
  // Arrange: two signups left unverified, a verified account, and 6 days later a new attempt for one of them.
  const forgotten = uniqueEmail('jamais');
  const retried = uniqueEmail('reessai');
  for (const email of [forgotten, retried]) assert.equal((await app.client().signUp(signupForm(email))).status, 202);
  const verified = await app.signedUpUser();
  const userOf = (email) => app.sql(`SELECT id, status FROM users WHERE email = ${quote(email)}`)[0];
  const forgottenId = userOf(forgotten).id;
  await app.advanceClock(6 * DAY);
  assert.equal((await app.client().signUp(signupForm(retried))).status, 202);
  await app.advanceClock(DAY + HOUR);

  // Act
  const runs = await runJobs(app);

  // Assert
  assert.equal(userOf(forgotten), undefined, 'an account never verified for 7 days is deleted');
  assert.equal(count('verifications', `user_id = ${quote(forgottenId)}`), 0, 'its codes go with it');
  assert.equal(userOf(retried)?.status, 'pending', 'an account whose owner tried again within 7 days stays');
  assert.equal(userOf(verified.email)?.status, 'active', 'a verified account stays, however old');
  assert.ok(countsOf(runs, 'cleanup').unverified_accounts >= 1, 'the run counts the accounts it deleted');
  assert.equal((await app.client().signUp(signupForm(forgotten))).status, 202, 'the address can sign up afresh');
  assert.equal(userOf(forgotten)?.status, 'pending');
});

test('link credentials are deleted 30 days after they expire, except the latest ones of a contact still invited', async () => {
  // Arrange: an organisation whose responsible linked, a member linked, and a member invited whose
  // credentials were reissued (the first ones superseded).
  const responsible = await linkedResponsible(app);
  const linked = await linkedMember(app, responsible.client);
  const invited = await invitedMember(app, responsible.client);
  const reissued = await responsible.client.reissueLinkCredentials(invited.contact.id, {});
  assert.equal(reissued.status, 201, reissued.text);
  const latest = await credentialsSentTo(app, invited.email, { count: 2 });
  const credentialsOf = (contactId) => app.sql(`SELECT identifier FROM link_credentials WHERE contact_id = ${quote(contactId)}`).map((r) => r.identifier);
  assert.equal(credentialsOf(invited.contact.id).length, 2);
  // Expired for 29 days: still kept.
  await app.advanceClock(59 * DAY);
  await runJobs(app);
  assert.equal(credentialsOf(invited.contact.id).length, 2, 'credentials expired for less than 30 days stay');

  // Act: expired for more than 30 days.
  await app.advanceClock(2 * DAY);
  const runs = await runJobs(app);

  // Assert
  assert.deepEqual(credentialsOf(invited.contact.id), [latest.identifier], 'the superseded credentials go; the latest of a contact still invited stay (the inventory shows them expired)');
  assert.deepEqual(credentialsOf(linked.contactId), [], 'the used credentials of a linked member go');
  assert.deepEqual(credentialsOf(responsible.contactId), [], 'the used credentials of the responsible go');
  assert.ok(countsOf(runs, 'cleanup').link_credentials >= 3, `the run counts them: ${JSON.stringify(countsOf(runs, 'cleanup'))}`);
});

test('sent emails leave the development mailbox after 7 days and the outbox after 30; queued ones stay', async () => {
  // Arrange: a signup whose code email was delivered, and an email from long ago the queue still retries.
  const email = uniqueEmail('courriel');
  assert.equal((await app.client().signUp(signupForm(email))).status, 202);
  await app.waitForEmail(email);
  await waitFor('the outbox to mark the email sent', () => count('email_outbox', `to_email = ${quote(email)} AND status = 'sent'`) === 1);
  const now = await workerNow(app);
  insertRows(app, 'email_outbox', ['id', 'to_email', 'template', 'locale', 'params', 'status', 'attempts', 'created_at'],
    [[`queued-${now}`, email, 'password_changed', 'fr', '{}', 'queued', 3, now - 90 * DAY]]);

  // Act and assert: 8 days later the mailbox entry is gone, the outbox row is not.
  await app.advanceClock(8 * DAY);
  await runJobs(app);
  assert.equal(count('dev_mailbox', `to_email = ${quote(email)}`), 0, 'the mailbox keeps emails 7 days');
  assert.equal(count('email_outbox', `to_email = ${quote(email)} AND status = 'sent'`), 1, 'the outbox keeps sent emails 30 days');

  // 31 days later the sent outbox row is gone; the queued one stays, however old.
  await app.advanceClock(23 * DAY);
  const runs = await runJobs(app);
  assert.equal(count('email_outbox', `to_email = ${quote(email)} AND status = 'sent'`), 0, 'a sent email goes after 30 days');
  assert.equal(count('email_outbox', `id = 'queued-${now}'`), 1, 'an email still queued is never purged');
  assert.ok(countsOf(runs, 'cleanup').outbox_emails >= 1);
});

test('webhook deliveries delivered or given up leave the log after 30 days with their attempts; pending ones stay', async () => {
  // Arrange: an endpoint with an old delivered, an old failed and an old pending delivery, each with an attempt.
  const { organisation } = await createOrganisation(app);
  const now = await workerNow(app);
  const old = now - 31 * DAY;
  const endpoint = `endpoint-${Date.now()}`;
  insertRows(app, 'webhook_endpoints', ['id', 'organisation_id', 'url', 'events', 'secret', 'after_seq', 'created_at', 'updated_at'],
    [[endpoint, organisation.id, 'https://logiciel.example/hook', '["contact.linked"]', 'sealed', 0, old, old]]);
  const deliveries = ['succeeded', 'failed', 'pending'].map((status, i) => [`${endpoint}-${status}`, endpoint, i + 1, 'contact.linked', status, old]);
  insertRows(app, 'webhook_deliveries', ['id', 'endpoint_id', 'event_seq', 'event_type', 'status', 'created_at'], deliveries);
  insertRows(app, 'webhook_attempts', ['delivery_id', 'number', 'at', 'latency_ms'], deliveries.map(([id]) => [id, 1, old, 12]));

  // Act
  const runs = await runJobs(app);

  // Assert
  const left = app.sql(`SELECT status FROM webhook_deliveries WHERE endpoint_id = ${quote(endpoint)}`).map((r) => r.status);
  assert.deepEqual(left, ['pending'], 'finished deliveries older than 30 days are deleted; a pending one stays');
  assert.equal(count('webhook_attempts', `delivery_id LIKE ${quote(`${endpoint}%`)} AND delivery_id != ${quote(`${endpoint}-pending`)}`), 0, 'their attempts go with them');
  assert.equal(count('webhook_attempts', `delivery_id = ${quote(`${endpoint}-pending`)}`), 1, "the pending delivery's attempt stays");
  assert.ok(countsOf(runs, 'cleanup').webhook_deliveries >= 2, 'the run counts the deliveries it deleted');
});

test('rate-limit counters untouched for a day are deleted', async () => {
  // Arrange: a failed login counts against the account and the address.
  const user = await app.signedUpUser();
  assert.equal((await app.client({ ip: '203.0.113.77' }).logIn(user.email, 'Pas le bon mot de passe')).status, 401);
  const counters = `key LIKE ${quote(`%${user.email}%`)} OR key LIKE '%203.0.113.77%'`;
  assert.ok(count('rate_limits', counters) >= 2, 'the failure is counted');
  await app.advanceClock(23 * HOUR);
  await runJobs(app);
  assert.ok(count('rate_limits', counters) >= 2, 'counters touched within a day stay');

  // Act
  await app.advanceClock(2 * HOUR);
  await runJobs(app);

  // Assert
  assert.equal(count('rate_limits', counters), 0);
});

test(`a run deletes at most ${PER_RUN} rows of a kind, and the next runs finish the backlog`, async () => {
  // Arrange: 12,345 verifications expired two days ago, seeded straight into D1.
  await drain();
  const now = await workerNow(app);
  const seeded = 12_345;
  insertRows(app, 'verifications', ['id', 'purpose', 'email', 'code_hash', 'expires_at', 'last_sent_at', 'created_at'],
    times(seeded, (i) => [`seed-${now}-${i}`, 'signup', `seed${i}@exemple.ca`, 'x', now - 2 * DAY, now - 2 * DAY - 10 * 60000, now - 2 * DAY - 10 * 60000]));
  const left = () => count('verifications', `id LIKE 'seed-${now}-%'`);

  // Act and assert, run by run.
  const expected = [PER_RUN, PER_RUN, seeded - 2 * PER_RUN, 0];
  for (const [run, deleted] of expected.entries()) {
    const runs = await runJobs(app);
    assert.equal(countsOf(runs, 'cleanup').verifications, deleted, `run ${run + 1} deletes ${deleted}`);
  }
  assert.equal(left(), 0, 'the backlog is gone');
});

test('a second run right after the first finds nothing more to delete and changes nothing', async () => {
  // Arrange: a bit of everything to delete, then a first run.
  const abandoned = uniqueEmail('deux');
  await app.client().signUp(signupForm(abandoned));
  await app.waitForEmail(abandoned);
  const user = await app.signedUpUser();
  await user.client.logOut();
  await app.advanceClock(8 * DAY);
  await drain();
  const tables = ['users', 'verifications', 'sessions', 'link_credentials', 'rate_limits', 'email_outbox', 'dev_mailbox'];
  const snapshot = () => Object.fromEntries(tables.map((t) => [t, count(t, '1 = 1')]));
  const before = snapshot();

  // Act
  const runs = await runJobs(app);

  // Assert
  const cleanup = countsOf(runs, 'cleanup');
  assert.ok(Object.values(cleanup).every((rows) => rows === 0), `nothing more to delete: ${JSON.stringify(cleanup)}`);
  assert.deepEqual(snapshot(), before, 'no row changed');
});

test('two overlapping runs delete each row once and both finish without error', async () => {
  // Arrange: 7,000 counters untouched for two days: more than one run deletes.
  await drain();
  const now = await workerNow(app);
  const seeded = 7000;
  insertRows(app, 'rate_limits', ['key', 'window_start', 'count', 'last_at'],
    times(seeded, (i) => [`seed-${now}:${i}`, now - 2 * DAY, 1, now - 2 * DAY]));

  // Act: two cron events at once.
  const runs = await runJobs(app, { times: 2 });

  // Assert
  assert.deepEqual(runs.map((run) => run.error), Array(runs.length).fill(null), 'no run failed');
  const cleanups = runs.filter((run) => run.job === 'cleanup');
  assert.equal(cleanups.length, 2);
  for (const run of cleanups) assert.ok(run.counts.rate_limit_counters <= PER_RUN, 'each run keeps its bound');
  assert.equal(countsOf(runs, 'cleanup').rate_limit_counters, seeded, 'together they deleted every row once');
  assert.equal(count('rate_limits', `key LIKE 'seed-${now}:%'`), 0);
});

test('an organisation created by the operator keeps its responsible\'s credentials until they are used or expire', async () => {
  // Arrange: an organisation whose responsible never linked.
  const { responsible } = await createOrganisation(app);
  const credentials = () => count('link_credentials', `contact_id = ${quote(responsible.contact_id)}`);
  assert.equal(credentials(), 1);

  // Act: long after they expired.
  await app.advanceClock(90 * DAY);
  await runJobs(app);

  // Assert
  assert.equal(credentials(), 1, 'the latest credentials of a contact still invited are what the inventory shows');
});

test('a kind that fails is logged and recorded, and the other kinds and jobs still run', async () => {
  // Arrange: old counters to delete, and the mailbox table out of the way so its purge fails.
  await drain();
  const now = await workerNow(app);
  insertRows(app, 'rate_limits', ['key', 'window_start', 'count', 'last_at'],
    times(10, (i) => [`broken-${now}:${i}`, now - 2 * DAY, 1, now - 2 * DAY]));
  execute(app, 'ALTER TABLE dev_mailbox RENAME TO dev_mailbox_away');
  try {
    // Act
    const runs = await runJobs(app);

    // Assert
    const cleanup = runs.find((run) => run.job === 'cleanup');
    assert.match(cleanup.error ?? '', /mailbox_emails: .*dev_mailbox/, 'the run records which kind failed and why');
    assert.equal(cleanup.counts.rate_limit_counters, 10, 'the other kinds still ran');
    const others = runs.filter((run) => run.job !== 'cleanup');
    assert.deepEqual(others.map((run) => run.error), Array(JOBS.length - 1).fill(null), 'the other jobs still ran');
    await waitFor('the failure in the worker\'s log', () => /cleanup failed .*mailbox_emails/.test(app.log()));
  } finally {
    execute(app, 'ALTER TABLE dev_mailbox_away RENAME TO dev_mailbox');
  }
});
