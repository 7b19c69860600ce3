// D1 rows read by the organisation's other lists (`node bench/search_rows.mjs`, the worker built):
// the audit trail with 100,000 events, an employer's authorizations list with 5,000
// authorizations and a firm's members list with 5,000 contacts. Rows read are D1's meta.rows_read
// summed over the request, from the worker's JSON log line (load-independent). Seeds straight into
// the local D1 file of one `wrangler dev` (tests/support), then prints one Markdown table.
import { randomUUID } from 'node:crypto';
process.env.SEL_SKIP_BUILD = '1';
const { spawnApp, waitFor } = await import('../tests/support/app.mjs');
const { linkedResponsible } = await import('../tests/support/orgs.mjs');
const { employer, sqlWrite, sql, quote, today, addDays, EMPLOYER_AUTHORIZATIONS, MEMBERS, AUDIT } = await import('../tests/support/authz.mjs');

const EVENTS = 100_000;
const PEOPLE = 5_000;

const app = await spawnApp();
try {
  const firm = await linkedResponsible(app, { kind: 'accounting_firm' });
  const boss = await employer(app);
  const firmId = firm.organisation.id;
  const [{ id: employerId, name: employerName }] = await sql(app, `SELECT id, name FROM organisations WHERE id = ${quote(boss.organisation.id)}`);
  const now = Date.now();
  const day = addDays(await today(app), -30);
  const start = Date.parse(`${day}T05:00:00Z`);
  const actions = ['contact.invited', 'token.created', 'token.revoked', 'authorization.granted', 'link.failed', 'webhook.changed', 'profile.selected', 'link_credentials.issued'];
  sqlWrite(app, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${EVENTS})
    INSERT INTO audit_events (id, at, action, organisation_id, details)
    SELECT 'bench-' || i, ${start} + i * 25000, json_extract(${quote(JSON.stringify(actions))}, '$[' || (i % ${actions.length}) || ']'),
      ${quote(firmId)}, '{}' FROM n`);
  sqlWrite(app, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PEOPLE})
    INSERT INTO contacts (id, organisation_id, first_name, last_name, email, search_text, role, status, created_at)
    SELECT 'bc-' || i, ${quote(firmId)}, 'Prénom' || i, 'Nom' || i, 'p' || i || '@bench.example',
      ' prenom' || i || ' nom' || i || ' p' || i || ' bench example', 'membre', CASE WHEN i % 100 = 0 THEN 'revoked' ELSE 'invited' END, ${now} FROM n`);
  sqlWrite(app, `INSERT INTO authorizations (id, employer_id, contact_id, firm_id, services, level, starts_at, origin, status, employer_name, name_key, file_number, created_at, updated_at)
    SELECT 'ba-' || substr(c.id, 4), ${quote(employerId)}, c.id, ${quote(firmId)}, 1, 'consultation', ${now}, 'granted',
      CASE WHEN CAST(substr(c.id, 4) AS INTEGER) % 100 = 0 THEN 'revoked' ELSE 'active' END, ${quote(employerName)}, ' bench', '2000001', ${now} + CAST(substr(c.id, 4) AS INTEGER), ${now}
      FROM contacts c WHERE c.id LIKE 'bc-%'`);
  const [{ file_number: firmNumber }] = await sql(app, `SELECT file_number FROM organisations WHERE id = ${quote(firmId)}`);
  const keys = await sql(app, `SELECT (SELECT COUNT(*) FROM contact_keys WHERE organisation_id = ${quote(firmId)}) AS contact_keys,
      (SELECT COUNT(*) FROM employer_authorization_keys WHERE employer_id = ${quote(employerId)}) AS authorization_keys`);

  /** D1 rows read by one GET, from the worker's log line. */
  async function rowsRead(client, path) {
    const res = await client.get(path);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text}`);
    const id = res.headers.get('x-request-id');
    let line;
    await waitFor(`the log line of ${path}`, () => {
      line = app.log().split('\n').find((l) => l.includes(`"request_id":"${id}"`));
      return Boolean(line);
    });
    return { rows: JSON.parse(line.slice(line.indexOf('{'))).d1_rows_read, body: res.body };
  }

  const rows = [];
  const measure = async (label, client, path) => {
    const { rows: n, body } = await rowsRead(client, path);
    rows.push(`| ${label} | \`${path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '…')}\` | ${n} | ${body.total ?? ''}${body.total_capped ? ' (capped)' : ''} |`);
    return body;
  };
  const baseline = await measure('`GET /api/organisation` (session and profile only, the floor)', firm.client, '/api/organisation');
  void baseline;
  await measure('audit, first page', firm.client, `${AUDIT}?page_size=25`);
  await measure('audit, page 400 by number', firm.client, `${AUDIT}?page_size=25&page=400`);
  let page = await measure('audit, action=token.', firm.client, `${AUDIT}?page_size=25&action=token.`);
  await measure('audit, action=token.revoked', firm.client, `${AUDIT}?page_size=25&action=token.revoked`);
  await measure('audit, action=link (two categories: walk)', firm.client, `${AUDIT}?page_size=25&action=link`);
  await measure('audit, one day (from=to)', firm.client, `${AUDIT}?page_size=25&from=${addDays(day, 5)}&to=${addDays(day, 5)}`);
  const month = `from=${day}&to=${addDays(day, 29)}`;
  let dated = await measure('audit, a month (from, to)', firm.client, `${AUDIT}?page_size=25&${month}`);
  if (dated.next !== undefined) {
    for (let i = 0; i < 39; i += 1) dated = (await rowsRead(firm.client, `${AUDIT}?page_size=25&${month}&after=${dated.next}`)).body;
    await measure('audit, a month, 41st page by cursor', firm.client, `${AUDIT}?page_size=25&${month}&after=${dated.next}`);
  }
  if (page.next !== undefined) {
    for (let i = 0; i < 3; i += 1) page = (await rowsRead(firm.client, `${AUDIT}?page_size=25&action=token.&after=${page.next}`)).body;
    await measure('audit, action=token., 5th page by cursor', firm.client, `${AUDIT}?page_size=25&action=token.&after=${page.next}`);
  }
  await measure('members, first page', firm.client, `${MEMBERS}?page_size=25`);
  await measure('members, page 100 (offset)', firm.client, `${MEMBERS}?page_size=25&page=100`);
  await measure('members, q=nom4999', firm.client, `${MEMBERS}?page_size=25&q=nom4999`);
  await measure('members, q=nom499 (11 matches)', firm.client, `${MEMBERS}?page_size=25&q=nom499`);
  await measure('members, q=nom (every member)', firm.client, `${MEMBERS}?page_size=25&q=nom`);
  await measure('members, q=prenom12 nom12 (two words)', firm.client, `${MEMBERS}?page_size=25&q=prenom12%20nom12`);
  await measure('members, q=zzz (no match)', firm.client, `${MEMBERS}?page_size=25&q=zzz`);
  await measure('members, status=revoked (50)', firm.client, `${MEMBERS}?page_size=25&status=revoked`);
  await measure('members, status=invited&q=nom4999', firm.client, `${MEMBERS}?page_size=25&status=invited&q=nom4999`);
  await measure('members, q=zz (shorter than a key: walks the list)', firm.client, `${MEMBERS}?page_size=25&q=zz`);
  await measure('employer authorizations, first page (active)', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25`);
  await measure('employer authorizations, status=all', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&status=all`);
  await measure('employer authorizations, status=revoked (50)', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&status=revoked`);
  await measure('employer authorizations, q=nom4999', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&q=nom4999`);
  await measure('employer authorizations, q=nom4999&status=all', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&q=nom4999&status=all`);
  await measure('employer authorizations, q=nom499 (11 matches)', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&q=nom499`);
  await measure('employer authorizations, q=nom&status=all (every one)', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&q=nom&status=all`);
  await measure('employer authorizations, the firm\'s number (every one)', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&q=${firmNumber}&status=all`);
  await measure('employer authorizations, q=zzz (no match)', boss.client, `${EMPLOYER_AUTHORIZATIONS}?page_size=25&q=zzz`);
  console.log(`${EVENTS} audit events of one firm (plus its own); ${PEOPLE} contacts in that firm (1 in 100 revoked), each authorized by one employer (${PEOPLE} authorizations, 1 in 100 revoked).`);
  console.log(`Search keys: ${keys[0].contact_keys} for the firm's contacts, ${keys[0].authorization_keys} for the employer's authorizations.\n`);
  console.log('| request | path | D1 rows read | total |\n|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  await app.stop();
}
