// Browser journeys of the webhooks in headless Chromium against the real worker: in
// "Mon organisation › Webhooks" a responsable adds an endpoint pointing at a local receiver (http
// to 127.0.0.1 is allowed in development) and sees its signing secret once; the receiver gets
// signed deliveries (checked by the independent verifier) when contacts of the firm link or are
// revoked; on the endpoint's page the responsable follows the delivery log, sees a failed delivery
// with its attempts, replays it once the receiver answers again, renews the secret (the previous
// one signing alongside until the date shown), pauses and enables the endpoint, and deletes it. A
// membre sees no Webhooks tab and the endpoint's page tells them it is the responsables'; another
// organisation's endpoint is not found. Organisations, members and their events are arranged
// through the API.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { app, browser, button, emailFor, heading, label, logIn, menu, openBrowser, tab, text, withWorkerAndBrowser } from '../support/browser.mjs';
import { waitFor } from '../support/app.mjs';
import { linkedMember, linkedResponsible } from '../support/orgs.mjs';
import { ALL_EVENTS, createWebhook, startReceiver, verify } from '../support/webhooks.mjs';

let receiver;

withWorkerAndBrowser();

before(async () => {
  receiver = await startReceiver();
});

after(async () => {
  await receiver?.close();
});

/** The row of the delivery log whose event is `eventLabel` (the newest first). */
const deliveryRow = (page, eventLabel) => page.locator('#deliveries-body > tr:not(.manage-row)', { hasText: eventLabel });

/**
 * The log changes as the queue delivers: "Actualiser" until the row of `eventLabel` shows `what`
 * (every word of it in that row).
 */
async function untilLogShows(page, eventLabel, what) {
  const row = deliveryRow(page, eventLabel);
  await waitFor(`the delivery "${eventLabel}" to show ${what.join(', ')}`, async () => {
    const shown = await row.count() === 1 && (await Promise.all(what.map((words) => text(row, words).count()))).every((n) => n > 0);
    if (shown) return true;
    await button(page, 'Actualiser').click();
    return undefined;
  }, { timeoutMs: 30000, intervalMs: 500 });
  return row;
}

