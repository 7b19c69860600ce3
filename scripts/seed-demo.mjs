// Seeds the demo data of `make dev` through the public API, as a person would: a demo account that
// signs up and validates its emailed code. Safe to run again: an existing account is left alone.
import { Client, waitFor } from '../tests/support/client.mjs';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:8787';
const DEMO = { email: 'demo@sel.example', password: 'Grue jaune sur le chantier 2026', first_name: 'Dominique', last_name: 'Démo' };

await waitFor('the portal to start', async () => (await fetch(`${baseUrl}/api/health`)).status === 200, { timeoutMs: 120000, intervalMs: 500 });
const client = new Client(baseUrl);
const login = await client.logIn(DEMO.email, DEMO.password);
if (login.status !== 200) {
  const started = await client.signUp({ ...DEMO, password_confirmation: DEMO.password, accept_terms: true, locale: 'fr' });
  if (started.status !== 202) throw new Error(`demo signup refused: ${started.text}`);
  const email = await waitFor('the demo code email', async () => {
    const res = await fetch(`${baseUrl}/dev/mailbox?to=${encodeURIComponent(DEMO.email)}`);
    return (await res.json())[0];
  });
  const code = email.text.match(/\b\d{6}\b/)[0];
  const verified = await client.verify(started.body.verification_id, code);
  if (verified.status !== 200) throw new Error(`demo account not created: ${verified.text}`);
}
console.log(`
  SEL is running at ${baseUrl}
  Demo account:        ${DEMO.email} / ${DEMO.password}
  Development mailbox: ${baseUrl}/dev/mailbox/  (every email the portal sends, e.g. signup codes)
  Try it: create an account at ${baseUrl}/signup with any address, read the code in the mailbox.
`);
