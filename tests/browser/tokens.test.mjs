// Browser journeys of API tokens and the audit trail in headless Chromium against the real worker: in "Mon organisation",
// a responsable creates an API token (its secret shown once, with a warning), an accounting
// platform (this test, with fetch) reads the firm's authorized files with it, the responsable
// revokes it after a confirmation and the platform's next request answers 401; the activity log
// shows the token events, filters them by type and dates, and exports them with the same filters.
// A membre sees neither the activity log nor the tokens. Organisations and the authorization the
// platform reads are arranged through the API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, browser, button, emailFor, heading, label, logIn, menu, openBrowser, tab, withWorkerAndBrowser } from '../support/browser.mjs';
import { linkedMember, linkedResponsible } from '../support/orgs.mjs';
import { granted, grantBody, today, addDays, sqlWrite, quote } from '../support/authz.mjs';
import { bearerGet, SECRET_SHAPE } from '../support/tokens.mjs';

withWorkerAndBrowser();

const tokenRow = (page, name) => page.locator('#tokens-body tr', { has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

test('a responsable creates a token and sees its secret once; the platform reads with it until the token is revoked in the page; the log shows, filters and exports the token events', async () => {
  // Arrange: a firm whose member Marc is authorized by an employer (what the platform will read).
  const firm = await linkedResponsible(app, {
    kind: 'accounting_firm', name: 'Cabinet Synchro inc.', responsible: { first_name: 'Rachel', last_name: 'Roy', email: emailFor('Rachel') },
  });
  const member = await linkedMember(app, firm.client, { first_name: 'Marc', last_name: 'Tremblay', email: emailFor('Marc') });
  const boss = await linkedResponsible(app, { kind: 'employer', name: 'Béton Synchro ltée' });
  const authorization = await granted(boss.client, grantBody(firm.organisation, member.email));

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, firm.email, { firstName: 'Rachel' });
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, 'Cabinet Synchro inc.').waitFor();
    await tab(page, "Jetons d'API").click();
    await heading(page, "Jetons d'API").waitFor();
    await page.getByText("Aucun jeton d'API pour le moment.", { exact: true }).waitFor();

    // Create: a name, one scope, the default expiry (90 days).
    await button(page, 'Créer un jeton').click();
    const form = page.locator('#token-form');
    await label(form, 'Nom du jeton').fill('Synchro Acomba');
    assert.ok(await label(form, 'Lire les dossiers autorisés').isChecked(), 'both scopes are offered checked');
    await label(form, 'Lire les contacts').uncheck();
    assert.equal(await label(form, "Date d'expiration").inputValue(), addDays(await today(app), 90), 'the default expiry');
    await button(form, 'Créer le jeton').click();

    // The secret, once, with its warning.
    await heading(page, 'Votre nouveau jeton').waitFor();
    await page.getByText('il ne sera plus jamais affiché', { exact: false }).waitFor();
    const secret = await label(page, 'Jeton').inputValue();
    assert.match(secret, SECRET_SHAPE);
    assert.ok(await button(page, 'Copier').isVisible(), 'a copy button');
    const row = tokenRow(page, 'Synchro Acomba');
    await row.getByText(`${secret.slice(0, 12)}…`, { exact: true }).waitFor();
    await row.getByText('Lire les dossiers autorisés', { exact: true }).waitFor();
    await row.getByText('Actif', { exact: true }).waitFor();
    await row.getByText('Jamais utilisé', { exact: true }).waitFor();
    assert.equal(await row.getByText('Lire les contacts').count(), 0, 'only the scope chosen');

    await button(page, "J'ai copié le jeton").click();
    await heading(page, 'Votre nouveau jeton').waitFor({ state: 'hidden' });
    assert.ok(!(await page.content()).includes(secret.slice(12)), 'once dismissed, the secret is nowhere in the page');
    await page.reload();
    await heading(page, "Jetons d'API").waitFor();
    await tokenRow(page, 'Synchro Acomba').waitFor();
    assert.ok(!(await page.content()).includes(secret.slice(12)), 'nor after a reload: it is shown once');

    // The platform reads the firm's authorized files with the token.
    const read = await bearerGet(app, '/api/authorized-files?since=0', secret);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.items.map((item) => item.id), [authorization.id]);
    await page.reload();
    await tokenRow(page, 'Synchro Acomba').getByRole('cell').nth(3).locator('time').waitFor();
    assert.equal(await tokenRow(page, 'Synchro Acomba').getByText('Jamais utilisé').count(), 0, 'the last use is shown');

    // Revoke, after a confirmation; the platform's next request is refused.
    await button(page, 'Révoquer Synchro Acomba').click();
    await page.getByText(`Révoquer le jeton « Synchro Acomba » (${secret.slice(0, 12)}…)?`, { exact: false }).waitFor();
    assert.equal((await bearerGet(app, '/api/authorized-files', secret)).status, 200, 'nothing happens before the confirmation');
    await button(page, 'Confirmer la révocation').click();
    await page.getByText('Le jeton « Synchro Acomba » a été révoqué.', { exact: true }).waitFor();
    await tokenRow(page, 'Synchro Acomba').getByText('Révoqué', { exact: true }).waitFor();
    assert.equal(await button(page, 'Révoquer Synchro Acomba').count(), 0, 'a revoked token cannot be revoked again');
    const refused = await bearerGet(app, '/api/authorized-files', secret);
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.body.error.code, 'token_revoked');

    // The activity log: the token events, filtered by type, then by dates; the export keeps the filters.
    await tab(page, 'Journal des activités').click();
    await heading(page, 'Journal des activités').waitFor();
    const log = page.locator('#panel-audit');
    await log.getByText("Création d'un jeton d'API", { exact: true }).waitFor();
    await log.getByText("Révocation d'un jeton d'API", { exact: true }).waitFor();
    await label(log, "Type d'action").selectOption({ label: "Jetons d'API" });
    await log.getByText('Rangées 1 - 2 de 2 enregistrements', { exact: true }).waitFor();
    assert.equal(await log.locator('#audit-body tr').count(), 2, 'only the token events');
    assert.equal(await log.getByText("Invitation d'un contact").count(), 0, 'the invitation is filtered out');
    const href = await page.getByRole('link', { name: 'Exporter (CSV)', exact: true }).getAttribute('href');
    assert.equal(new URL(href, app.baseUrl).searchParams.get('action'), 'token.', `the export keeps the filter: ${href}`);
    const csv = await page.request.get(new URL(href, app.baseUrl).href);
    assert.equal(csv.status(), 200);
    const lines = (await csv.text()).trim().split('\r\n');
    assert.deepEqual(lines.slice(1).map((line) => line.split(';')[1]), ['token.revoked', 'token.created'], 'the export has the filtered events');

    const tomorrow = addDays(await today(app), 1);
    await label(log, 'Du').fill(tomorrow);
    await button(log, 'Filtrer').click();
    await log.getByText('Aucune activité consignée.', { exact: true }).waitFor();
    const filtered = new URL(await page.getByRole('link', { name: 'Exporter (CSV)', exact: true }).getAttribute('href'), app.baseUrl);
    assert.equal(filtered.searchParams.get('from'), tomorrow, 'the export keeps the dates');

    await label(log, 'Au').fill(await today(app));
    await button(log, 'Filtrer').click();
    await log.getByText('La date de fin doit suivre la date de début.', { exact: true }).waitFor();

    // More than 10,000 events: no export (the API would refuse it); the page says to narrow the dates.
    sqlWrite(app, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001)
      INSERT INTO audit_events (id, at, action, organisation_id, details)
      SELECT 'bulk-' || i, ${Date.parse(`${addDays(await today(app), -10)}T12:00:00Z`)} - i, 'contact.invited', ${quote(firm.organisation.id)}, '{}' FROM n`);
    await label(log, 'Du').fill('');
    await label(log, 'Au').fill('');
    await label(log, "Type d'action").selectOption({ label: 'Toutes les actions' });
    const exportLink = log.getByText('Exporter (CSV)', { exact: true });
    await log.getByText('Plus de 10 000 événements correspondent : choisissez des dates plus rapprochées pour les exporter.', { exact: true }).waitFor();
    assert.equal(await exportLink.getAttribute('href'), null, 'the export link leads nowhere');
    assert.equal(await exportLink.getAttribute('aria-disabled'), 'true', 'and says it is disabled');

    // The next pages follow the trail's cursor (each reads only its rows), and previous comes back.
    const total = (await log.getByText(/^Rangées 1 - 25 de \d+ enregistrements$/).textContent()).match(/de (\d+)/)[1];
    const asked = [];
    page.on('request', (request) => { if (request.url().includes('/api/organisation/audit?')) asked.push(new URL(request.url())); });
    await button(log, 'Suivant').click();
    await log.getByText(`Rangées 26 - 50 de ${total} enregistrements`, { exact: true }).waitFor();
    assert.ok(asked.at(-1).searchParams.get('after') && !asked.at(-1).searchParams.has('page'), `the next page asks after a cursor: ${asked.at(-1)}`);
    await button(log, 'Suivant').click();
    await log.getByText(`Rangées 51 - 75 de ${total} enregistrements`, { exact: true }).waitFor();
    await button(log, 'Précédent').click();
    await log.getByText(`Rangées 26 - 50 de ${total} enregistrements`, { exact: true }).waitFor();

    // With dates, more than 10,000 events are counted as "more than 10,000", and the export says why it is off.
    const bulkDay = addDays(await today(app), -10);
    await label(log, 'Du').fill(bulkDay);
    await label(log, 'Au').fill(bulkDay);
    await button(log, 'Filtrer').click();
    await log.getByText('Rangées 1 - 25 de plus de 10000 enregistrements', { exact: true }).waitFor();
    assert.equal(await exportLink.getAttribute('aria-disabled'), 'true', 'no export of more than 10,000 events');
  } finally {
    await close();
  }
});

test('a membre sees neither the activity log nor the API tokens', async () => {
  const firm = await linkedResponsible(app, { kind: 'accounting_firm', name: 'Cabinet Discret' });
  const member = await linkedMember(app, firm.client, { first_name: 'Mia', last_name: 'Membre', email: emailFor('Mia') });

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, member.email, { firstName: 'Mia' });
    await page.goto(`${app.baseUrl}/organisation#jetons`);
    await heading(page, 'Cabinet Discret').waitFor();
    await heading(page, "Contacts de l'organisation").waitFor();

    assert.equal(await tab(page, 'Contacts').getAttribute('aria-selected'), 'true', 'the contacts, even from the address of the tokens');
    assert.equal(await tab(page, 'Journal des activités').count(), 0, 'no activity log tab');
    assert.equal(await tab(page, "Jetons d'API").count(), 0, 'no API tokens tab');
    assert.ok(await page.locator('#panel-tokens').isHidden());
    assert.ok(await page.locator('#panel-audit').isHidden());
  } finally {
    await close();
  }
});
