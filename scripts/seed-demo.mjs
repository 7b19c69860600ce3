// Seeds the demo data of `make dev` through the public and operator APIs, as people would: a demo
// account that is the responsible of an accounting firm, two invited members of that firm, and a
// few employers. Safe to run again: what exists is left alone.
import { Client, waitFor } from '../tests/support/client.mjs';
import { operator } from './operator.mjs';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:8787';
const DEMO = { email: 'demo@sel.example', password: 'Grue jaune sur le chantier 2026', first_name: 'Dominique', last_name: 'Démo' };
const FIRM = { kind: 'accounting_firm', name: 'Cabinet comptable Démo inc.', file_number: '1000001', postal_code: 'H2X 1Y4', email: 'info@cabinet-demo.example' };
const MEMBERS = [
  { first_name: 'Marie', last_name: 'Tremblay', email: 'marie.tremblay@cabinet-demo.example', role: 'membre' },
  { first_name: 'Luc', last_name: 'Gagnon', email: 'luc.gagnon@cabinet-demo.example', role: 'membre' },
];
const EMPLOYERS = [
  { name: 'Construction Boréal inc.', file_number: '2000001', postal_code: 'G1K 3A1', email: 'paie@boreal.example', responsible: { first_name: 'Sophie', last_name: 'Bouchard', email: 'sophie@boreal.example' } },
  { name: 'Toitures Laval ltée', file_number: '2000002', postal_code: 'H7N 2P5', email: 'admin@toitures-laval.example', responsible: { first_name: 'Jean', last_name: 'Côté', email: 'jean@toitures-laval.example' } },
  { name: 'Excavation Québec-Nord', file_number: '2000003', postal_code: 'G6V 4Z2', email: 'bureau@excavation-qn.example', responsible: { first_name: 'Nadia', last_name: 'Roy', email: 'nadia@excavation-qn.example' } },
];

const mailbox = async (to) => (await fetch(`${baseUrl}/dev/mailbox?to=${encodeURIComponent(to)}`)).json();
const must = (res, what) => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

await waitFor('the portal to start', async () => (await fetch(`${baseUrl}/api/health`)).status === 200, { timeoutMs: 120000, intervalMs: 500 });

const demo = new Client(baseUrl);
if ((await demo.logIn(DEMO.email, DEMO.password)).status !== 200) {
  const started = must(await demo.signUp({ ...DEMO, password_confirmation: DEMO.password, accept_terms: true, locale: 'fr' }), 'demo signup');
  const email = await waitFor('the demo code email', async () => (await mailbox(DEMO.email))[0]);
  must(await demo.verify(started.verification_id, email.text.match(/\b\d{6}\b/)[0]), 'demo verification');
}

const firm = await operator(baseUrl, 'create-organisation', { ...FIRM, responsible: { first_name: DEMO.first_name, last_name: DEMO.last_name, email: DEMO.email } });
if (firm.status === 201) {
  const linked = must(await demo.post('/api/links/credentials', { identifier: firm.body.responsible.identifier, code: firm.body.responsible.code }), 'demo linking');
  must(await demo.request('PUT', '/api/session/profile', { json: { profile_id: linked.profile.id } }), 'demo profile');
  for (const member of MEMBERS) must(await demo.post('/api/organisation/members', member), `invitation of ${member.email}`);
} else if (firm.body?.error?.code !== 'file_number_taken') {
  throw new Error(`firm not created: ${JSON.stringify(firm.body)}`);
}
for (const employer of EMPLOYERS) {
  const created = await operator(baseUrl, 'create-organisation', { kind: 'employer', ...employer });
  if (created.status !== 201 && created.body?.error?.code !== 'file_number_taken') throw new Error(`employer not created: ${JSON.stringify(created.body)}`);
}

console.log(`
  SEL is running at ${baseUrl}
  Development mailbox: ${baseUrl}/dev/mailbox/  (every email the portal sends)

  Demo responsible of "${FIRM.name}" (file ${FIRM.file_number}):
      ${DEMO.email} / ${DEMO.password}  → "Mon organisation" lists the firm's contacts
  Try the journey of a firm member:
      1. create an account at ${baseUrl}/signup as ${MEMBERS[0].email} (code in the mailbox)
      2. link it with the credentials of the invitation email: ${baseUrl}/dev/mailbox/?to=${MEMBERS[0].email}
      3. the responsible sees the member as linked in "Mon organisation"
  Employers (file numbers ${EMPLOYERS.map((e) => e.file_number).join(', ')}): their responsibles' credentials are in the mailbox too.
`);