test('a responsable adds a webhook, sees its secret once, follows its deliveries, replays a failed one, renews the secret, pauses, enables and deletes it', async () => {
  // Arrange: a firm whose webhook will hear of its contacts linking and being revoked.
  const firm = await linkedResponsible(app, {
    kind: 'accounting_firm', name: 'Cabinet Crochet inc.', responsible: { first_name: 'Rachel', last_name: 'Roy', email: emailFor('Rachel') },
  });
  receiver.answer = () => 200;
  const url = `${receiver.url}/sel`;
  const atSel = { filter: (request) => request.path === '/sel' };

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, firm.email, { firstName: 'Rachel' });
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, 'Cabinet Crochet inc.').waitFor();
    await tab(page, 'Webhooks').click();
    await heading(page, 'Webhooks').waitFor();
    assert.equal(new URL(page.url()).hash, '#webhooks', 'the address names the tab');
    await text(page, 'Aucun webhook pour le moment.').waitFor();
    const scheme = page.getByRole('link', { name: /Standard Webhooks/ });
    assert.equal(await scheme.getAttribute('href'), 'https://www.standardwebhooks.com/', 'a link to the signature scheme');

    // Add: a plain http address elsewhere than this computer is refused, on the field.
    await button(page, 'Ajouter un webhook').click();
    const form = page.locator('#webhook-form');
    await label(form, 'Adresse URL de réception').fill('http://exemple.com/sel');
    await label(form, 'Description (facultative)').fill('Logiciel Acomba');
    for (const event of ['Autorisation accordée', 'Contact lié à son compte', 'Contact révoqué', "Réponse à une demande d'accès"]) {
      assert.ok(await label(form, event).isChecked(), `${event}: every event is offered checked`);
    }
    await button(form, 'Ajouter le webhook').click();
    await text(form.locator('#webhook-url-error'), "L'adresse doit commencer par https://.").waitFor();
    assert.equal(await label(form, 'Adresse URL de réception').getAttribute('aria-invalid'), 'true');
    await label(form, 'Adresse URL de réception').fill(url);
    await button(form, 'Ajouter le webhook').click();

    // The secret, once, with its warning.
    await heading(page, 'Le secret de signature du webhook').waitFor();
    await page.getByText("SEL ne l'affichera plus", { exact: false }).waitFor();
    const secret = await label(page, 'Secret de signature').inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.ok(await button(page, 'Copier').isVisible(), 'a copy button');
    await text(page, `Le webhook vers ${url} a été ajouté.`).waitFor();
    const listed = page.locator('#webhooks-body tr', { has: page.getByRole('rowheader', { name: new RegExp(`^${url}`) }) });
    await text(listed, 'Logiciel Acomba').waitFor();
    await text(listed, `Tous les événements (${ALL_EVENTS.length})`).waitFor();
    await text(listed, 'Actif').waitFor();
    await button(page, "J'ai copié le secret").click();
    await heading(page, 'Le secret de signature du webhook').waitFor({ state: 'hidden' });
    assert.ok(!(await page.content()).includes(secret.slice(6)), 'once dismissed, the secret is nowhere in the page');

    // A member links their account: the receiver gets contact.linked, signed with that secret.
    const member = await linkedMember(app, firm.client, { first_name: 'Marc', last_name: 'Lien', email: emailFor('Marc') });
    const [linked] = await receiver.waitFor(1, atSel);
    assert.equal(linked.path, '/sel');
    assert.equal(linked.body.type, 'contact.linked');
    assert.equal(verify(secret, linked).valid, true, 'the independent verifier accepts the signature');

    // The endpoint's page: the URL as heading, the delivery in the log with its 200.
    await page.getByRole('link', { name: `Gérer ${url}`, exact: true }).click();
    await heading(page, url).waitFor();
    const served = await page.request.get(`${app.baseUrl}/webhook`);
    assert.equal(served.status(), 200, 'the page is served at /webhook');
    assert.match(served.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'with the CSP of every page');
    await page.getByRole('link', { name: 'Mon organisation › Webhooks', exact: true }).waitFor();
    await text(page.locator('#webhook-state'), 'Actif').waitFor();
    await untilLogShows(page, 'Contact lié à son compte', ['Livrée', 'HTTP 200', 'Marc Lien']);

    // The receiver fails: the delivery of the revocation waits, with its attempts in "Détails".
    receiver.answer = () => 500;
    const revoked = await firm.client.revokeMember(member.contactId);
    assert.equal(revoked.status, 200, revoked.text);
    // The first retry comes 5 s after the first failure; the next one would be 5 min later.
    const [, failed] = await receiver.waitFor(3, atSel);
    assert.equal(failed.body.type, 'contact.revoked');
    const failing = await untilLogShows(page, 'Contact révoqué', ['En attente', 'HTTP 500', '2']);
    await failing.getByRole('button', { name: /^Détails/ }).click();
    const attempts = page.locator('#deliveries-body .manage-row');
    await attempts.getByRole('heading', { name: /^Tentatives de la livraison « Contact révoqué »/ }).waitFor();
    assert.equal(await attempts.locator('tbody tr').count(), 2, 'both failed attempts are listed');
    assert.equal(await text(attempts, 'HTTP 500').count(), 2, 'each with the code the receiver answered');
    assert.equal(await text(attempts, 'Le serveur a répondu par une erreur').count(), 2, 'and why it failed, in French');
    await button(attempts, 'Fermer').click();

    // Replayed once the receiver answers again: delivered, with the same webhook-id.
    receiver.answer = () => 200;
    await failing.getByRole('button', { name: /^Relancer/ }).click();
    await page.getByText(/^La livraison « Contact révoqué » du .+ a été relancée\.$/).waitFor();
    const [,,, replayed] = await receiver.waitFor(4, atSel);
    assert.equal(replayed.headers['webhook-id'], failed.headers['webhook-id'], 'a replay is the same delivery');
    assert.equal(verify(secret, replayed).valid, true);
    await text(deliveryRow(page, 'Contact révoqué'), 'Livrée').waitFor({ timeout: 20000 });
    await deliveryRow(page, 'Contact révoqué').getByRole('button', { name: /^Détails/ }).click();
    await text(attempts, 'Relance manuelle').waitFor();
    assert.equal(await attempts.locator('tbody tr').count(), 3, 'the replay is the third attempt');
    await button(attempts, 'Fermer').click();

    // Renew the secret, after a confirmation: the new one shown once, the previous one still valid.
    await button(page, 'Renouveler le secret').click();
    await page.getByText('Renouveler le secret de signature?', { exact: false }).waitFor();
    await button(page, 'Confirmer le renouvellement').click();
    const renewed = page.getByRole('region', { name: 'Le nouveau secret de signature' });
    await renewed.waitFor();
    const newSecret = await label(renewed, 'Secret de signature').inputValue();
    assert.match(newSecret, /^whsec_/);
    assert.notEqual(newSecret, secret);
    const shown = await firm.client.webhook(new URL(page.url()).searchParams.get('id'));
    const until = new Intl.DateTimeFormat('fr-CA', { timeZone: 'America/Montreal', dateStyle: 'medium', timeStyle: 'short' })
      .format(new Date(shown.body.webhook.previous_secret_expires_at));
    for (const where of [renewed, page.locator('#webhook-previous-secret')]) {
      await where.getByText(`L'ancien secret signe aussi les notifications jusqu'au ${until}`, { exact: false }).waitFor();
    }
    await button(renewed, "J'ai copié le secret").click();
    await renewed.waitFor({ state: 'hidden' });
    await linkedMember(app, firm.client, { first_name: 'Nina', last_name: 'Neuve', email: emailFor('Nina') });
    const [,,,, afterRotation] = await receiver.waitFor(5, atSel);
    const check = verify(newSecret, afterRotation);
    assert.equal(check.valid, true, 'the new secret signs');
    assert.equal(check.signatures, 2, 'and the previous one too, during the grace period');
    assert.equal(verify(secret, afterRotation).valid, true, 'so a receiver not yet updated still accepts it');

    // A test event, to check the receiver's signature code without waiting for a change.
    await button(page, 'Envoyer un événement test').click();
    await text(page, "Un événement test (webhook.test) part vers l'adresse du webhook ; sa livraison apparaît dans le journal.").waitFor();
    const [,,,,, tested] = await receiver.waitFor(6, atSel);
    assert.equal(tested.body.type, 'webhook.test');
    assert.equal(verify(newSecret, tested).valid, true, 'signed like the others');
    await untilLogShows(page, 'Événement test', ['Livrée', 'HTTP 200']);

    // Pause, then enable again.
    await button(page, 'Suspendre').click();
    await text(page, 'Le webhook est suspendu.').waitFor();
    await text(page.locator('#webhook-state'), 'Désactivé').waitFor();
    await text(page.locator('#webhook-state'), 'Suspendu par un responsable').waitFor();
    await text(page, 'Réactivez le webhook pour relancer une livraison.').waitFor();
    assert.equal(await page.getByRole('button', { name: /^Relancer/ }).count(), 0, 'no replay while paused');
    await button(page, 'Réactiver').click();
    await text(page, 'Le webhook est réactivé : les livraisons qui attendaient partent maintenant.').waitFor();
    await text(page.locator('#webhook-state'), 'Actif').waitFor();

    // Delete, after a confirmation: back to the list, without it.
    await button(page, 'Supprimer').click();
    await text(page, `Supprimer le webhook vers ${url}? Cette action est définitive.`).waitFor();
    await button(page, 'Confirmer la suppression').click();
    await page.waitForURL(/\/organisation#webhooks$/);
    await text(page, `Le webhook vers ${url} a été supprimé.`).waitFor();
    await text(page, 'Aucun webhook pour le moment.').waitFor();
    const left = await firm.client.webhooks();
    assert.deepEqual(left.body.items, [], 'the endpoint is gone');
  } finally {
    await close();
  }
});

