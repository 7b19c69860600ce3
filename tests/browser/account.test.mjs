// "Mon compte" in headless Chromium against the real worker: a person opens it from the header,
// ends a session of another device, then changes their password (that browser stays signed in,
// the old password no longer works). The page is checked with axe-core, and at 390 px wide.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, browser, button, emailFor, heading, label, logIn, openBrowser, text, withWorkerAndBrowser } from '../support/browser.mjs';
import { assertAccessible, assertFitsPhone } from '../support/a11y.mjs';
import { GOOD_PASSWORD } from '../support/app.mjs';

withWorkerAndBrowser();

const NEW_PASSWORD = 'Quatre hiboux blancs veillent';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

test('a person ends the session of another device, then changes their password in "Mon compte"', async () => {
  // Arrange: an account, also signed in on "another device" (Firefox on Linux) through the API.
  const email = emailFor('Camille');
  await app.signedUpUser({ email, first_name: 'Camille', last_name: 'Roy' });
  const laptop = app.client({ ip: '198.51.100.77' });
  const signedIn = await laptop.request('POST', '/api/session', { json: { email, password: GOOD_PASSWORD }, headers: { 'user-agent': FIREFOX } });
  assert.equal(signedIn.status, 200, signedIn.text);

  const { page, close } = await openBrowser(browser);
  try {
    await logIn(page, app.baseUrl, email);
    await page.getByRole('link', { name: 'Mon compte', exact: true }).first().click();
    await heading(page, 'Mon compte').waitFor();
    const sessions = page.locator('#account-sessions');
    const device = sessions.locator('.session-list__device', { hasText: 'Firefox · Linux' });
    await device.waitFor();
    await text(sessions, 'Cette session').waitFor();
    await assertAccessible(page, '/account');
    await assertFitsPhone(page, '/account');

    // End the other device's session.
    const other = sessions.locator('li', { hasText: 'Firefox · Linux' });
    await other.getByRole('button', { name: 'Fermer cette session Firefox · Linux', exact: true }).click();
    await text(sessions, 'La session a été fermée.').waitFor();
    await device.waitFor({ state: 'detached' });
    assert.equal((await laptop.me()).status, 401, 'the other device is signed out');

    // Change the password.
    const form = page.locator('#password-form');
    await label(form, 'Mot de passe actuel').fill(GOOD_PASSWORD);
    await label(form, 'Nouveau mot de passe').fill(NEW_PASSWORD);
    await label(form, 'Confirmation du nouveau mot de passe').fill(NEW_PASSWORD);
    await button(form, 'Changer le mot de passe').click();
    await text(form, 'Votre mot de passe est changé. Vos autres sessions ont été fermées.').waitFor();
    await assertAccessible(page, '/account after the change');

    // This browser stays signed in; only the new password opens the account.
    await page.reload();
    await heading(page, 'Mon compte').waitFor();
    assert.equal((await app.client({ ip: '198.51.100.78' }).logIn(email, GOOD_PASSWORD)).status, 401);
    assert.equal((await app.client({ ip: '198.51.100.79' }).logIn(email, NEW_PASSWORD)).status, 200);

    // A wrong current password is said next to its field.
    await label(form, 'Mot de passe actuel').fill('Pas le bon mot de passe');
    await label(form, 'Nouveau mot de passe').fill(GOOD_PASSWORD);
    await label(form, 'Confirmation du nouveau mot de passe').fill(GOOD_PASSWORD);
    await button(form, 'Changer le mot de passe').click();
    await text(form, 'Le mot de passe actuel est incorrect.').waitFor();
    await assertAccessible(page, '/account with a field error');
  } finally {
    await close();
  }
});
