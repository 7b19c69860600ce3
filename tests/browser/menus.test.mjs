// The rest of the menu in headless Chromium against the real worker: "Catalogue de services" (each
// service, and where the active profile may use it, leading to the filtered "Mes dossiers
// autorisés"), "Base de connaissances" (accent-insensitive search, reachable signed out from the
// login page's "Aide"), "Mes demandes" (an access request and a transmitted report with its
// receipt), and every menu entry leading to a page. Each page visited, "Mon organisation" and
// "Mes dossiers autorisés" included, is checked with axe-core and fits a 390 px wide phone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, browser, emailFor, heading, label, logIn, menu, openBrowser, tab, text, withWorkerAndBrowser } from '../support/browser.mjs';
import { assertAccessible, assertFitsPhone } from '../support/a11y.mjs';
import { employer, firmWithMember, granted, grantBody, workerNow, FILES } from '../support/authz.mjs';

withWorkerAndBrowser();

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit' });
function monthsBack(ms, n) {
  const [y, m] = MONTREAL.format(new Date(ms)).slice(0, 7).split('-').map(Number);
  const index = y * 12 + (m - 1) - n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

async function checkPage(page, what) {
  await assertAccessible(page, what);
  await assertFitsPhone(page, what);
}

test('a firm member finds the services, their files, their requests and the help, each page accessible and phone-sized', async () => {
  // Arrange, through the API: a firm member authorized by one employer for two services, who asked
  // another employer for access and transmitted a report.
  const firm = await firmWithMember(app, { member: { first_name: 'Zoé', last_name: 'Menus', email: emailFor('Zoe') } });
  const boss = await employer(app, { name: 'Charpentes Catalogue inc.' });
  const other = await employer(app, { name: 'Pavage Demande ltée' });
  const file = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['workforce', 'monthly_report'], level: 'transmission' }));
  const asked = await firm.member.client.requestAccess({ file_number: other.organisation.file_number, postal_code: other.postalCode, services: ['monthly_report'] });
  assert.equal(asked.status, 201, asked.text);
  const month = monthsBack(await workerNow(app), 2);
  const reports = `${FILES}/${file.id}/monthly-reports/${month}`;
  assert.equal((await firm.member.client.request('PUT', reports, { json: { no_activity: true, lines: [] } })).status, 200);
  const sent = await firm.member.client.post(`${reports}/transmit`);
  assert.equal(sent.status, 200, sent.text);
  const receipt = sent.body.transmitted.receipt_number;

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, firm.member.email, { firstName: 'Zoé' });
    assert.equal(await page.getByText('prochaine version', { exact: false }).count(), 0, 'no section is announced for later');
    for (const link of await menu(page).getByRole('link').all()) {
      assert.ok(!(await link.getAttribute('href')).includes('#'), 'every menu entry is a page of its own');
    }

    // Catalogue de services.
    await menu(page).getByRole('link', { name: 'Catalogue de services', exact: true }).click();
    await heading(page, 'Catalogue de services').waitFor();
    const monthly = page.locator('article', { has: heading(page, 'Rapport mensuel') });
    await text(monthly, 'Utilisable dans 1 dossier : voir Mes dossiers autorisés').waitFor();
    await text(page.locator('article', { has: heading(page, "Lettre d'état de situation") }), "Aucun de vos dossiers autorisés n'inclut ce service pour votre profil actif.").waitFor();
    await checkPage(page, '/catalogue');
    await monthly.getByRole('link').click();
    await heading(page, 'Mes dossiers autorisés').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('service'), 'monthly_report');
    assert.equal(await label(page, 'Service').inputValue(), 'monthly_report');
    await text(page, 'Charpentes Catalogue inc.').waitFor();
    await checkPage(page, '/files?service=monthly_report');

    // Mon organisation.
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, firm.organisation.name).waitFor();
    await page.getByText('Zoé Menus').first().waitFor();
    await checkPage(page, '/organisation');

    // Mes demandes.
    await menu(page).getByRole('link', { name: 'Mes demandes', exact: true }).click();
    await heading(page, 'Mes demandes').waitFor();
    const access = page.locator('tr', { hasText: 'Pavage Demande ltée' });
    await text(access, "Demande d'accès").waitFor();
    await text(access, 'En attente').waitFor();
    const report = page.locator('tr', { hasText: 'Charpentes Catalogue inc.' });
    const receiptLink = report.getByRole('link', { name: `Reçu ${receipt}`, exact: true });
    assert.equal(await receiptLink.getAttribute('href'), `/monthly-report-receipt?file=${file.id}&month=${month}`);
    await checkPage(page, '/requests');
    await label(page, 'Type de demande').selectOption('access_request');
    await report.waitFor({ state: 'detached' });
    await access.waitFor();

    // Base de connaissances, from the menu and from a page's "Aide".
    await menu(page).getByRole('link', { name: 'Base de connaissances', exact: true }).click();
    await heading(page, 'Base de connaissances').waitFor();
    await checkPage(page, '/knowledge');
    const search = page.getByRole('searchbox', { name: "Rechercher dans l'aide" });
    await search.fill('RECUPERATION');
    await text(page, '2 articles').waitFor();
    assert.ok(await heading(page, 'Sécurité de connexion : le second facteur').isVisible());
    assert.ok(!(await heading(page, 'Mes demandes').isVisible()), 'an article without the word is hidden');
    await search.fill('main-d’oeuvre');
    await text(page, '1 article').waitFor();
    await search.fill('zzzz');
    await text(page, 'Aucun article ne contient ces mots.').waitFor();
  } finally {
    await close();
  }
});

