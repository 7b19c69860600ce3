// A burst of password checks shares the worker's one thread with everything else: each hash waits
// until the runtime has served its sockets since the previous one. Run back to back, forty hashes
// held workerd's event loop for seconds; its keep-alive timers, armed on a clock that had not
// moved meanwhile, then closed the connections the next requests had already been sent on, and
// wrangler dev's proxy answered those 503 "worker restarted mid-request" (bench/RESULTS.md,
// "Bursts").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp, uniqueEmail } from '../support/app.mjs';

const BURST = 40;

let app;
/** The answers to one burst of logins sent to a fresh instance, and what a health check saw meanwhile. */
let burst;
before(async () => {
  app = await spawnApp();
  let pending = BURST;
  // Each from an address of its own, so that no throttle answers before the password is checked.
  const logins = Array.from({ length: BURST }, (_, i) => app.client({ ip: `198.18.1.${i + 1}` })
    .logIn(uniqueEmail(`burst${i}`), 'Pas le bon mot de passe')
    .then((res) => { pending -= 1; return res; }));
  await Promise.race(logins);
  // Bounded: a GET that wrangler dev's proxy failed to send waits for a retry only a later request
  // starts.
  const health = await fetch(`${app.baseUrl}/api/health`, { signal: AbortSignal.timeout(30_000) })
    .then(async (res) => ({ status: res.status, text: await res.text() }), (error) => ({ status: 0, text: String(error) }));
  const stillWaiting = pending;
  burst = { answers: await Promise.all(logins), health, stillWaiting };
});
after(async () => { await app?.stop(); });

test('40 concurrent logins for unknown addresses are all refused by the worker itself', () => {
  // The first burst of a fresh instance: wrangler dev's proxy opens a connection per request, none
  // of them one its pool is closing (the drop that is wrangler's, see limits.test.mjs).
  assert.deepEqual(burst.answers.filter((a) => a.status !== 401).map((a) => `${a.status} ${a.text.slice(0, 120)}`), [],
    'every login answers 401 invalid_credentials');
});

test('during a burst of 40 logins the worker answers other requests between the password hashes', () => {
  assert.equal(burst.health.status, 200, burst.health.text);
  assert.ok(burst.stillWaiting >= BURST / 4,
    `the health check was answered while ${burst.stillWaiting} of ${BURST} logins still waited for their hash (hashes run back to back answer every login at once, the health check after them)`);
});
