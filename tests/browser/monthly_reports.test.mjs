// Browser journey of the monthly report in headless Chromium against the real worker: a firm
// member authorized at level "consultation et transmission" opens a file's monthly report, imports
// a CSV file with a rejected line (every problem shown, nothing saved), imports it fixed, changes a
// cell in the table, transmits, and opens the receipt, laid out for print; the employer sees the
// transmitted report from its home page. Each page is checked with axe-core and fits 390 px without sideways
// scrolling. Organisations and the authorization are arranged through the API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { app, browser, button, heading, label, logIn, withWorkerAndBrowser } from '../support/browser.mjs';
import { employer, firmWithMember, granted, grantBody, workerNow } from '../support/authz.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

withWorkerAndBrowser();

/** A French profile whose pages accept the injected axe-core script; page errors are collected. */
async function openPage() {
  const context = await browser.newContext({ locale: 'fr-CA', bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  return { page, errors, close: () => context.close() };
}

/**
 * No WCAG 2 A/AA violation on the page as it stands, outside the shared header's brand link (its
 * aria-label does not contain its visible text: a fix of the shared layout, not of this page).
 */
async function assertAccessible(page, what) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run({ exclude: [['.brand']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${what} has no accessibility violation`);
}

/** At 390 px wide, the page does not scroll sideways. */
async function assertFitsPhone(page, what) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width} px wide at 390 px`);
  await page.setViewportSize(size);
}

const MONTREAL = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Montreal', year: 'numeric', month: '2-digit' });
function previousMonth(ms) {
  const [y, m] = MONTREAL.format(new Date(ms)).slice(0, 7).split('-').map(Number);
  const index = y * 12 + (m - 1) - 1;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

const HEADER = 'nom_travailleur;identifiant_travailleur;metier;region;heures_regulieres;heures_supplementaires;salaire_brut';

test('a firm member imports a CSV file, fixes a rejected line, transmits and prints the receipt; the employer sees the report', async () => {
  const firm = await firmWithMember(app, { member: { first_name: 'Lucie', last_name: 'Comptable' } });
  const boss = await employer(app, { name: 'Toitures Boréal inc.' });
  const file = await granted(boss.client, grantBody(firm.organisation, firm.member.email, { services: ['monthly_report'], level: 'transmission' }));
  const month = previousMonth(await workerNow(app));

  const { page, errors, close } = await openPage();
  try {
    await logIn(page, app.baseUrl, firm.member.email, { firstName: 'Lucie' });
    await page.goto(`${app.baseUrl}/monthly-report?file=${file.id}&month=${month}`);
    await heading(page, 'Rapport mensuel').waitFor();
    await page.getByText('Toitures Boréal inc.', { exact: true }).waitFor();
    await assertAccessible(page, 'the monthly report page');
    await assertFitsPhone(page, 'the monthly report page');

    // A file with a rejected line: every problem said, nothing saved.
    const importForm = page.locator('#report-import');
    await label(importForm, 'Fichier CSV').setInputFiles({
      name: 'rapport.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFF${HEADER}\nMarie Tremblay;1234567;Couvreur;Montréal;37,5;2;1 543,21\nJean Roy;123;couvreur;Estrie;40;0;2000\n`),
    });
    await button(importForm, 'Importer').click();
    await importForm.getByText(/Ligne 3, Identifiant du travailleur :/).waitFor();
    assert.equal(await page.locator('#report-lines tr').count(), 0, 'nothing of the refused file is shown as saved');

    // The same file fixed.
    await label(importForm, 'Fichier CSV').setInputFiles({
      name: 'rapport.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`${HEADER}\nMarie Tremblay;1234567;Couvreur;Montréal;37,5;2;1 543,21\nJean Roy;7654321;couvreur;Estrie;40;0;2000\n`),
    });
    await button(importForm, 'Importer').click();
    await importForm.getByText('2 lignes importées.', { exact: true }).waitFor();
    assert.equal(await page.locator('#report-lines tr').count(), 2);

    // A cell changed by keyboard, a wrong value caught on its line, then fixed.
    const hours = page.getByLabel('Heures régulières, ligne 2', { exact: true });
    await hours.fill('40,3');
    await button(page, 'Enregistrer le brouillon').click();
    await page.locator('#report-form').getByText(/Ligne 2, Heures régulières :/).waitFor();
    assert.equal(await hours.getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'the report with a problem shown');
    await hours.fill('40,25');
    await button(page, 'Valider et transmettre').click();

    // Transmitted: the receipt.
    const receipt = page.locator('#report-receipt');
    await receipt.waitFor();
    assert.match(await receipt.textContent(), /RM-\d{6}-[2-9A-Z]{10}/);
    await receipt.click();
    await heading(page, 'Accusé de réception du rapport mensuel').waitFor();
    await page.getByText('Toitures Boréal inc.', { exact: true }).waitFor();
    assert.equal(await page.locator('#receipt-regular').textContent(), '77,75');
    await assertAccessible(page, 'the receipt');
    await assertFitsPhone(page, 'the receipt');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-header').isVisible(), false, 'on paper, the portal header is left out');
    assert.equal(await button(page, 'Imprimer').isVisible(), false, 'on paper, the print button is left out');
    assert.equal(await page.locator('#receipt-number').isVisible(), true);
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(errors, [], 'no page threw an uncaught error');
  } finally {
    await close();
  }

  // The employer sees the transmitted report from its home page.
  const employerPage = await openPage();
  try {
    const { page } = employerPage;
    await logIn(page, app.baseUrl, boss.email, { firstName: boss.user.first_name });
    await page.getByRole('link', { name: 'Rapport mensuel', exact: true }).click();
    await heading(page, 'Rapport mensuel').waitFor();
    await label(page, 'Mois du rapport').selectOption(month);
    await page.locator('#report-status').getByText('Transmis', { exact: true }).waitFor();
    assert.equal(await page.locator('#report-lines tr').count(), 2);
    assert.match(await page.locator('#report-receipt').textContent(), /RM-\d{6}-/);
    assert.equal(await button(page, 'Ouvrir une correction').isVisible(), true, 'the employer may correct what the firm transmitted');
    await assertAccessible(page, "the employer's transmitted report");
    await assertFitsPhone(page, "the employer's transmitted report");
    assert.deepEqual(employerPage.errors, [], 'no page threw an uncaught error');
  } finally {
    await employerPage.close();
  }
});
