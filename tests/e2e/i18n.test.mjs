// The UI speaks French first and English too: every text of public/js/i18n.js exists in both
// languages, with the same placeholders, and every key a page names in its markup exists. Reads the
// files as text (the dictionary is not exported; no worker is needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/app.mjs';

const PUBLIC = join(ROOT, 'public');
const source = readFileSync(join(PUBLIC, 'js', 'i18n.js'), 'utf8');

/** The entries of one language's dictionary: key → its source text (a string or a plural). */
function dictionary(language) {
  const start = source.indexOf(`\n  ${language}: {\n`);
  assert.ok(start >= 0, `the ${language} dictionary is found`);
  const end = source.indexOf('\n  },', start);
  const entries = new Map();
  // An entry starts a line with its quoted key; it runs until the next entry.
  const lines = source.slice(start, end).split('\n');
  let key = null;
  for (const line of lines) {
    const match = /^ {4}'([^']+)': ?(.*)$/.exec(line);
    if (match) {
      key = match[1];
      entries.set(key, match[2]);
    } else if (key) {
      entries.set(key, `${entries.get(key)}\n${line}`);
    }
  }
  return entries;
}

const placeholders = (text) => [...new Set(text.match(/\{\w+\}/g) ?? [])].sort();

const french = dictionary('fr');
const english = dictionary('en');

test('every text of the UI exists in French and in English', () => {
  assert.ok(french.size > 500, `the French dictionary is read (${french.size} keys)`);
  assert.deepEqual([...french.keys()].filter((key) => !english.has(key)), [], 'French keys missing in English');
  assert.deepEqual([...english.keys()].filter((key) => !french.has(key)), [], 'English keys missing in French');
});

test('both languages of a text take the same placeholders', () => {
  const different = [...french.keys()]
    .filter((key) => english.has(key))
    .filter((key) => placeholders(french.get(key)).join() !== placeholders(english.get(key)).join())
    .map((key) => `${key}: ${placeholders(french.get(key))} / ${placeholders(english.get(key))}`);
  assert.deepEqual(different, []);
});

test('every key a page names in its markup is in the dictionary', () => {
  const missing = [];
  for (const page of readdirSync(PUBLIC).filter((name) => name.endsWith('.html'))) {
    const html = readFileSync(join(PUBLIC, page), 'utf8');
    const keys = [
      ...[...html.matchAll(/data-(?:i18n|label|hint|title|text|caption|empty|pages|legend)="([^"]+)"/g)].map((m) => m[1]),
      ...[...html.matchAll(/data-i18n-attr="([^"]+)"/g)].flatMap((m) => m[1].split(';').map((pair) => pair.split(':')[1])),
      ...[...html.matchAll(/data-columns="([^"]+)"/g)].flatMap((m) => m[1].split(/\s+/).map((column) => column.split('#')[0])),
    ];
    for (const key of keys) if (!french.has(key)) missing.push(`${page}: ${key}`);
  }
  assert.deepEqual(missing, []);
});
