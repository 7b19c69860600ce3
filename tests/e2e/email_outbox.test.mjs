// Emails whose queue message was lost: a request commits the outbox row, then enqueues its id; if
// that enqueue fails, the row stays queued and never attempted. The scheduled `email_outbox` job
// enqueues such an email again 15 minutes later (it is then delivered once), or gives it up when
// its message carried a one-time code (the code was only in the message). Lost messages are played
// by outbox rows written straight into the instance's D1, as a failed enqueue leaves them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail, waitFor } from '../support/app.mjs';
import { MINUTE, quote } from '../support/orgs.mjs';
import { countsOf, insertRows, runJobs, workerNow } from '../support/jobs.mjs';

let app;
before(async () => { app = await spawnApp(); });
after(async () => { await app?.stop(); });

const COLUMNS = ['id', 'to_email', 'template', 'locale', 'params', 'attempts', 'created_at'];

/** An outbox row as a request leaves it when the enqueue after its commit failed. */
function strand(rows) {
  insertRows(app, 'email_outbox', COLUMNS, rows.map((row) => [
    row.id, row.to, row.template ?? 'password_changed', 'fr', '{}', row.attempts ?? 0, row.created_at,
  ]));
}

const outboxRow = (id) => app.sql(`SELECT status, attempts, last_error, requeued_at FROM email_outbox WHERE id = ${quote(id)}`)[0];

test('an email that lost its queue message is sent once 15 minutes later; a code email is given up; recent and retrying ones are left alone', async () => {
  // Arrange
  const now = await workerNow(app);
  const to = uniqueEmail('perdu');
  const lost = { id: `lost-${now}`, to, created_at: now - 16 * MINUTE };
  const code = { id: `code-${now}`, to: uniqueEmail('code'), template: 'signup_code', created_at: now - 16 * MINUTE };
  const recent = { id: `recent-${now}`, to: uniqueEmail('recent'), created_at: now - 5 * MINUTE };
  const retrying = { id: `retrying-${now}`, to: uniqueEmail('retry'), attempts: 2, created_at: now - 60 * MINUTE };
  strand([lost, code, recent, retrying]);

  // Act
  const runs = await runJobs(app);

  // Assert
  const delivered = await app.waitForEmail(to);
  assert.equal(delivered.subject, 'Votre mot de passe SEL a été modifié', 'the lost email is rendered and delivered');
  await waitFor('the outbox to mark it sent', () => outboxRow(lost.id).status === 'sent');
  assert.ok(outboxRow(lost.id).requeued_at >= now, 'the run records when it enqueued it again');
  assert.deepEqual(
    { status: outboxRow(code.id).status, last_error: outboxRow(code.id).last_error },
    { status: 'failed', last_error: 'queue message lost; its one-time code cannot be sent again' },
    'a code email cannot be sent again without its code: it is given up, with the reason',
  );
  assert.equal(outboxRow(recent.id).requeued_at, null, 'an email queued 5 minutes ago may still be on its way');
  assert.equal(outboxRow(retrying.id).requeued_at, null, 'an email the queue is retrying keeps its message');
  const job = runs.find((run) => run.job === 'email_outbox');
  assert.equal(job.error, null, 'the run recorded no error');
  assert.deepEqual(job.counts, { codes_given_up: 1, requeued: 1 }, 'the run counts what it did');

  // A later run finds nothing more to do, and the email was delivered once.
  await app.advanceClock(20 * MINUTE);
  assert.deepEqual(countsOf(await runJobs(app), 'email_outbox'), { codes_given_up: 0, requeued: 1 }, 'only the recent email, stranded by now');
  assert.equal((await app.mailbox(to)).length, 1, 'the lost email went out once');
});

test('two overlapping runs enqueue each stranded email once', async () => {
  // Arrange
  const now = await workerNow(app);
  const stranded = Array.from({ length: 30 }, (_, i) => ({ id: `overlap-${now}-${i}`, to: uniqueEmail(`chevauche${i}`), created_at: now - 30 * MINUTE }));
  strand(stranded);

  // Act
  const runs = await runJobs(app, { times: 2 });

  // Assert
  assert.equal(countsOf(runs, 'email_outbox').requeued, stranded.length, 'the two runs together enqueued each email once');
  for (const { id, to } of stranded) {
    await waitFor(`${id} to be sent`, () => outboxRow(id).status === 'sent');
    assert.equal((await app.mailbox(to)).length, 1, `${to} received the email once`);
  }
});
