// Rows and bytes per table of a local D1 database (docs/CAPACITY.md): each table with its
// indexes, from SQLite's dbstat: the pages they take (what D1 bills and limits; small tables are
// rounded up to whole 4 KiB pages) and the payload bytes of their rows and index entries.
//
// Usage: node bench/capacity.mjs [STATE_DIR]   (default: .state, the database of `make dev`)
import { DatabaseSync } from 'node:sqlite';
import { databaseFile } from '../tests/support/app.mjs';

const state = process.argv[2] ?? '.state';
const db = new DatabaseSync(databaseFile(state), { readOnly: true });
const owner = Object.fromEntries(db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").all().map((o) => [o.name, o.tbl_name]));
const bytes = {};
const payload = {};
for (const { name, size, used } of db.prepare('SELECT name, sum(pgsize) AS size, sum(payload) AS used FROM dbstat GROUP BY name').all()) {
  const table = owner[name] ?? name;
  bytes[table] = (bytes[table] ?? 0) + size;
  payload[table] = (payload[table] ?? 0) + used;
}
const rows = [];
for (const table of Object.keys(bytes).sort()) {
  if (/^(sqlite_|_cf_|d1_migrations$)/.test(table)) continue;
  const [{ n }] = db.prepare(`SELECT count(*) AS n FROM "${table}"`).all();
  rows.push({ table, rows: n, bytes: bytes[table], per_row: n ? Math.round(bytes[table] / n) : null, payload_per_row: n ? Math.round(payload[table] / n) : null });
}
const total = db.prepare('SELECT page_count * page_size AS size FROM pragma_page_count(), pragma_page_size()').get().size;
console.log(`database file: ${(total / 1e6).toFixed(1)} MB (${state})\n`);
console.log('| table (with its indexes) | rows | bytes (pages) | bytes per row | payload bytes per row |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows.sort((a, b) => b.bytes - a.bytes)) {
  console.log(`| \`${r.table}\` | ${r.rows.toLocaleString('en')} | ${r.bytes.toLocaleString('en')} | ${r.per_row?.toLocaleString('en') ?? '–'} | ${r.payload_per_row?.toLocaleString('en') ?? '–'} |`);
}
db.close();
