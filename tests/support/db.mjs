// The one way tests read and write a running instance's local D1: straight through SQLite, next
// to the worker. `wrangler d1 execute` on a live state directory disturbs the running instance,
// so the tests never use it.
import { DatabaseSync } from 'node:sqlite';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The SQLite file of the local D1 database in a state directory. */
export function databaseFile(state) {
  const dir = join(state, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const file = readdirSync(dir).find((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite');
  return join(dir, file);
}

/** The rows of one query on the D1 of a state directory, read-only, as plain objects. */
export function rowsOf(state, query) {
  const db = new DatabaseSync(databaseFile(state), { readOnly: true });
  try { return db.prepare(query).all().map((row) => ({ ...row })); } finally { db.close(); }
}

/**
 * The rows of one query on an instance's D1. Reading blocks the event loop; meanwhile the worker
 * may close an idle keep-alive connection, and the next fetch would be written to that dead socket
 * ("other side closed"): yielding afterwards lets the client notice the close first.
 */
export async function sql(app, query) {
  const rows = rowsOf(app.state, query);
  await new Promise((resolve) => setImmediate(resolve));
  return rows;
}

/** Opens an instance's D1 for writing (SQLite's own locking keeps the worker and the test safe). */
export function writable(app, use) {
  const db = new DatabaseSync(databaseFile(app.state));
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    return use(db);
  } finally { db.close(); }
}

/** Runs one write statement on an instance's D1 (for seeding what the API cannot make yet). */
export function sqlWrite(app, statement) {
  return writable(app, (db) => db.prepare(statement).run());
}

/** A SQL string literal. */
export const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;