test('signed out, the login page leads to its help article in the knowledge base, in French and in English', async () => {
  const { page, close } = await openBrowser(browser);
  try {
    await page.goto(`${app.baseUrl}/`);
    await heading(page, 'Se connecter').waitFor();
    await page.getByRole('link', { name: 'Aide', exact: true }).click();
    await heading(page, 'Base de connaissances').waitFor();
    assert.equal(new URL(page.url()).hash, '#connexion-mot-de-passe');
    const article = heading(page, 'Se connecter et mot de passe oublié');
    await article.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'connexion-mot-de-passe-heading');
    await checkPage(page, '/knowledge signed out');
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await heading(page, 'Sign in and forgotten password').waitFor();
    await page.getByRole('searchbox', { name: 'Search the help' }).fill('recovery');
    await text(page, '2 articles').waitFor();
  } finally {
    await close();
  }
});

test("an employer's responsible sees every tab of Mon organisation and the authorizations as stacked rows on a phone, accessible", async () => {
  const firm = await firmWithMember(app, { member: { first_name: 'Yves', last_name: 'Empilé' } });
  const boss = await employer(app, { name: 'Maçonnerie Téléphone inc.' });
  await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report'], level: 'consultation' }));

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, boss.email);
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).waitFor();
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, 'Maçonnerie Téléphone inc.').waitFor();
    for (const name of ['Contacts', 'Journal des activités', "Jetons d'API", 'Webhooks']) {
      await tab(page, name).click();
      // A list being read is dimmed: checked once it is read.
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]') && !document.querySelector('.loading:not([hidden])'));
      await checkPage(page, `/organisation, tab ${name}`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await menu(page).getByRole('link', { name: 'Autorisations (employeur)', exact: true }).click();
    const row = page.locator('tr', { hasText: 'Yves Empilé' });
    await row.waitFor();
    const cells = await row.locator('td[data-label]').count();
    assert.ok(cells > 0, 'each cell carries its column name');
    const box = await row.boundingBox();
    assert.ok(box.width <= 390, `a row is no wider than the phone (${box.width} px)`);
    await checkPage(page, '/employer');
  } finally {
    await close();
  }
});
