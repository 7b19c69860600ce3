// The UI speaks French first and English too: every text of public/i18n/fr.json exists in
// en.json and back, with the same placeholders, and every key a page names in its markup exists.
// Reads the files (no worker is needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/app.mjs';

const PUBLIC = join(ROOT, 'public');

/** The entries of one language's texts: key → the text (both forms of a plural, joined). */
function dictionary(language) {
  const texts = JSON.parse(readFileSync(join(PUBLIC, 'i18n', `${language}.json`), 'utf8'));
  const entries = new Map();
  for (const [key, text] of Object.entries(texts)) {
    if (typeof text === 'string') {
      entries.set(key, text);
    } else {
      assert.deepEqual(Object.keys(text).sort(), ['one', 'other'], `${language} ${key}: a text or a plural`);
      entries.set(key, `${text.one}\n${text.other}`);
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
