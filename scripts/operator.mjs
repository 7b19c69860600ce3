// Operator commands against a running portal (local or deployed):
//   node scripts/operator.mjs create-organisation organisation.json
//   node scripts/operator.mjs import-legacy legacy-export.json
// SEL_URL (default http://127.0.0.1:8787) and OPERATOR_TOKEN (default: the development token)
// say where and as whom. The JSON formats are in the README ("Operator commands").
import { readFileSync } from 'node:fs';

const ROUTES = { 'create-organisation': '/api/operator/organisations', 'import-legacy': '/api/operator/legacy-credentials' };

export async function operator(baseUrl, command, body, token = process.env.OPERATOR_TOKEN ?? 'dev-operator-token') {
  const path = ROUTES[command];
  if (!path) throw new Error(`unknown command ${command}; known: ${Object.keys(ROUTES).join(', ')}`);
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, file] = process.argv.slice(2);
  if (!command || !file) {
    console.error('usage: node scripts/operator.mjs create-organisation|import-legacy FILE.json');
    process.exit(2);
  }
  const { status, body } = await operator(process.env.SEL_URL ?? 'http://127.0.0.1:8787', command, JSON.parse(readFileSync(file, 'utf8')));
  console.log(JSON.stringify(body, null, 2));
  process.exit(status < 300 ? 0 : 1);
}
