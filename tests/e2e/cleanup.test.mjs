import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail, waitFor } from '../support/app.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

const count = (table, where) => app.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)[0].n;

test('the scheduled cleanup purges expired codes and ended sessions past retention, and keeps live ones', async () => {
  // Arrange: a signed-out session, an abandoned signup code, then a day and more later a live session.
  const old = await app.signedUpUser();
  await old.client.logOut();
  const abandonedEmail = uniqueEmail('abandoned');
  const abandoned = await app.client().signUp({
    email: abandonedEmail, password: old.password, password_confirmation: old.password,
    first_name: 'Luc', last_name: 'Gagnon', accept_terms: true,
  });
  assert.equal(abandoned.status, 202);
  assert.equal(count('verifications', `id = '${abandoned.body.verification_id}'`), 1);
  await app.advanceClock(25 * 60 * 60 * 1000);
  const live = await app.signedUpUser();

  // Act
  await app.runScheduled();

  // Assert: the cron handler runs asynchronously to the /__scheduled answer, so poll for its effect.
  await waitFor('the abandoned code to be purged', () => count('verifications', `id = '${abandoned.body.verification_id}'`) === 0);
  await waitFor('the ended session to be purged', () => count('sessions', `user_id = '${old.user.id}'`) === 0);
  assert.equal(count('sessions', `user_id = '${live.user.id}'`), 1, 'a live session is kept');
  assert.equal((await live.client.me()).status, 200, 'the live session still works');
});