test('a membre sees no Webhooks tab, and the page of a webhook tells them it is for responsables', async () => {
  const firm = await linkedResponsible(app, { kind: 'accounting_firm', name: 'Cabinet Discret' });
  const hook = await createWebhook(firm.client, `${receiver.url}/discret`, ['contact.revoked']);
  assert.equal(hook.status, 201, hook.text);
  const member = await linkedMember(app, firm.client, { first_name: 'Mia', last_name: 'Membre', email: emailFor('Mia') });

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, member.email, { firstName: 'Mia' });
    await page.goto(`${app.baseUrl}/organisation#webhooks`);
    await heading(page, 'Cabinet Discret').waitFor();
    await heading(page, "Contacts de l'organisation").waitFor();
    assert.equal(await tab(page, 'Contacts').getAttribute('aria-selected'), 'true', 'the contacts, even from the address of the webhooks');
    assert.equal(await tab(page, 'Webhooks').count(), 0, 'no Webhooks tab');
    assert.ok(await page.locator('#panel-webhooks').isHidden());

    await page.goto(`${app.baseUrl}/webhook?id=${hook.body.webhook.id}`);
    await heading(page, 'Réservé aux responsables').waitFor();
    await page.getByText("Seuls les responsables de l'organisation gèrent ses webhooks.", { exact: false }).waitFor();
    await page.getByRole('link', { name: 'Retour à Mon organisation', exact: true }).waitFor();
    assert.equal(await heading(page, `${receiver.url}/discret`).count(), 0, 'nothing of the webhook is shown');
  } finally {
    await close();
  }
});

