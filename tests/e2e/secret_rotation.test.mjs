// A rotation of the server secret (CODE_HASH_KEY, with the one it replaces in
// CODE_HASH_KEY_PREVIOUS) keeps every stored value working: codes hashed and secrets sealed under
// the previous secret, or under the secret itself before keys were derived with HKDF, still verify
// and open, while a value of any other key does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { spawnApp, uniqueEmail, GOOD_PASSWORD, TestApp, isCodeEmail } from '../support/app.mjs';
import { sql, quote } from '../support/orgs.mjs';
import { sqlWrite } from '../support/authz.mjs';
import { base32Bytes, enrolTotp, nextProof } from '../support/client.mjs';

const PREVIOUS = 'sel-development-only-code-hash-key';
let app;
before(async () => {
  app = await spawnApp({ vars: { CODE_HASH_KEY: 'a-rotated-server-secret-for-tests', CODE_HASH_KEY_PREVIOUS: PREVIOUS } });
});
after(async () => { await app?.stop(); });

/** HKDF-SHA256 of a secret for one purpose, as the worker derives it. */
const derived = (secret, purpose) => Buffer.from(hkdfSync('sha256', secret, 'sel/server-secret', purpose, 32));
/** How keys were made before HKDF: the secret itself for hashes, HMAC of the purpose for seals. */
const formerSealingKey = (secret, purpose) => createHmac('sha256', secret).update(purpose).digest();
const keyedHash = (key, context, code) => createHmac('sha256', key).update(`${context}:${code}`).digest('hex');

function seal(key, plaintext, owner) {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(owner));
  const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `v1.${sealed.toString('base64')}`;
}

/** A signup whose code row is rewritten as if hashed under `key`; resolves to the verification's answer. */
async function verifyWithCodeHashedUnder(key) {
  const email = uniqueEmail('rotation');
  const client = app.client();
  const started = await client.signUp({ email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD, first_name: 'Rita', last_name: 'Rotation', accept_terms: true });
  assert.equal(started.status, 202, started.text);
  const id = started.body.verification_id;
  const code = TestApp.codeOf(await app.waitForEmail(email, isCodeEmail));
  sqlWrite(app, `UPDATE verifications SET code_hash = ${quote(keyedHash(key, id, code))} WHERE id = ${quote(id)}`);
  return { client, answer: await client.verify(id, code) };
}

test('a code hashed under the previous secret\'s derived key still verifies', async () => {
  const { answer } = await verifyWithCodeHashedUnder(derived(PREVIOUS, 'sel/code-hash/v1'));
  assert.equal(answer.status, 200, answer.text);
});

test('a code hashed with the previous secret itself, before keys were derived, still verifies', async () => {
  const { answer } = await verifyWithCodeHashedUnder(Buffer.from(PREVIOUS));
  assert.equal(answer.status, 200, answer.text);
});

test('a code hashed under any other key does not verify', async () => {
  const { answer } = await verifyWithCodeHashedUnder(Buffer.from('not-a-secret-of-this-portal'));
  assert.equal(answer.status, 422, answer.text);
  assert.equal(answer.body.error.code, 'invalid_code');
});

test('new codes are hashed under the current secret\'s derived key', async () => {
  const email = uniqueEmail('rotation-new');
  const client = app.client();
  const started = await client.signUp({ email, password: GOOD_PASSWORD, password_confirmation: GOOD_PASSWORD, first_name: 'Rita', last_name: 'Rotation', accept_terms: true });
  const id = started.body.verification_id;
  const code = TestApp.codeOf(await app.waitForEmail(email, isCodeEmail));
  const [row] = await sql(app, `SELECT code_hash FROM verifications WHERE id = ${quote(id)}`);
  assert.equal(row.code_hash, keyedHash(derived('a-rotated-server-secret-for-tests', 'sel/code-hash/v1'), id, code));
});

for (const [label, key] of [
  ['the previous secret\'s derived key', () => derived(PREVIOUS, 'sel/totp-secrets/v1')],
  ['the key of the previous secret before HKDF', () => formerSealingKey(PREVIOUS, 'sel/totp-secrets/v1')],
]) {
  test(`a TOTP secret sealed under ${label} still opens`, async () => {
    const { client } = await verifyWithCodeHashedUnder(derived('a-rotated-server-secret-for-tests', 'sel/code-hash/v1'));
    const { secret, factor } = await enrolTotp(client);
    const [user] = await sql(app, `SELECT user_id FROM totp_factors WHERE user_id = (SELECT id FROM users WHERE email = ${quote(client.email)})`);
    sqlWrite(app, `UPDATE totp_factors SET sealed_secret = ${quote(seal(key(), base32Bytes(secret), user.user_id))} WHERE user_id = ${quote(user.user_id)}`);

    const res = await client.stepUp(await nextProof(app.baseUrl, factor));

    assert.equal(res.status, 204, res.text);
  });
}
