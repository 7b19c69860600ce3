// Browser journeys in headless Chromium against the real worker (`wrangler dev`, fresh state).
// Locators use the French labels and roles of the commission's guide, which checks them too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, browser, heading, submitLogin, withPage, withWorkerAndBrowser } from '../support/browser.mjs';

withWorkerAndBrowser();

test('a new user signs up in two screens, validates the emailed code, is offered to link a file, reaches home, logs out and logs back in', async () => {
  const email = 'marie.tremblay@example.com';
  const password = 'Grue-jaune-sur-le-chantier-42';

  await withPage(browser, async (page) => {
    await page.goto(`${app.baseUrl}/`);
    await heading(page, 'Se connecter').waitFor();
    await page.getByRole('link', { name: 'Créer un compte', exact: true }).click();

    await heading(page, 'Créer un compte').waitFor();
    await page.getByLabel('Adresse courriel', { exact: true }).fill(email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(password);
    await page.getByLabel('Confirmation du mot de passe', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Suivant', exact: true }).click();

    await page.getByLabel('Prénom', { exact: true }).fill('Marie');
    await page.getByLabel('Nom', { exact: true }).fill('Tremblay');
    await page.getByLabel("J'ai lu et j'approuve les conditions d'utilisation", { exact: true }).check();
    await page.getByRole('button', { name: 'Créer mon compte', exact: true }).click();

    await page.getByText(`Un code à 6 chiffres a été envoyé à ${email}.`).waitFor();
    const resend = page.getByRole('button', { name: /^Renvoyer le code dans \d+ s$/ });
    await resend.waitFor();
    assert.equal(await resend.isDisabled(), true, 'the resend button waits for its cooldown');

    const codeEmail = await app.waitForEmail(email, (message) => /\b\d{6}\b/.test(message.text));
    const [code] = codeEmail.text.match(/\b\d{6}\b/);
    await page.getByLabel('Code de vérification', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Valider le code', exact: true }).click();

    // No file is linked yet: the portal first offers to link one, which can wait.
    await heading(page, "Liaison d'un profil").waitFor();
    await page.getByRole('link', { name: "Lier plus tard et aller à l'accueil", exact: true }).click();

    await heading(page, 'Bonjour, Marie').waitFor();
    for (const entry of ['Mon organisation', 'Catalogue de services', 'Base de connaissances', 'Mes demandes', 'Mes dossiers autorisés']) {
      assert.equal(await page.getByRole('navigation').getByRole('link', { name: entry, exact: true }).count(), 1, `menu entry ${entry}`);
    }

    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await submitLogin(page, email, password);

    await heading(page, "Liaison d'un profil").waitFor();
    await page.getByRole('link', { name: "Lier plus tard et aller à l'accueil", exact: true }).click();
    await heading(page, 'Bonjour, Marie').waitFor();
  });
});

test('the English toggle switches the login page to English and the choice survives a reload', async () => {
  await withPage(browser, async (page) => {
    await page.goto(`${app.baseUrl}/`);
    await heading(page, 'Se connecter').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');

    await page.getByRole('button', { name: 'English', exact: true }).click();
    await heading(page, 'Log in').waitFor();
    await page.getByLabel('Email address', { exact: true }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    const sessionCheck = page.waitForRequest((request) => new URL(request.url()).pathname === '/api/me');
    await page.reload();
    const request = await sessionCheck;

    await heading(page, 'Log in').waitFor();
    await page.getByRole('button', { name: 'Français', exact: true }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(request.headers()['accept-language'], 'en', 'API calls ask for English answers');
  });
});
