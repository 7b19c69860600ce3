// Prints the current TOTP code of a demo account, as its authenticator app would show it: the
// demo seeder keeps the secrets of the accounts it enrolled in .state/demo-factors.json.
// Usage: node scripts/totp.mjs demo@sel.example   (or a base-32 secret instead of the address)
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stepOf, totpCode } from '../tests/support/client.mjs';

const FACTORS_FILE = fileURLToPath(new URL('../.state/demo-factors.json', import.meta.url));
const [who] = process.argv.slice(2);
if (!who) {
  console.error('usage: node scripts/totp.mjs <demo email | base-32 secret>');
  process.exit(2);
}
const known = existsSync(FACTORS_FILE) ? JSON.parse(readFileSync(FACTORS_FILE, 'utf8')) : {};
const secret = known[who] ?? (who.includes('@') ? null : who);
if (!secret) {
  console.error(`no TOTP secret for ${who} in .state/demo-factors.json: run make dev first`);
  process.exit(1);
}
const now = Date.now();
const step = stepOf(now);
// A code serves once: right after `make dev` the seeder may have used the current one, and the
// portal then answers that it is invalid; the next one is accepted as soon as its step starts (or
// already, within the portal's one-step drift).
console.log(`${totpCode(secret, step)}   (valid ${30 - Math.floor((now / 1000) % 30)} s more; if already used, the next one: ${totpCode(secret, step + 1)})`);
