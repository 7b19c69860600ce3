// Passkeys in headless Chromium against the real worker, with Chromium's virtual authenticator
// (DevTools protocol WebAuthn: CTAP2, internal transport, resident keys, user verification): a
// person adds a passkey in "Sécurité de connexion" (keeping the recovery codes it brings as their
// first factor), renames it, signs out and signs in with it alone, then signs in with the password
// and answers the second factor with it. The page is served as http://localhost, a secure context
// whose host can be a relying party id (an IP address cannot). Each page is checked with axe-core
// and at 390 px wide.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, assertAccessible, assertFitsPhone, browser, button, emailFor, heading, label, openBrowser, text, withWorkerAndBrowser } from '../support/browser.mjs';
import { signedUp } from '../support/orgs.mjs';

withWorkerAndBrowser();

/** A platform authenticator that holds passkeys and verifies its user, like a phone's. */
async function addVirtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test('a person adds a passkey in Sécurité de connexion, then signs in with it alone and as the second factor', async () => {
  // Arrange: Sophie has an account, no second factor, and a device that can hold passkeys.
  const email = emailFor('Sophie');
  const account = await signedUp(app, { email, first_name: 'Sophie', last_name: 'Bouchard' });
  await account.client.logOut();
  const portal = app.baseUrl.replace('127.0.0.1', 'localhost');
  const { page, close } = await openBrowser(browser);
  try {
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
    await page.goto(`${portal}/`);
    await heading(page, 'Se connecter').waitFor();
    await label(page, 'Adresse courriel').fill(email);
    await label(page, 'Mot de passe').fill(account.password);
    await button(page, 'Connexion').click();
    await page.waitForURL(/\/link/);

    // Act: she adds a passkey named "Ordinateur".
    await page.goto(`${portal}/mfa`);
    await heading(page, "Clés d'accès").waitFor();
    await text(page, "Aucune clé d'accès n'est enregistrée.").waitFor();
    await assertAccessible(page, '/mfa without a passkey');
    await assertFitsPhone(page, '/mfa without a passkey');
    await button(page, "Ajouter une clé d'accès").click();
    await text(page, 'Ce champ est obligatoire.').waitFor();
    await label(page, "Nom de la clé d'accès").fill('Ordinateur');
    await button(page, "Ajouter une clé d'accès").click();
    await heading(page, 'Vos codes de récupération').waitFor();
    assert.equal(await page.locator('#mfa-code-list li').count(), 10, 'the first factor comes with its recovery codes');
    await button(page, "J'ai conservé mes codes").click();
    await text(page, 'Ordinateur').waitFor();
    await assertAccessible(page, '/mfa with a passkey');
    await assertFitsPhone(page, '/mfa with a passkey');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0].isResidentCredential, true, 'a discoverable passkey');

    // She renames it, from the keyboard.
    await button(page, 'Renommer : Ordinateur').click();
    const rename = label(page, 'Nouveau nom de « Ordinateur »');
    await rename.fill('Portable');
    await rename.press('Enter');
    await page.getByRole('status').getByText("La clé d'accès est renommée.").waitFor();
    await text(page, 'Portable').waitFor();

    // Assert: signed out, the passkey alone signs her in.
    await button(page, 'Se déconnecter').click();
    await heading(page, 'Se connecter').waitFor();
    await assertAccessible(page, 'the sign-in page with its passkey button');
    await assertFitsPhone(page, 'the sign-in page with its passkey button');
    await button(page, "Se connecter avec une clé d'accès").click();
    await page.waitForURL(/\/link/);
    const me = await page.evaluate(async () => (await fetch('/api/me')).json());
    assert.equal(me.email, email);

    // With the password, the second factor offers the passkey, which answers it.
    await button(page, 'Se déconnecter').click();
    await heading(page, 'Se connecter').waitFor();
    await label(page, 'Adresse courriel').fill(email);
    await label(page, 'Mot de passe').fill(account.password);
    await button(page, 'Connexion').click();
    await heading(page, 'Vérification en deux étapes').waitFor();
    await assertAccessible(page, 'the second factor with a passkey offered');
    await assertFitsPhone(page, 'the second factor with a passkey offered');
    await button(page, "Utiliser une clé d'accès").click();
    await page.waitForURL(/\/link/);
    const { credentials: used } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.ok(used[0].signCount >= 2, 'the authenticator signed twice');
  } finally {
    await close();
  }
});
