// The second factor in headless Chromium against the real worker: a firm member whose only profile
// needs a factor signs in and is led to "Sécurité de connexion", sets up an authenticator app (the
// test reads the key the page shows and computes the code, as the app would), keeps the recovery
// codes, then signs in again with a code and reaches home; later, creating an API token asks for the
// factor again in a dialog (step-up). Each page is checked with axe-core and at 390 px wide.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, assertAccessible, assertFitsPhone, browser, button, emailFor, heading, label, logIn, menu, openBrowser, submitLogin, tab, withWorkerAndBrowser } from '../support/browser.mjs';
import { FACTORS, nextProof, stepOf, totpCode, workerClock } from '../support/client.mjs';
import { createOrganisation, link, signedUp } from '../support/orgs.mjs';

withWorkerAndBrowser();

test('a firm member sets up an authenticator app when led to it, then signs in with its code', async () => {
  // Arrange: Marie has an account linked to a firm she is responsible of (her only profile), and
  // no second factor.
  const email = emailFor('Marie');
  const firm = await createOrganisation(app, { name: 'Cabinet Deux Étapes inc.', responsible: { first_name: 'Marie', last_name: 'Tremblay', email } });
  const account = await signedUp(app, { email, first_name: 'Marie', last_name: 'Tremblay' });
  const linked = await link(account.client, firm.responsible);
  assert.equal(linked.status, 200, linked.text);
  await account.client.logOut();
  const { page, close } = await openBrowser(browser);
  try {
    // Act: signing in leads to "Sécurité de connexion" (the only profile needs a factor).
    await logIn(page, app.baseUrl, email);
    await heading(page, 'Sécurité de connexion').waitFor();
    await page.getByText('Un second facteur est obligatoire pour utiliser un profil de cabinet comptable', { exact: false }).waitFor();
    await assertAccessible(page, '/mfa before enrolment');
    await assertFitsPhone(page, '/mfa before enrolment');

    await button(page, "Configurer une application d'authentification").click();
    await heading(page, "Configurer l'application").waitFor();
    await page.getByRole('img', { name: "Code QR à balayer avec votre application d'authentification" }).waitFor();
    const key = (await page.locator('#mfa-secret').textContent()).replace(/\s/g, '');
    assert.match(key, /^[A-Z2-7]{32}$/);
    await assertAccessible(page, '/mfa with the QR code');
    await assertFitsPhone(page, '/mfa with the QR code');

    const step = stepOf(await workerClock(app.baseUrl));
    await label(page, 'Code à six chiffres').fill(totpCode(key, step));
    await button(page, 'Activer').click();
    await heading(page, 'Vos codes de récupération').waitFor();
    const codes = await page.locator('#mfa-code-list li').allTextContents();
    assert.equal(codes.length, 10);
    FACTORS.set(email, { secret: key, lastStep: step, recoveryCodes: codes });
    await assertAccessible(page, '/mfa with the recovery codes');
    await assertFitsPhone(page, '/mfa with the recovery codes');
    await button(page, "J'ai conservé mes codes").click();
    await page.getByText('Activée', { exact: true }).waitFor();
    await page.getByText('10 codes de récupération restants.', { exact: true }).waitFor();

    // Assert: signing in again asks for the code, which the page takes, and the firm is home.
    await button(page, 'Se déconnecter').click();
    await heading(page, 'Se connecter').waitFor();
    await label(page, 'Adresse courriel').fill(email);
    await label(page, 'Mot de passe').fill(account.password);
    await button(page, 'Connexion').click();
    await heading(page, 'Vérification en deux étapes').waitFor();
    await assertAccessible(page, 'the sign-in code form');
    await assertFitsPhone(page, 'the sign-in code form');
    await label(page, 'Code de vérification').fill('000000');
    await button(page, 'Vérifier').click();
    await page.getByRole('alert').getByText('Le code est invalide.', { exact: false }).waitFor();
    await page.getByRole('alert').getByText('Il vous reste 4 essais.', { exact: false }).waitFor();
    FACTORS.get(email).lastStep = step + 1;
    await label(page, 'Code de vérification').fill(totpCode(key, step + 1));
    await button(page, 'Vérifier').click();
    await heading(page, 'Bonjour, Marie').waitFor();

    // A later sign-in through the shared helper answers with a recovery code when codes run out.
    await page.context().clearCookies();
    await page.goto(`${app.baseUrl}/`);
    await submitLogin(page, email);
    await heading(page, 'Bonjour, Marie').waitFor();

    // Eleven minutes later, creating an API token asks for the factor again, in a dialog.
    await fetch(`${app.baseUrl}/dev/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_ms: 11 * 60 * 1000 }) });
    await menu(page).getByRole('link', { name: 'Mon organisation', exact: true }).click();
    await heading(page, 'Cabinet Deux Étapes inc.').waitFor();
    await tab(page, "Jetons d'API").click();
    await button(page, 'Créer un jeton').click();
    const form = page.locator('#token-form');
    await label(form, 'Nom du jeton').fill('Synchro Acomba');
    await button(form, 'Créer le jeton').click();
    const dialog = page.getByRole('dialog', { name: 'Confirmez votre identité' });
    await dialog.waitFor();
    await assertAccessible(page, 'the step-up dialog');
    await assertFitsPhone(page, 'the step-up dialog');
    const proof = await nextProof(app.baseUrl, FACTORS.get(email));
    await label(dialog, 'Code de vérification').fill(proof.code ?? proof.recovery_code);
    await button(dialog, 'Confirmer').click();
    await heading(page, 'Votre nouveau jeton').waitFor();
    await dialog.waitFor({ state: 'detached' });
  } finally {
    await close();
  }
});
