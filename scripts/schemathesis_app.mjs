// The worker for scripts/schemathesis.sh: a real `wrangler dev` on fresh local state (as the
// end-to-end tests start it), with an employer whose responsible is signed in and acting for it.
// Prints one JSON line {base_url, session}, then serves until it receives SIGTERM or SIGINT.
import { spawnApp } from '../tests/support/app.mjs';
import { linkedResponsible } from '../tests/support/orgs.mjs';

const app = await spawnApp();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
try {
  const { client } = await linkedResponsible(app, { kind: 'employer' });
  const session = client.cookies.get('__Host-sel_session');
  process.stdout.write(`${JSON.stringify({ base_url: app.baseUrl, session })}\n`);
} catch (error) {
  process.stderr.write(`seeding failed: ${error.stack ?? error}\n${app.log().slice(-4000)}\n`);
  await stop();
}
setInterval(() => {}, 1 << 30);