test("another organisation's webhook is not found, and the page leads back to the list", async () => {
  const owner = await linkedResponsible(app, { kind: 'employer', name: 'Béton Secret ltée' });
  const hook = await createWebhook(owner.client, `${receiver.url}/secret`, ['authorization.granted']);
  assert.equal(hook.status, 201, hook.text);
  const other = await linkedResponsible(app, {
    kind: 'accounting_firm', name: 'Cabinet Curieux', responsible: { first_name: 'Paul', last_name: 'Curieux', email: emailFor('Paul') },
  });

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, other.email, { firstName: 'Paul' });
    await page.goto(`${app.baseUrl}/webhook?id=${hook.body.webhook.id}`);
    await heading(page, 'Webhook introuvable').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'webhook-gone-heading', 'the focus is on what the page says');
    await page.getByRole('link', { name: "Retour aux webhooks de l'organisation", exact: true }).click();
    await page.waitForURL(/\/organisation#webhooks$/);
    await heading(page, 'Webhooks').waitFor();
    await text(page, 'Aucun webhook pour le moment.').waitFor();
  } finally {
    await close();
  }
});

test('an endpoint the receiver answered 410 Gone says why it was disabled, and can be enabled again', async () => {
  const firm = await linkedResponsible(app, {
    kind: 'accounting_firm', name: 'Cabinet Parti', responsible: { first_name: 'Gilles', last_name: 'Parti', email: emailFor('Gilles') },
  });
  receiver.answer = (request) => (request.path === '/gone' ? 410 : 200);
  const hook = await createWebhook(firm.client, `${receiver.url}/gone`, ['contact.linked']);
  assert.equal(hook.status, 201, hook.text);
  await linkedMember(app, firm.client, { first_name: 'Rita', last_name: 'Retard', email: emailFor('Rita') });
  await receiver.waitFor(1, { filter: (request) => request.path === '/gone' });
  await waitFor('the endpoint to be disabled', async () => {
    const shown = await firm.client.webhook(hook.body.webhook.id);
    return shown.body.webhook.status === 'disabled' ? shown : undefined;
  });

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, firm.email, { firstName: 'Gilles' });
    await page.goto(`${app.baseUrl}/webhook?id=${hook.body.webhook.id}`);
    await heading(page, `${receiver.url}/gone`).waitFor();
    const state = page.locator('#webhook-state');
    await text(state, 'Désactivé').waitFor();
    await text(state, 'Le destinataire a répondu 410 Gone').waitFor();
    await page.getByText(/^SEL a désactivé ce webhook le .+ : le destinataire a répondu 410 Gone/).waitFor();
    await text(page, 'Une fois le destinataire corrigé, réactivez le webhook : les livraisons qui attendaient partiront alors.').waitFor();
    const row = await untilLogShows(page, 'Contact lié à son compte', ['Échouée', 'HTTP 410']);
    assert.equal(await row.getByRole('button', { name: /^Relancer/ }).count(), 0, 'no replay while disabled');

    await button(page, 'Réactiver').click();
    await text(page, 'Le webhook est réactivé : les livraisons qui attendaient partent maintenant.').waitFor();
    await text(state, 'Actif').waitFor();
    assert.ok(await page.locator('#webhook-disabled-notice').isHidden(), 'the notice is gone with the reason');
    await row.getByRole('button', { name: /^Relancer/ }).waitFor();
  } finally {
    await close();
  }
});
