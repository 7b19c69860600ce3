// The schema's history: migrations/ applied by `wrangler d1 migrations apply` build exactly the
// schema that schema.sql documents, and a database made at the first migration keeps serving its
// rows once every later migration is applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { spawnApp, applyMigrations, migrationFiles, templateState, databaseFile, ROOT, GOOD_PASSWORD } from '../support/app.mjs';
import { linkedResponsible, selectProfile } from '../support/orgs.mjs';
import { forgetFactor } from '../support/client.mjs';
import { withReceiver, verify, employerWithWebhook, grant } from '../support/webhooks.mjs';

/** Tables that are not the application's: SQLite's, wrangler's migration log, workerd's. */
const isOwnTable = (name) => !/^(sqlite_|_cf_|d1_migrations$)/.test(name);

/** SQL without comments, with runs of whitespace made one space. */
const normalize = (sql) => sql.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

/** The expressions of a CREATE TABLE's CHECK constraints (columns' and the table's), sorted. */
function checksOf(sql) {
  const text = normalize(sql);
  const checks = [];
  for (const match of text.matchAll(/\bCHECK\s*\(/gi)) {
    let depth = 0;
    let end = match.index + match[0].length - 1;
    for (; end < text.length; end += 1) {
      if (text[end] === '(') depth += 1;
      if (text[end] === ')' && --depth === 0) break;
    }
    checks.push(text.slice(match.index + match[0].length, end).trim());
  }
  return checks.sort();
}

/**
 * Everything that makes a database's schema, in a form two databases can be compared by: each
 * table's columns in order (name, type, not null, default, primary key), foreign keys, CHECK
 * constraints and indexes (named or made by UNIQUE/PRIMARY KEY), each index's columns and
 * definition, each trigger's definition, and the rows of the tables the schema fills itself.
 * Column order is compared as a list, so a column a migration adds with ALTER TABLE ADD COLUMN must
 * sit at the end of its CREATE TABLE in schema.sql.
 */
function describeSchema(db) {
  const objects = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all()
    .filter((o) => isOwnTable(o.tbl_name));
  const quoted = (name) => `"${name.replaceAll('"', '""')}"`;
  const tables = {};
  for (const table of objects.filter((o) => o.type === 'table')) {
    const name = quoted(table.name);
    tables[table.name] = {
      columns: db.prepare(`PRAGMA table_xinfo(${name})`).all()
        .map(({ name: column, type, notnull, dflt_value, pk, hidden }) => ({ column, type, notnull, default: dflt_value, pk, hidden })),
      foreign_keys: db.prepare(`PRAGMA foreign_key_list(${name})`).all()
        .map(({ table: references, from, to, on_update, on_delete, match }) => ({ references, from, to, on_update, on_delete, match }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      checks: checksOf(table.sql),
      rows: db.prepare(`SELECT * FROM ${name}`).all().map((row) => ({ ...row })),
    };
  }
  const indexes = {};
  for (const table of Object.keys(tables)) {
    for (const index of db.prepare(`PRAGMA index_list(${quoted(table)})`).all()) {
      const definition = objects.find((o) => o.type === 'index' && o.name === index.name)?.sql;
      // Indexes SQLite makes for UNIQUE and PRIMARY KEY constraints are named by their position in
      // the table: compare them by what they index instead.
      const columns = db.prepare(`PRAGMA index_xinfo(${quoted(index.name)})`).all()
        .filter((c) => c.key).map(({ name, desc, coll }) => ({ name, desc, coll }));
      const key = index.origin === 'c' ? index.name : `${table}(${columns.map((c) => c.name).join(',')}) ${index.origin}`;
      indexes[key] = { table, unique: index.unique, origin: index.origin, partial: index.partial, columns, sql: definition ? normalize(definition) : null };
    }
  }
  const triggers = Object.fromEntries(objects.filter((o) => o.type === 'trigger').map((t) => [t.name, { table: t.tbl_name, sql: normalize(t.sql) }]));
  const views = Object.fromEntries(objects.filter((o) => o.type === 'view').map((v) => [v.name, normalize(v.sql)]));
  return { tables, indexes, triggers, views };
}

test('applying every migration to an empty database gives exactly the schema of schema.sql', () => {
  const documented = new DatabaseSync(':memory:');
  documented.exec(readFileSync(join(ROOT, 'schema.sql'), 'utf8'));
  const migrated = new DatabaseSync(databaseFile(templateState()), { readOnly: true });
  try {
    const expected = describeSchema(documented);
    const actual = describeSchema(migrated);

    assert.deepEqual(Object.keys(actual.tables).sort(), Object.keys(expected.tables).sort(), 'the same tables');
    for (const table of Object.keys(expected.tables)) {
      assert.deepEqual(actual.tables[table], expected.tables[table], `table ${table}: columns in order, foreign keys, checks and seeded rows`);
    }
    assert.deepEqual(actual.indexes, expected.indexes, 'the same indexes');
    assert.deepEqual(actual.triggers, expected.triggers, 'the same triggers');
    assert.deepEqual(actual.views, expected.views, 'the same views');
    assert.ok(Object.keys(expected.tables).length > 20 && Object.keys(expected.triggers).length > 3, 'the comparison sees the whole schema');
  } finally {
    documented.close();
    migrated.close();
  }
});

/**
 * A state directory holding `source`'s rows as a database at the first migration would hold them:
 * the first migration applied, then every row copied in, each table through the columns it had
 * then. Triggers are set aside while copying (rows arrive with what they computed already, such as
 * sync versions and totals) and put back after.
 */
function atFirstMigration(source) {
  mkdirSync(join(ROOT, 'tests', '.runs'), { recursive: true });
  const state = mkdtempSync(join(ROOT, 'tests', '.runs', 'state-first-'));
  applyMigrations(state, migrationFiles().slice(0, 1));
  const db = new DatabaseSync(databaseFile(state), { enableForeignKeyConstraints: false });
  try {
    db.exec(`ATTACH DATABASE '${databaseFile(source).replaceAll("'", "''")}' AS source`);
    const triggers = db.prepare("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'").all();
    db.exec('BEGIN');
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
    const tables = db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table'").all().map((t) => t.name).filter(isOwnTable);
    for (const table of tables) {
      const columns = db.prepare(`PRAGMA main.table_info("${table}")`).all().map((c) => `"${c.name}"`).join(', ');
      db.exec(`DELETE FROM main."${table}"`);
      db.exec(`INSERT INTO main."${table}" (${columns}) SELECT ${columns} FROM source."${table}"`);
    }
    for (const { sql } of triggers) db.exec(sql);
    db.exec('COMMIT');
    db.exec('DETACH DATABASE source');
  } finally {
    db.close();
  }
  return state;
}

test('a database filled at the first migration and upgraded to the latest still signs in, lists files and delivers webhooks', async () => {
  await withReceiver(async (receiver) => {
    // Arrange: people, organisations, an authorization and a webhook, all made through the API.
    const before = await spawnApp();
    let upgraded;
    let state;
    try {
      const employer = await employerWithWebhook(before, receiver, '/upgrade', ['authorization.granted', 'authorization.revoked']);
      const firm = await linkedResponsible(before);
      const authorization = await grant(employer.client, { form: firm.form, responsible: { email: firm.email } });
      await receiver.waitFor(1, { filter: (r) => r.path === '/upgrade' });
      const filesBefore = await firm.client.authorizedFiles();
      assert.equal(filesBefore.status, 200, filesBefore.text);
      await before.stop({ keepState: true });

      // Act: the data as it stood at the first migration, then every pending migration applied.
      state = atFirstMigration(before.state);
      applyMigrations(state);
      upgraded = await spawnApp({ from: state });

      // Assert: the accounts sign in, the files list as before, the webhook still delivers, signed.
      // The first migration predates second factors: the responsible enrols again when asked.
      forgetFactor(firm.email);
      forgetFactor(employer.email);
      const firmAgain = upgraded.client();
      const login = await firmAgain.logIn(firm.email, GOOD_PASSWORD);
      assert.equal(login.status, 200, `the firm's responsible signs in: ${login.text}`);
      assert.equal((await selectProfile(firmAgain, firm.profile.id)).status, 200, 'the linked profile is still there');
      const filesAfter = await firmAgain.authorizedFiles();
      assert.equal(filesAfter.status, 200, filesAfter.text);
      assert.deepEqual(filesAfter.body.items, filesBefore.body.items, 'the same authorized files');
      assert.equal(filesAfter.body.items.length, 1);

      const employerAgain = upgraded.client();
      assert.equal((await employerAgain.logIn(employer.email, GOOD_PASSWORD)).status, 200, "the employer's responsible signs in");
      assert.equal((await selectProfile(employerAgain, employer.profile.id)).status, 200);
      const revoked = await employerAgain.revokeAuthorization(authorization.id);
      assert.ok(revoked.status < 300, `the authorization is revoked: ${revoked.status} ${revoked.text}`);
      const [delivery] = await receiver.waitFor(1, { filter: (r) => r.path === '/upgrade' && r.body?.type === 'authorization.revoked' });
      assert.equal(verify(employer.secret, delivery).valid, true, 'the delivery is signed with the secret made before the upgrade');
    } finally {
      await before.stop();
      await upgraded?.stop();
      if (state) rmSync(state, { recursive: true, force: true });
    }
  });
});
