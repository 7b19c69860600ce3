// Outgoing webhooks, seen from a receiver: registration (secret shown once), Standard Webhooks
// signatures checked by an independent verifier (Python's standard library), headers and body,
// fan-out to the organisations of each event, the delivery log, 410 disabling the endpoint with an
// email to the responsables, replay, changes and their audit, redirects not followed, the SSRF
// guard in development, access control and bad input. Retries over days, secret rotation and the
// production SSRF guard are in webhooks_over_time.test.mjs.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, waitFor } from '../support/app.mjs';
import { linkedResponsible, linkedMember, badInputCases, sendCase, assertRejected, cookieOf, invalid, emailTo, sql, quote } from '../support/orgs.mjs';
import {
  withReceiver, verify, ALL_EVENTS, isDisabledEmail, createWebhook, employerWithWebhook, newFirm, grant, deliveries, deliveryRows,
  attemptRows, endpointRow,
} from '../support/webhooks.mjs';

// ---------------------------------------------------------------------------------------------
describe('webhooks in development', () => {
  let app;
  before(async () => { app = await spawnApp(); });
  after(async () => { await app?.stop(); });

  test('a responsible registers an endpoint and sees its signing secret once, stored sealed', async () => {
    await withReceiver(async (receiver) => {
      const { client } = await linkedResponsible(app);

      const created = await createWebhook(client, `${receiver.url}/sel`, ['contact.linked', 'contact.revoked'], 'Intégration');
      const listed = await client.webhooks();
      const shown = await client.webhook(created.body.webhook.id);

      assert.equal(created.status, 201, created.text);
      assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'a Standard Webhooks secret of 32 bytes');
      assert.deepEqual(created.body.webhook.events, ['contact.linked', 'contact.revoked']);
      assert.equal(created.body.webhook.status, 'active');
      assert.equal(created.body.webhook.description, 'Intégration');
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.items.map((w) => w.id), [created.body.webhook.id]);
      for (const res of [listed, shown]) assert.ok(!res.text.includes(created.body.secret.slice(6)), 'the secret is never shown again');
      const row = await endpointRow(app, created.body.webhook.id);
      assert.ok(!row.secret.includes(created.body.secret.slice(6)), 'the database keeps the secret sealed, not readable');
      assert.match(row.secret, /^v1\./);
    });
  });

  test('an authorization reaches the endpoints of both organisations, signed per Standard Webhooks, and no one else', async () => {
    await withReceiver(async (receiver) => {
      const employer = await employerWithWebhook(app, receiver, '/employer');
      const firm = await linkedResponsible(app);
      const firmHook = await createWebhook(firm.client, `${receiver.url}/firm`, ['authorization.granted']);
      const stranger = await employerWithWebhook(app, receiver, '/stranger', ALL_EVENTS);
      const firmNotWanting = await createWebhook(firm.client, `${receiver.url}/firm-contacts-only`, ['contact.linked']);
      assert.equal(firmNotWanting.status, 201, firmNotWanting.text);

      const authorization = await grant(employer.client, { form: firm.form, responsible: { email: firm.email } });
      const [toEmployer] = await receiver.waitFor(1, { filter: (r) => r.path === '/employer' });
      const [toFirm] = await receiver.waitFor(1, { filter: (r) => r.path === '/firm' });

      for (const [request, secret, label] of [[toEmployer, employer.secret, 'employer'], [toFirm, firmHook.body.secret, 'firm']]) {
        const check = verify(secret, request);
        assert.equal(check.valid, true, `${label}: the independent verifier accepts the signature`);
        assert.equal(check.fresh, true, `${label}: webhook-timestamp is now, in seconds`);
        assert.equal(check.signatures, 1, `${label}: one secret, one signature`);
        assert.match(request.headers['webhook-id'], /^[0-9a-f]{32}$/);
        assert.match(request.headers['webhook-timestamp'], /^\d{10}$/);
        assert.match(request.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
        assert.match(request.headers['content-type'], /^application\/json/);
        assert.ok(request.bytes < 20_000, `${label}: the body is under 20 KB (${request.bytes})`);
        assert.equal(request.body.type, 'authorization.granted');
        assert.match(request.body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(request.body.data.authorization.id, authorization.id);
        assert.equal(request.body.data.authorization.firm.file_number, firm.form.file_number);
        assert.match(request.body.data.event_id, /^[0-9a-f]{32}$/);
      }
      assert.notEqual(toEmployer.headers['webhook-id'], toFirm.headers['webhook-id'], 'one delivery per endpoint');
      assert.equal(verify(firmHook.body.secret, toEmployer).valid, false, "one endpoint's secret does not verify another's deliveries");
      await app.runScheduled();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(receiver.at('/stranger').length, 0, "another employer's endpoint receives nothing");
      assert.equal(receiver.at('/firm-contacts-only').length, 0, 'an endpoint receives only the events it wants');
      assert.equal(receiver.at('/employer').length, 1, 'the cron sweep does not send a delivered event again');
      assert.equal((await deliveryRows(app, stranger.webhook.id)).length, 0);
    });
  });

  test('the delivery log shows each attempt with its status code and latency', async () => {
    await withReceiver(async (receiver) => {
      const employer = await employerWithWebhook(app, receiver);
      const firm = await newFirm(app);
      await grant(employer.client, firm);
      const [received] = await receiver.waitFor(1);

      const items = await waitFor('the attempt to be logged', async () => {
        const found = await deliveries(employer.client, employer.webhook.id);
        return found[0]?.status === 'succeeded' ? found : undefined;
      });

      assert.equal(items.length, 1);
      const [delivery] = items;
      assert.equal(delivery.id, received.headers['webhook-id'], 'the log names the delivery by its webhook-id');
      assert.equal(delivery.event.type, 'authorization.granted');
      assert.equal(delivery.attempts, 1);
      assert.equal(delivery.last_status_code, 200);
      assert.equal(delivery.attempt_log.length, 1);
      assert.equal(delivery.attempt_log[0].status_code, 200);
      assert.equal(typeof delivery.attempt_log[0].latency_ms, 'number');
      assert.ok(delivery.attempt_log[0].latency_ms >= 0);
      assert.equal(delivery.attempt_log[0].error, null);
      assert.deepEqual(delivery.subject, {
        contact: `${firm.responsible.first_name} ${firm.responsible.last_name}`,
        employer: employer.organisation.name,
        file_number: employer.organisation.file_number,
      }, 'the log says whom the event was about');
    });
  });

  test("contact.linked and contact.revoked reach the endpoint of the contact's organisation", async () => {
    await withReceiver(async (receiver) => {
      const firm = await linkedResponsible(app);
      const hook = await createWebhook(firm.client, `${receiver.url}/contacts`, ['contact.linked', 'contact.revoked']);
      assert.equal(hook.status, 201, hook.text);

      const member = await linkedMember(app, firm.client);
      const [linked] = await receiver.waitFor(1);
      const revoked = await firm.client.revokeMember(member.contactId);
      assert.equal(revoked.status, 200, revoked.text);
      const [, revokedEvent] = await receiver.waitFor(2);

      assert.equal(linked.body.type, 'contact.linked');
      assert.equal(linked.body.data.contact.id, member.contactId);
      assert.equal(linked.body.data.contact.email, member.email);
      assert.equal(linked.body.data.contact.status, 'linked');
      assert.equal(linked.body.data.organisation.id, firm.organisation.id);
      assert.equal(revokedEvent.body.type, 'contact.revoked');
      assert.equal(revokedEvent.body.data.contact.status, 'revoked');
      for (const request of [linked, revokedEvent]) assert.equal(verify(hook.body.secret, request).valid, true);
      const events = await sql(app, `SELECT type, employer_id, firm_id FROM domain_events WHERE payload LIKE ${quote(`%${member.contactId}%`)} ORDER BY seq`);
      assert.deepEqual(events.map((e) => ({ ...e })), [
        { type: 'contact.linked', employer_id: null, firm_id: firm.organisation.id },
        { type: 'contact.revoked', employer_id: null, firm_id: firm.organisation.id },
      ], 'appended with the change, for the organisation only');
    });
  });

  test('410 Gone disables the endpoint at once and emails its responsables; enabling it again resumes deliveries', async () => {
    await withReceiver(async (receiver) => {
      receiver.answer = () => 410;
      const employer = await employerWithWebhook(app, receiver);
      const firm = await newFirm(app);

      await grant(employer.client, firm);
      await receiver.waitFor(1);
      const email = await emailTo(app, employer.email, isDisabledEmail);
      const shown = await employer.client.webhook(employer.webhook.id);

      assert.equal(shown.body.webhook.status, 'disabled');
      assert.equal(shown.body.webhook.disabled_reason, 'gone');
      assert.match(email.text, /410 Gone/);
      assert.ok(email.text.includes(`${receiver.url}/hook`), 'the email names the URL');
      const [delivery] = await deliveryRows(app, employer.webhook.id);
      assert.equal(delivery.status, 'failed');
      assert.equal(delivery.attempts, 1, 'no retry after 410');
      assert.equal(delivery.last_error_kind, 'gone', 'the log says why in a code the UI translates');

      receiver.answer = () => 200;
      const firm2 = await newFirm(app);
      await grant(employer.client, firm2);
      await app.runScheduled();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(receiver.requests.length, 1, 'a disabled endpoint receives nothing');
      assert.equal((await deliveryRows(app, employer.webhook.id)).length, 1, 'nor does it accumulate deliveries');

      const enabled = await employer.client.updateWebhook(employer.webhook.id, { status: 'active' });
      assert.equal(enabled.status, 200, enabled.text);
      assert.equal(enabled.body.webhook.status, 'active');
      assert.equal(enabled.body.webhook.disabled_reason, null);
      await grant(employer.client, await newFirm(app));
      const [, resumed] = await receiver.waitFor(2);
      assert.equal(resumed.status, 200);
      assert.equal(verify(employer.secret, resumed).valid, true);
      const audit = await employer.client.audit();
      const actions = audit.body.items.map((e) => e.action);
      assert.ok(actions.includes('webhook.disabled'), `the audit trail says it was disabled: ${actions}`);
    });
  });

  test('a redirect is not followed: it is a failed attempt, logged with its status', async () => {
    await withReceiver(async (receiver) => {
      receiver.answer = (request) => (request.path === '/hook' ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : 200);
      const employer = await employerWithWebhook(app, receiver);
      await grant(employer.client, await newFirm(app));
      await receiver.waitFor(1);

      const [delivery] = await waitFor('the attempt to be logged', async () => {
        const found = await deliveries(employer.client, employer.webhook.id);
        return found[0]?.attempt_log.length ? found : undefined;
      });

      assert.equal(receiver.at('/elsewhere').length, 0, 'the Location is never requested');
      assert.equal(delivery.status, 'pending', 'it will be retried');
      assert.equal(delivery.attempt_log[0].status_code, 302);
      assert.match(delivery.attempt_log[0].error, /redirect/);
      assert.equal(delivery.attempt_log[0].error_kind, 'redirect', 'the attempt says why in a code the UI translates');
      assert.equal(delivery.last_error_kind, 'redirect');
      const shown = await employer.client.webhook(employer.webhook.id);
      assert.equal(shown.body.webhook.pending_deliveries, 1, 'the endpoint counts the delivery waiting for its retry');
      assert.ok(delivery.next_attempt_at > delivery.last_attempt_at);
    });
  });

  test('a test event goes to that endpoint only, signed, and is logged; another organisation\'s, a membre and a paused endpoint are refused', async () => {
    await withReceiver(async (receiver) => {
      // Arrange: two endpoints of one employer; another organisation; a membre of the employer.
      const employer = await employerWithWebhook(app, receiver, '/tested');
      const sibling = await createWebhook(employer.client, `${receiver.url}/sibling`, ['authorization.granted']);
      const stranger = await linkedResponsible(app);
      const member = await linkedMember(app, employer.client, {});
      const path = `/api/organisation/webhooks/${employer.webhook.id}/test`;

      // Act
      const sent = await employer.client.post(path, {});
      const [received] = await receiver.waitFor(1);

      // Assert
      assert.equal(sent.status, 202, sent.text);
      assert.equal(sent.body.delivery.event.type, 'webhook.test');
      assert.equal(received.path, '/tested');
      assert.equal(received.headers['webhook-id'], sent.body.delivery.id);
      assert.equal(verify(employer.secret, received).valid, true, 'signed like every delivery');
      assert.equal(received.body.type, 'webhook.test');
      assert.deepEqual(received.body.data.webhook, { id: employer.webhook.id, url: `${receiver.url}/tested` });
      await waitFor('the test delivery to succeed', async () => (await deliveries(employer.client, employer.webhook.id))[0]?.status === 'succeeded');
      await app.runScheduled();
      await grant(employer.client, await newFirm(app));
      await receiver.waitFor(1, { filter: (r) => r.path === '/sibling' });
      assert.equal(receiver.at('/tested').filter((r) => r.body?.type === 'webhook.test').length, 1, 'the test went out once');
      assert.equal(receiver.at('/sibling').filter((r) => r.body?.type === 'webhook.test').length, 0, 'and to no other endpoint');
      assert.equal(sibling.status, 201);

      const foreign = await stranger.client.post(path, {});
      assert.equal(foreign.status, 404, `another organisation's endpoint is not found: ${foreign.text}`);
      const asMember = await member.client.post(path, {});
      assert.equal(asMember.status, 403, asMember.text);
      assert.equal(asMember.body.error.code, 'responsable_required');
      await employer.client.updateWebhook(employer.webhook.id, { status: 'disabled' });
      const paused = await employer.client.post(path, {});
      assert.equal(paused.status, 409, paused.text);
      assert.equal(paused.body.error.code, 'webhook_disabled');
    });
  });

  test('a replay sends the delivery again with the same webhook-id and a fresh signature', async () => {
    await withReceiver(async (receiver) => {
      const employer = await employerWithWebhook(app, receiver);
      await grant(employer.client, await newFirm(app));
      const [first] = await receiver.waitFor(1);
      const deliveryId = first.headers['webhook-id'];
      await waitFor('the delivery to succeed', async () => (await deliveryRows(app, employer.webhook.id))[0]?.status === 'succeeded');

      const replayed = await employer.client.replayDelivery(deliveryId, {});
      const [, second] = await receiver.waitFor(2);

      assert.equal(replayed.status, 202, replayed.text);
      assert.equal(replayed.body.delivery.id, deliveryId);
      assert.equal(second.headers['webhook-id'], deliveryId, 'the same webhook-id');
      assert.equal(second.text, first.text, 'the same body');
      assert.equal(verify(employer.secret, second).valid, true);
      const attempts = await waitFor('both attempts logged', async () => {
        const rows = await attemptRows(app, deliveryId);
        return rows.length === 2 ? rows : undefined;
      });
      assert.deepEqual(attempts.map((a) => [a.number, a.status_code, a.replay]), [[1, 200, 0], [2, 200, 1]]);
      const unknown = await employer.client.replayDelivery('0123456789abcdef0123456789abcdef', {});
      assert.equal(unknown.status, 404, unknown.text);
      const paused = await employer.client.updateWebhook(employer.webhook.id, { status: 'disabled' });
      assert.equal(paused.body.webhook.disabled_reason, 'manual');
      const refused = await employer.client.replayDelivery(deliveryId, {});
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.body.error.code, 'webhook_disabled');
    });
  });

  test('changes, rotation and deletion are audited, and a deleted endpoint receives nothing more', async () => {
    await withReceiver(async (receiver) => {
      const employer = await employerWithWebhook(app, receiver, '/old');
      const id = employer.webhook.id;

      const changed = await employer.client.updateWebhook(id, { url: `${receiver.url}/new`, events: ['authorization.granted', 'authorization.revoked'], description: 'Nouveau' });
      const rotated = await employer.client.rotateWebhookSecret(id, {});
      await grant(employer.client, await newFirm(app));
      const [received] = await receiver.waitFor(1);

      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.webhook.url, `${receiver.url}/new`);
      assert.deepEqual(changed.body.webhook.events, ['authorization.granted', 'authorization.revoked']);
      assert.equal(changed.body.webhook.description, 'Nouveau');
      assert.equal(received.path, '/new', 'the new URL is used');
      assert.equal(rotated.status, 200, rotated.text);
      assert.notEqual(rotated.body.secret, employer.secret);
      assert.equal(verify(rotated.body.secret, received).valid, true);

      const deleted = await employer.client.deleteWebhook(id);
      const gone = await employer.client.webhook(id);
      await grant(employer.client, await newFirm(app));
      await app.runScheduled();
      await new Promise((resolve) => setTimeout(resolve, 1500));

      assert.equal(deleted.status, 204, deleted.text);
      assert.equal(gone.status, 404);
      assert.equal(receiver.requests.length, 1, 'nothing is sent to a deleted endpoint');
      assert.equal((await deliveryRows(app, id)).length, 0, 'its delivery log is deleted with it');
      const audit = await employer.client.audit({ page_size: '100' });
      const actions = audit.body.items.map((e) => e.action);
      for (const action of ['webhook.created', 'webhook.changed', 'webhook.secret_rotated', 'webhook.deleted']) {
        assert.ok(actions.includes(action), `${action} is in the audit trail: ${actions}`);
      }
      const entry = audit.body.items.find((e) => e.action === 'webhook.changed');
      assert.equal(entry.details.changes.url.to, `${receiver.url}/new`);
      assert.ok(!audit.text.includes(rotated.body.secret.slice(6)) && !audit.text.includes(employer.secret.slice(6)), 'no secret in the audit trail');
    });
  });

  test('in development plain http is accepted only to the loopback, and private addresses are refused', async () => {
    const { client } = await linkedResponsible(app);
    for (const [url, accepted, why] of [
      ['http://127.0.0.1:9/hook', true, 'http to 127.0.0.1'],
      ['http://localhost:9/hook', true, 'http to localhost'],
      ['http://[::1]:9/hook', true, 'http to [::1]'],
      ['https://hooks.example.com/sel', true, 'https to a public name'],
      ['http://hooks.example.com/sel', false, 'http to anything else'],
      ['https://10.0.0.1/hook', false, 'a private address'],
      ['https://169.254.169.254/latest/meta-data', false, 'the cloud metadata address'],
      ['http://2130706433/', false, 'the loopback in decimal notation'],
      ['ftp://hooks.example.com/', false, 'another scheme'],
    ]) {
      const res = await createWebhook(client, url);
      if (accepted) {
        assert.equal(res.status, 201, `${why} is accepted: ${res.text}`);
        assert.equal((await client.deleteWebhook(res.body.webhook.id)).status, 204);
      } else {
        assert.equal(res.status, 422, `${why} is refused: ${res.text}`);
        assert.equal(typeof res.body.error.fields?.url, 'string', `${why}: the url field says why`);
      }
    }
  });

  test('only responsables manage webhooks, and another organisation’s ids answer 404', async () => {
    await withReceiver(async (receiver) => {
      const owner = await employerWithWebhook(app, receiver);
      await grant(owner.client, await newFirm(app));
      const [received] = await receiver.waitFor(1);
      const deliveryId = received.headers['webhook-id'];
      const member = await linkedMember(app, owner.client);
      const other = await linkedResponsible(app, { kind: 'employer' });
      const id = owner.webhook.id;
      const operations = [
        ['GET', '/api/organisation/webhooks'],
        ['POST', '/api/organisation/webhooks', { url: `${receiver.url}/x`, events: ['authorization.granted'] }],
        ['GET', `/api/organisation/webhooks/${id}`],
        ['PATCH', `/api/organisation/webhooks/${id}`, { description: 'volé' }],
        ['DELETE', `/api/organisation/webhooks/${id}`],
        ['POST', `/api/organisation/webhooks/${id}/rotate-secret`, {}],
        ['GET', `/api/organisation/webhooks/${id}/deliveries`],
        ['POST', `/api/organisation/webhooks/deliveries/${deliveryId}/replay`, {}],
      ];

      for (const [method, path, json] of operations) {
        const asMember = await member.client.request(method, path, json ? { json } : {});
        assert.equal(asMember.status, 403, `a membre: ${method} ${path} → ${asMember.text}`);
        assert.equal(asMember.body.error.code, 'responsable_required');
        const asStranger = await other.client.request(method, path, json ? { json } : {});
        const expected = path === '/api/organisation/webhooks' ? (method === 'GET' ? 200 : 201) : 404;
        assert.equal(asStranger.status, expected, `another organisation: ${method} ${path} → ${asStranger.text}`);
      }
      const listedByStranger = await other.client.webhooks();
      assert.ok(!listedByStranger.body.items.some((w) => w.id === id), "another organisation's list never shows it");
      const anonymous = await app.client().webhooks();
      assert.equal(anonymous.status, 401);
      const still = await owner.client.webhook(id);
      assert.equal(still.body.webhook.description, 'Logiciel comptable', 'nothing was changed by them');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(receiver.requests.length, 1, 'and nothing was replayed');
    });
  });

  test('bad input to POST /api/organisation/webhooks is refused with a clear 4xx and writes nothing', async (t) => {
    const { client } = await linkedResponsible(app);
    const before = await sql(app, 'SELECT COUNT(*) AS n FROM webhook_endpoints');
    const base = () => ({ url: 'https://hooks.example.com/sel', events: ['authorization.granted'], description: 'ok' });
    const cases = badInputCases({ base, fields: { url: 'id' }, required: ['url', 'events'] });
    const longList = Array.from({ length: 21 }, () => 'contact.linked');
    for (const [name, body, field] of [
      ['events as a string', { ...base(), events: 'authorization.granted' }, 'events'],
      ['an empty list of events', { ...base(), events: [] }, 'events'],
      ['an unknown event type', { ...base(), events: ['authorization.*'] }, 'events'],
      ['an event type twice', { ...base(), events: ['contact.linked', 'contact.linked'] }, 'events'],
      ['21 event types', { ...base(), events: longList }, 'events'],
      ['a number among the events', { ...base(), events: [1] }, 'events'],
      ['a description of 501 characters', { ...base(), description: 'd'.repeat(501) }, 'description'],
      ['a NUL in the description', { ...base(), description: 'a\u0000b' }, 'description'],
      ['a number as description', { ...base(), description: 3 }, 'description'],
      ['a URL with credentials', { ...base(), url: 'https://user:pw@hooks.example.com/' }, 'url'],
      ['a URL of 3,000 characters', { ...base(), url: `https://hooks.example.com/${'a'.repeat(3000)}` }, 'url'],
    ]) {
      cases.push({ name, body: () => JSON.stringify(body), expect: invalid(field, `${name} is refused`) });
    }

    for (const c of cases) {
      await t.test(c.name, async () => {
        const res = await sendCase(app, 'POST', '/api/organisation/webhooks', c, { cookie: cookieOf(client) });
        assertRejected(res, c.expect, c.name);
      });
    }
    const afterCount = await sql(app, 'SELECT COUNT(*) AS n FROM webhook_endpoints');
    assert.equal(afterCount[0].n, before[0].n, 'no endpoint was written');
  });

  test('bad input to PATCH a webhook is refused and changes nothing', async () => {
    const { client } = await linkedResponsible(app);
    const created = await createWebhook(client, 'https://hooks.example.com/sel');
    const path = `/api/organisation/webhooks/${created.body.webhook.id}`;
    for (const [name, json, field] of [
      ['an empty object', {}, null],
      ['only unknown members', { secret: 'whsec_x' }, null],
      ['an unknown status', { status: 'paused' }, 'status'],
      ['a null url', { url: null }, 'url'],
      ['an ftp url', { url: 'ftp://hooks.example.com/' }, 'url'],
      ['a private address', { url: 'https://192.168.0.10/' }, 'url'],
      ['no events', { events: [] }, 'events'],
      ['a valid description with an invalid url', { description: 'ok', url: 'nope' }, 'url'],
    ]) {
      const res = await client.request('PATCH', path, { json });
      assertRejected(res, { ...invalid(field, `${name} is refused`) }, name);
    }
    const unchanged = await client.get(path);
    assert.deepEqual(unchanged.body.webhook, created.body.webhook, 'nothing changed');
  });

  test('an organisation has at most 10 endpoints', async () => {
    const { client } = await linkedResponsible(app);
    for (let i = 0; i < 10; i += 1) {
      const res = await createWebhook(client, `https://hooks.example.com/${i}`);
      assert.equal(res.status, 201, res.text);
    }
    const eleventh = await createWebhook(client, 'https://hooks.example.com/10');
    assert.equal(eleventh.status, 409, eleventh.text);
    assert.equal(eleventh.body.error.code, 'webhook_limit_reached');
  });
});
