// The organisation's second-factor setting in "Mon organisation", in headless Chromium against the
// real worker: the responsable of an employer sees who of its contacts has a second factor, reads
// the explanation, and requires a factor of every contact; the member without one, signing in next,
// is led to "Sécurité de connexion". Each page is checked with axe-core and at 390 px wide.

import { test } from 'node:test';
import { app, assertAccessible, assertFitsPhone, browser, button, heading, label, logIn, menu, openBrowser, text, withWorkerAndBrowser } from '../support/browser.mjs';
import { linkedMember } from '../support/orgs.mjs';
import { employer } from '../support/authz.mjs';

withWorkerAndBrowser();

test('a responsable requires a second factor of every contact, and a member without one is led to set one up', async () => {
  // Arrange: an employer, its responsable (with a factor) and a member without one.
  const boss = await employer(app, { name: 'Toitures Deux Facteurs inc.' });
  const member = await linkedMember(app, boss.client, { first_name: 'Luc', last_name: 'Sansfacteur' });
  await member.client.logOut();

  const { page, close } = await openBrowser(browser);
  try {
    // Act: the responsable opens "Mon organisation" and turns the requirement on.
    await logIn(page, app.baseUrl, boss.email, { firstName: 'Rachel' });
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, 'Toitures Deux Facteurs inc.').waitFor();
    await heading(page, 'Second facteur').waitFor();
    await text(page, 'Exigé des responsables et des administrateurs seulement.').waitFor();
    await page.getByText('Contacts liés sans second facteur : 1.', { exact: false }).waitFor();
    await page.locator(`tr:has-text("${member.email}")`).getByText('Sans second facteur', { exact: true }).waitFor();
    await page.locator(`tr:has-text("${boss.email}")`).getByText('Second facteur configuré', { exact: true }).waitFor();
    await assertAccessible(page, '/organisation with the second-factor setting');
    await assertFitsPhone(page, '/organisation with the second-factor setting');

    await label(page, 'Exiger un second facteur de tous les contacts').check();
    await button(page, 'Enregistrer').click();
    await text(page, 'Le second facteur est maintenant exigé de tous les contacts.').waitFor();
    await text(page, "Exigé de tous les contacts de l'organisation.").waitFor();
    await assertAccessible(page, '/organisation after the change');
    await assertFitsPhone(page, '/organisation after the change');
  } finally {
    await close();
  }

  // Assert: the member, signing in, is led to set up a second factor.
  const second = await openBrowser(browser);
  try {
    await logIn(second.page, app.baseUrl, member.email);
    await heading(second.page, 'Sécurité de connexion').waitFor();
    await second.page.getByText("ou pour agir pour une organisation qui l'exige de tous ses contacts", { exact: false }).waitFor();
    await assertAccessible(second.page, '/mfa led by the organisation\'s policy');
    await assertFitsPhone(second.page, '/mfa led by the organisation\'s policy');
  } finally {
    await second.close();
  }
});
