// Headless Chromium for the browser tests: Debian's chromium driven by playwright-core, with the
// flags that keep it off the network (this machine has none beyond the package registries), and
// what every browser journey does: a fresh French profile checked for page errors, the locators
// by the guide's roles and labels, and the login.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GOOD_PASSWORD, spawnApp, uniqueEmail } from './app.mjs';
import { FACTORS, nextProof, stepOf, totpCode, workerClock } from './client.mjs';

/** The worker and the Chromium of this test file, once `withWorkerAndBrowser()` started them. */
export let app;
export let browser;

/**
 * The setup of a browser test file: a real worker and one Chromium, started before its tests and
 * stopped after them. `app` and `browser` above are live bindings, and node --test runs each file
 * in its own process, so each file has its own pair.
 */
export function withWorkerAndBrowser() {
  before(async () => {
    app = await spawnApp();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh profile of `browser` (no cookies, no stored language, French preferred). Closing it
 * checks that no page threw an uncaught error meanwhile, nor broke the Content-Security-Policy
 * (no inline script or style).
 */
export async function openBrowser(browser) {
  const context = await browser.newContext({ locale: 'fr-CA' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(`${page.url()}: ${message.text()}`);
  });
  return {
    page,
    close: async () => {
      await context.close();
      assert.deepEqual(errors, [], 'no page threw an uncaught error or broke the CSP');
    },
  };
}

/** Runs `run(page)` in a fresh profile of `browser` (see openBrowser), then closes and checks it. */
export async function withPage(browser, run) {
  const { page, close } = await openBrowser(browser);
  try {
    await run(page);
  } finally {
    await close();
  }
}

export const heading = (page, name) => page.getByRole('heading', { name, exact: true });
export const button = (scope, name) => scope.getByRole('button', { name, exact: true });
export const label = (scope, name) => scope.getByLabel(name, { exact: true });
export const tab = (page, name) => page.getByRole('tab', { name, exact: true });
export const text = (scope, words) => scope.getByText(words, { exact: true });
export const menu = (page) => page.getByRole('navigation', { name: 'Menu principal' });

/** An address for a person: their first name without accents, made unique. */
export const emailFor = (firstName) => uniqueEmail(firstName.normalize('NFD').replace(/[^a-zA-Z]/g, '').toLowerCase());

/**
 * Fills and sends the login form the page shows (once its heading is there). For an account
 * enrolled in TOTP by the test client, types the code its authenticator app would show.
 */
export async function submitLogin(page, email, password = GOOD_PASSWORD) {
  await heading(page, 'Se connecter').waitFor();
  await label(page, 'Adresse courriel').fill(email);
  await label(page, 'Mot de passe').fill(password);
  await button(page, 'Connexion').click();
  const factor = FACTORS.get(email);
  if (!factor) return;
  await heading(page, 'Vérification en deux étapes').waitFor();
  const proof = await nextProof(new URL(page.url()).origin, factor);
  await label(page, 'Code de vérification').fill(proof.code ?? proof.recovery_code);
  await button(page, 'Vérifier').click();
}

/**
 * Opens the login page of the app at `baseUrl` and logs in with GOOD_PASSWORD. With `firstName`,
 * waits for the home page greeting them ("Bonjour, …"); without, the caller waits for where the
 * portal leads (linking a file, choosing a profile).
 */
export async function logIn(page, baseUrl, email, { firstName } = {}) {
  await page.goto(`${baseUrl}/`);
  await submitLogin(page, email);
  if (firstName !== undefined) await heading(page, `Bonjour, ${firstName}`).waitFor();
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Checks the page with axe-core (WCAG 2.1 A and AA, stable rules), asserting no violation, once no
 * list on it is being refreshed: a refreshing list is dimmed (`.table-wrap[aria-busy]`) for a
 * moment, which is not the page a person reads (a form may stay busy, behind a dialog). The engine is evaluated through the DevTools protocol, which the
 * page's CSP does not restrict.
 */
export async function assertAccessible(page, what) {
  await page.waitForFunction(() => !document.querySelector('.table-wrap[aria-busy="true"]'));
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    // Experimental rules (axe leaves them out of its default run) are not held against a page.
    return result.violations.filter((v) => !v.tags.includes('experimental'))
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
  assert.deepEqual(violations, [], `${what}: no accessibility violation`);
}

/** At 390 px wide (a phone), the page fits without scrolling sideways. */
export async function assertFitsPhone(page, what) {
  const previous = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what}: ${overflow} px wider than a 390 px screen`);
  if (previous) await page.setViewportSize(previous);
}

/**
 * Where the portal leads to "Sécurité de connexion" (a profile that needs a second factor), sets up
 * an authenticator app as its owner would: reads the key the page shows, types the code an app
 * computes from it, and keeps the recovery codes (so later sign-ins of `email` can answer).
 */
export async function enrolWhenLed(page, email) {
  await heading(page, 'Sécurité de connexion').waitFor();
  await button(page, "Configurer une application d'authentification").click();
  await heading(page, "Configurer l'application").waitFor();
  const key = (await page.locator('#mfa-secret').textContent()).replace(/\s/g, '');
  const step = stepOf(await workerClock(new URL(page.url()).origin));
  await label(page, 'Code à six chiffres').fill(totpCode(key, step));
  await button(page, 'Activer').click();
  await heading(page, 'Vos codes de récupération').waitFor();
  const recoveryCodes = await page.locator('#mfa-code-list li').allTextContents();
  FACTORS.set(email, { secret: key, lastStep: step, recoveryCodes });
  await button(page, "J'ai conservé mes codes").click();
}
