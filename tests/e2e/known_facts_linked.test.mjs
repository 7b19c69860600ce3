// Known facts to a linked address: when the facts match a file whose address on file belongs to a
// contact already linked, no credentials go out; that address is told that someone asked (and what
// to do if it is unexpected), within the address's email budget. The requester's "Mes demandes"
// shows the request as sent to the address on file (the same answer as any other, so it never says
// whether the facts matched), and the organisation's responsable sees it in the trail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail, isDevProxyDrop } from '../support/app.mjs';
import { emailTo, isLinkCredentialsEmail, quote, signedUp, sql } from '../support/orgs.mjs';
import { employer } from '../support/authz.mjs';

let app;

before(async () => {
  app = await spawnApp();
});

after(async () => {
  await app?.stop();
});

const knownFacts = (client, file_number, postal_code) => client.linkWithKnownFacts({ file_number, postal_code });
const queued = (to, template) => sql(app, `SELECT id FROM email_outbox WHERE to_email = ${quote(to)} AND template = ${quote(template)}`);

/** An employer whose address on file is its responsable's own, linked. */
async function employerLinkedOnFile() {
  const email = uniqueEmail('aufichier');
  const boss = await employer(app, { email, responsible: { first_name: 'Rachel', last_name: 'Dossier', email } });
  return { ...boss, onFile: email };
}

test('matching facts for a file whose address on file is already linked tell that address, send no credentials, and show in Mes demandes and the trail', async () => {
  const boss = await employerLinkedOnFile();
  const requester = await signedUp(app, { first_name: 'Inconnu', last_name: 'Demandeur' });

  const res = await knownFacts(requester.client, boss.organisation.file_number, boss.postalCode);
  assert.equal(res.status, 202, res.text);
  assert.equal(res.text, '{}', 'the same answer as any other request');

  assert.equal((await queued(boss.onFile, 'known_facts_already_linked')).length, 1, 'the address on file is told');
  assert.deepEqual(await queued(boss.onFile, 'known_facts_link_code'), [], 'no credentials');
  const notice = await emailTo(app, boss.onFile, (e) => /Demande de liaison/.test(e.subject));
  assert.match(notice.text, new RegExp(boss.organisation.file_number), 'it names the file');
  assert.match(notice.text, /aucun code de liaison/, 'it says no code was sent');
  assert.ok(!isLinkCredentialsEmail(notice), 'it carries no credentials');
  assert.ok(!notice.text.includes(requester.email), 'it does not expose the requester\'s address');

  const mine = await requester.client.myRequests({ kind: 'link_request' });
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.body.items.map((i) => [i.kind, i.file_number, i.status]), [['link_request', boss.organisation.file_number, 'sent']]);

  const trail = await boss.client.audit({ action: 'link.' });
  assert.equal(trail.status, 200, trail.text);
  const asked = trail.body.items.filter((e) => e.action === 'link.known_facts_already_linked');
  assert.equal(asked.length, 1, 'the responsable sees the request');
  assert.equal(asked[0].actor.email, requester.email);
});

test('the notice to a linked address keeps to the address budget: a second request within the minute sends nothing more', async () => {
  const boss = await employerLinkedOnFile();
  const requester = await signedUp(app);
  for (let i = 0; i < 2; i += 1) {
    assert.equal((await knownFacts(requester.client, boss.organisation.file_number, boss.postalCode)).status, 202);
  }
  assert.equal((await queued(boss.onFile, 'known_facts_already_linked')).length, 1, 'one notice a minute');
  const mine = await requester.client.myRequests({ kind: 'link_request' });
  assert.equal(mine.body.items.length, 2, 'both requests are the requester\'s to see');
});

test('a burst of 40 matching requests to a linked address sends a single notice', async () => {
  const boss = await employerLinkedOnFile();
  const requester = await signedUp(app);
  const answers = await Promise.all(Array.from({ length: 40 }, () => knownFacts(requester.client, boss.organisation.file_number, boss.postalCode)));
  // wrangler dev's own 503 is set aside (see isDevProxyDrop), never one of SEL's.
  for (const res of answers) assert.ok([202, 429].includes(res.status) || isDevProxyDrop(res), `${res.status} ${res.text}`);
  assert.equal((await queued(boss.onFile, 'known_facts_already_linked')).length, 1);
});
