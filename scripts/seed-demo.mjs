// Seeds the demo data of `make dev` through the public and operator APIs, as people would: a demo
// account that is the responsible of an accounting firm, two invited members of that firm, a few
// employers, one of which (with its own demo account) authorized the firm's contacts, and a pending
// access request. Safe to run again: what exists is left alone.
import { Client, FACTORS, enrolTotp, stepOf, waitFor } from '../tests/support/client.mjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { operator, importMigration } from './operator.mjs';

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

// Waits for the portal however long wrangler takes to start (a rebuild of the worker included):
// `make dev` stops this seeder if wrangler exits.
const waitingSince = Date.now();
let lastNotice = waitingSince;
while (!(await fetch(`${baseUrl}/api/health`).then((res) => res.status === 200, () => false))) {
  if (Date.now() - lastNotice >= 30000) {
    lastNotice = Date.now();
    console.log(`[seed] still waiting for ${baseUrl}/api/health (${Math.round((lastNotice - waitingSince) / 1000)} s)`);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
console.log('[seed] the portal answers: seeding the demo data');

// The demo accounts that act for a firm or as responsible have an authenticator app: the seeder
// keeps their TOTP secrets in this file (scripts/totp.mjs prints a current code from it), so a
// second run can still sign them in.
const FACTORS_FILE = fileURLToPath(new URL('../.state/demo-factors.json', import.meta.url));
if (existsSync(FACTORS_FILE)) {
  for (const [email, secret] of Object.entries(JSON.parse(readFileSync(FACTORS_FILE, 'utf8')))) {
    // The last run may have used the current step: answer with the next one.
    FACTORS.set(email, { secret, lastStep: stepOf(Date.now()), recoveryCodes: [] });
  }
}

/** Enrols the signed-in `client` in TOTP, unless the account has it; remembers the secret. */
async function withFactor(client, email) {
  if ((await client.mfa()).body?.totp?.enabled) return;
  const { recoveryCodes } = await enrolTotp(client);
  mkdirSync(dirname(FACTORS_FILE), { recursive: true });
  writeFileSync(FACTORS_FILE, JSON.stringify(Object.fromEntries([...FACTORS].map(([who, f]) => [who, f.secret])), null, 2));
  console.log(`[seed] ${email}: TOTP enrolled (secret in .state/demo-factors.json); recovery codes: ${recoveryCodes.join(' ')}`);
}

/** Signs `person` up (or in, when the account exists) with the demo password; resolves to their client. */
async function account(person) {
  const client = new Client(baseUrl);
  if ((await client.logIn(person.email, DEMO.password)).status === 200) return client;
  const started = must(await client.signUp({ ...person, password: DEMO.password, password_confirmation: DEMO.password, accept_terms: true, locale: 'fr' }), `signup of ${person.email}`);
  const email = await waitFor(`the code email of ${person.email}`, async () => (await mailbox(person.email)).find((e) => /code de validation/i.test(e.subject)));
  must(await client.verify(started.verification_id, email.text.match(/\b\d{6}\b/)[0]), `verification of ${person.email}`);
  return client;
}

/** Links `client` with fresh operator credentials and makes that profile active. */
async function linkAndSelect(client, credentials, who) {
  await withFactor(client, who);
  const linked = must(await client.linkWithCredentials({ identifier: credentials.identifier, code: credentials.code }), `linking of ${who}`);
  must(await client.selectProfile(linked.profile.id), `profile of ${who}`);
}

const demo = await account(DEMO);
const firm = await operator(baseUrl, 'create-organisation', { ...FIRM, responsible: { first_name: DEMO.first_name, last_name: DEMO.last_name, email: DEMO.email } });
const firstRun = firm.status === 201;
if (firstRun) {
  await linkAndSelect(demo, firm.body.responsible, DEMO.email);
  for (const member of MEMBERS) must(await demo.inviteMember(member), `invitation of ${member.email}`);
} else if (firm.body?.error?.code !== 'file_number_taken') {
  throw new Error(`firm not created: ${JSON.stringify(firm.body)}`);
}
const created = [];
for (const employer of EMPLOYERS) {
  const res = await operator(baseUrl, 'create-organisation', { kind: 'employer', ...employer });
  if (res.status !== 201 && res.body?.error?.code !== 'file_number_taken') throw new Error(`employer not created: ${JSON.stringify(res.body)}`);
  created.push(res);
}
if (firstRun && created[0].status === 201) {
  // Construction Boréal's responsible authorizes the demo responsible and Marie (still invited).
  const [boreal] = EMPLOYERS;
  const sophie = await account(boreal.responsible);
  await linkAndSelect(sophie, created[0].body.responsible, boreal.responsible.email);
  const ends = new Date(Date.now() + 200 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  for (const [contact_email, services, level] of [
    [DEMO.email, ['monthly_report', 'workforce', 'status_letter'], 'transmission'],
    [MEMBERS[0].email, ['monthly_report'], 'consultation'],
  ]) {
    must(await sophie.grantAuthorization({ firm_file_number: FIRM.file_number, contact_email, services, level, ends_on: ends }), `authorization of ${contact_email}`);
  }
  // The demo responsible asks Toitures Laval for access: a pending request, emailed to its address on file.
  const laval = EMPLOYERS[1];
  must(await demo.requestAccess({ file_number: laval.file_number, postal_code: laval.postal_code, services: ['monthly_report'], message: 'Nous préparons vos rapports mensuels.' }), 'access request');
}

// Most relations come from the legacy system: 60 more employers, each with a relation to the demo
// responsible (so "Mes dossiers autorisés" pages), Luc's relation with Construction Boréal to review,
// and two lines that cannot be migrated (Marie's is already granted; an unknown employer). Importing the same export again changes nothing.
const WORDS = ['Construction', 'Béton', 'Toitures', 'Excavation', 'Charpentes', 'Électricité', 'Plomberie', 'Rénovations', 'Coffrages', 'Maçonnerie'];
const PLACES = ['Québec', 'Laval', 'Lévis', 'Montréal', 'Sherbrooke', 'Gatineau', 'Saguenay', 'Trois-Rivières', 'Rimouski', 'Boucherville'];
const SUFFIXES = ['inc.', 'ltée', 'S.E.N.C.', 'et fils inc.'];
const day = (offset) => new Date(Date.now() + offset * 24 * 3600 * 1000).toISOString().slice(0, 10);
const lines = [];
for (let i = 1; i <= 60; i += 1) {
  const number = String(2100000 + i);
  const name = `${WORDS[i % WORDS.length]} ${PLACES[(i * 3 + Math.floor(i / 10)) % PLACES.length]} ${SUFFIXES[Math.floor(i / 3) % SUFFIXES.length]}`;
  lines.push({ type: 'organisation', kind: 'employer', name, file_number: number, postal_code: 'H2X 1Y4', email: `paie${i}@employeur-demo.example` });
  lines.push({ type: 'relation', legacy_id: `DEMO-${i}`, employer_file_number: number, firm_file_number: FIRM.file_number, contact_email: DEMO.email,
    services: ['RM', 'RM;GMO', 'LES', 'GMO;IDC;RM'][i % 4], level: i % 3 === 0 ? 'transmission' : 'consultation',
    starts_on: '2019-01-01', ends_on: i % 10 === 0 ? day(12 + i / 10) : (i % 4 === 0 ? day(300) : null) });
}
for (const [i, member] of MEMBERS.entries()) {
  lines.push({ type: 'relation', legacy_id: `DEMO-BOREAL-${i}`, employer_file_number: EMPLOYERS[0].file_number, firm_file_number: FIRM.file_number, contact_email: member.email, services: 'RM', level: 'consultation', starts_on: '2020-01-01', ends_on: null });
}
lines.push({ type: 'relation', legacy_id: 'DEMO-LOST', employer_file_number: '2999999', firm_file_number: FIRM.file_number, contact_email: DEMO.email, services: 'RM', level: 'consultation', starts_on: '2020-01-01', ends_on: null });
const exportFile = join(mkdtempSync(join(tmpdir(), 'sel-demo-')), 'legacy-export.ndjson');
writeFileSync(exportFile, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
const migrated = await importMigration(baseUrl, exportFile);

console.log(`
  SEL is running at ${baseUrl}
  Development mailbox: ${baseUrl}/dev/mailbox/  (every email the portal sends)

  Demo responsible of "${FIRM.name}" (file ${FIRM.file_number}):
      ${DEMO.email} / ${DEMO.password}  → "Mon organisation" lists the firm's contacts
      Second factor (required for firm profiles and responsibles): the sign-in asks for a code;
      node scripts/totp.mjs ${DEMO.email}   prints the current one, and the next (same for ${EMPLOYERS[0].responsible.email})
  Try the journey of a firm member:
      1. create an account at ${baseUrl}/signup as ${MEMBERS[0].email} (code in the mailbox)
      2. link it with the credentials of the invitation email: ${baseUrl}/dev/mailbox/?to=${MEMBERS[0].email}
      3. the responsible sees the member as linked in "Mon organisation"
  Employers (file numbers ${EMPLOYERS.map((e) => e.file_number).join(', ')}):
      ${EMPLOYERS[0].responsible.email} / ${DEMO.password}  → "Autorisations (employeur)" of ${EMPLOYERS[0].name}
      (it authorized the demo responsible and Marie; the demo responsible's "Mes dossiers autorisés" lists it);
      the other employers' responsibles have their link credentials in the mailbox; ${EMPLOYERS[1].name}
      has a pending access request from the demo firm.
  Legacy migration: ${migrated.lines} lines imported (run ${migrated.run_id}); the demo responsible has 61 authorized files,
      Construction Boréal has Luc's migrated relation to review, and two relations could not be migrated:
      curl -H 'Authorization: Bearer dev-operator-token' '${baseUrl}/api/operator/unmigrated-relations'
`);
