// "Mes dossiers autorisés": a firm member with sixty authorized employer files lists them with
// the columns a user needs, searches them (accent- and case-insensitive, by word prefix or by a
// fragment of the number), pages through them (exact "Rangées X - Y de N" at every boundary, the
// same rows forward and back, by cursor or by page jump, in every sort), filters them by service
// and by end date, exports the filtered list as CSV, opens one file and its monthly report; an
// end date that passes removes the file, a start date to come lists it without usable services.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnApp } from '../support/app.mjs';
import {
  employer, firmWithMember, anotherMember, granted, grantBody, listFiles, filesPage, crawl, ids, today, addDays, endOfDay,
  manyFiles, workerNow, actAgain, fold, wordsOf, nameKey, parseCsv, query, sql, sqlWrite, quote, SERVICES, FILES, FILES_CSV,
  DAY,
} from '../support/authz.mjs';

let app;
let firm; // {responsable, member, organisation}: the member is the one with sixty files
let other; // another member of the same firm, with files of their own
let files; // the sixty specs, each with {employer, authorization}
let day; // today in Montreal

// Names chosen for search, sort and CSV: accents, capitals, hyphens, ties, quotes and semicolons.
const SPECIAL_NAMES = [
  'Construction Québec inc.', 'Béton Québécois ltée', 'Électricité Ménard', 'Sous-traitance Élan', 'Groupe Alpha',
  'Groupe Alpha', 'Groupe Alpha', 'Toitures "Le Faîte"; Fils & Cie', 'Zébra Construction', 'Acier Laval',
  'Maçonnerie Gagné', 'ÉCOLE DE CONDUITE LÉVIS', 'Constructo Bâtisseurs', 'Entretien Saint-Jérôme', 'Œuvres Beauce',
];
const WORDS = ['Charpente', 'Drainage', 'Excavation', 'Fondations', 'Gypse', 'Habitations', 'Isolation', 'Jardins', 'Nivellement',
  'Peinture', 'Rénovations', 'Structures', 'Terrassement', 'Vitrerie', 'Ébénisterie'];
const REGIONS = ['Nord', 'Sud', 'Est'];

/** The sixty files' specs: a name, a 9-digit number, services, level and dates that vary. */
function specs() {
  const names = [...SPECIAL_NAMES];
  for (const word of WORDS) for (const region of REGIONS) names.push(`${word} ${region}`);
  return names.slice(0, 60).map((name, i) => {
    const spec = {
      name,
      // 9 digits starting with 9 (the operator's helper makes 8-digit numbers): no collision.
      file_number: `9${String(13_579_000 + i * 104_729).padStart(8, '0')}`,
      services: [['monthly_report'], ['workforce', 'status_letter'], [...SERVICES], ['site_identification']][i % 4],
      level: i % 3 === 0 ? 'transmission' : 'consultation',
    };
    if (i % 6 === 1) spec.ends_on = addDays(day, 10);
    else if (i % 6 === 3) spec.ends_on = addDays(day, 25);
    else if (i % 6 === 5) spec.ends_on = addDays(day, 200);
    else if (i % 10 === 4) spec.ends_on = addDays(day, 45);
    if (i === 58) spec.starts_on = addDays(day, 5);
    return spec;
  });
}

before(async () => {
  app = await spawnApp();
  day = await today(app);
  firm = await firmWithMember(app, { overrides: { name: 'Cabinet Lemieux' }, member: { first_name: 'Sophie', last_name: 'Soixante' } });
  files = await manyFiles(app, firm.organisation, firm.member.email, specs());
  other = await anotherMember(app, firm.responsable.client, { first_name: 'Olivier', last_name: 'Autre' });
  const boss = await employer(app, { name: 'Construction Québec ltée (autre contact)' });
  other.file = await granted(boss.client, grantBody(firm.organisation, other.email, { services: ['monthly_report'] }));
  other.boss = boss;
});
after(async () => { await app?.stop(); });

// --- A model of what the listing should answer ------------------------------------------------------------

/** Does one query word match a spec: a prefix of a word of the name, or (digits) a fragment of the number. */
function wordMatches(word, spec) {
  if (wordsOf(spec.name).some((w) => w.startsWith(word))) return true;
  return /^\d+$/.test(word) && spec.file_number.includes(word);
}
/** Every word of the query matches (a query without any letter or digit is no search at all). */
const matches = (q, spec) => wordsOf(q).every((word) => wordMatches(word, spec));
const byName = (spec) => spec.employer.id;
const modelIds = (predicate) => files.filter(predicate).map(byName).sort();
const employerIds = (page) => page.items.map((f) => f.employer.id).sort();
const rangeOf = (page) => [page.from, page.to, page.total];

// --- Columns --------------------------------------------------------------------------------------------------------

test('each file shows the employer name and number, services, level, dates and origin', async () => {
  const page = await filesPage(firm.member.client, { page_size: 100 });

  assert.equal(page.total, 60);
  assert.equal(page.items.length, 60);
  for (const spec of files) {
    const item = page.items.find((f) => f.id === spec.authorization.id);
    assert.ok(item, `${spec.name} is listed`);
    assert.deepEqual(item.employer, { id: spec.employer.id, name: spec.name, file_number: spec.file_number }, spec.name);
    assert.deepEqual(item.services, spec.services, `${spec.name}: services in the portal order`);
    assert.equal(item.level, spec.level, spec.name);
    assert.equal(item.ends_on, spec.ends_on ?? null, spec.name);
    assert.equal(item.ends_at, spec.ends_on ? endOfDay(spec.ends_on) : null, spec.name);
    assert.equal(item.starts_on, spec.starts_on ?? day, spec.name);
    assert.equal(item.origin, 'granted', spec.name);
  }
  assert.deepEqual([page.page_size, page.sort], [100, 'name']);
  assert.ok(!page.items.some((f) => f.id === other.file.id), "another contact's file is not in the list");
});

test('a contact without files gets an empty page: rows 0 - 0 of 0, no cursors', async () => {
  const page = await filesPage(firm.responsable.client);

  assert.deepEqual({ items: page.items, total: page.total, from: page.from, to: page.to, next: page.next_cursor, prev: page.prev_cursor },
    { items: [], total: 0, from: 0, to: 0, next: null, prev: null });
});

test('the default page is the first 25 rows by name, rows 1 - 25 of 60', async () => {
  const page = await filesPage(firm.member.client);

  assert.deepEqual([page.items.length, ...rangeOf(page), page.page_size, page.sort], [25, 1, 25, 60, 25, 'name']);
  assert.equal(page.prev_cursor, null, 'nothing before the first page');
  assert.equal(typeof page.next_cursor, 'string');
});

// --- Search -----------------------------------------------------------------------------------------------------------

describe('the search', () => {
  const quebec = () => files.find((f) => f.name === 'Construction Québec inc.');

  for (const q of ['Québec', 'QUÉBEC', 'quebec', 'québec', 'QUEBEC']) {
    test(`"${q}" finds Construction Québec inc. (accents and case do not matter) and only names with a word starting so`, async () => {
      const page = await filesPage(firm.member.client, { q, page_size: 100 });

      assert.ok(page.items.some((f) => f.employer.name === 'Construction Québec inc.'), `found: ${page.items.map((f) => f.employer.name)}`);
      assert.deepEqual(employerIds(page), modelIds((s) => matches(q, s)));
      assert.equal(page.total, page.items.length, 'the total counts the matches');
    });
  }

  const cases = [
    ['constr', 'a prefix of the first word'],
    ['queb', 'a prefix of a later word'],
    ['CONSTR QUEB', 'two prefixes, both required'],
    ['québec construction', 'words in any order'],
    ['traitance', 'the word after a hyphen'],
    ['elan', 'an accented word typed without its accent'],
    ['electricite', 'an accented first letter typed without its accent'],
    ['ŒUVRES', 'a ligature in capitals'],
    ['levis', 'a name in capitals'],
    ['"le faite"', 'quotes in the query are not part of the words'],
    ['groupe alpha', 'three files with the same name'],
    ['alpha groupe nord', 'three words no single name has together'],
  ];
  for (const [q, why] of cases) {
    test(`"${q}" answers the names matching it (${why})`, async () => {
      const page = await filesPage(firm.member.client, { q, page_size: 100 });

      const expected = modelIds((s) => matches(q, s));
      assert.deepEqual(employerIds(page), expected, `q=${q}: ${page.items.map((f) => f.employer.name).join(' | ')}`);
      assert.equal(page.total, expected.length);
    });
  }

  test('the cases above are not vacuous: "constr" and "queb" match, "constr queb" matches only Construction Québec inc.', () => {
    assert.ok(files.filter((s) => matches('constr', s)).length >= 3);
    assert.ok(files.filter((s) => matches('queb', s)).length >= 2);
    assert.deepEqual(files.filter((s) => matches('constr queb', s)).map((s) => s.name), ['Construction Québec inc.']);
    assert.equal(files.filter((s) => matches('ŒUVRES', s)).length, 1, 'Œ is matched whatever its case');
    assert.equal(files.filter((s) => matches('alpha groupe nord', s)).length, 0);
  });

  for (const [q, why] of [['uebec', 'the middle of a word'], ['ebec', 'the end of a word'], ['nstruction', 'a word without its first letters'],
    ['gr%pe', '% is not a wildcard'], ['g_oupe', '_ is not a one-letter wildcard'], ['quebecz', 'more than the word']]) {
    test(`"${q}" finds nothing (${why})`, async () => {
      const page = await filesPage(firm.member.client, { q });

      assert.deepEqual([page.items, page.total, page.from, page.to], [[], 0, 0, 0], `q=${q}: ${page.items.map((f) => f.employer.name)}`);
    });
  }

  test('the middle digits of an employer number find that file', async () => {
    const target = quebec();
    const fragment = target.file_number.slice(3, 7);

    const page = await filesPage(firm.member.client, { q: fragment, page_size: 100 });

    assert.ok(page.items.some((f) => f.employer.id === target.employer.id), `${fragment} (of ${target.file_number}) finds it`);
    assert.deepEqual(employerIds(page), modelIds((s) => matches(fragment, s)));
  });

  test('the whole number finds exactly that file, spaces and all', async () => {
    const target = files[37];
    for (const q of [target.file_number, `${target.file_number.slice(0, 3)} ${target.file_number.slice(3, 6)} ${target.file_number.slice(6)}`]) {
      const page = await filesPage(firm.member.client, { q });
      assert.ok(page.items.some((f) => f.employer.id === target.employer.id), `q=${q}`);
      if (q === target.file_number) assert.deepEqual(employerIds(page), [target.employer.id]);
    }
  });

  test('a number fragment and a name prefix combine', async () => {
    const target = quebec();
    const page = await filesPage(firm.member.client, { q: `queb ${target.file_number.slice(2, 6)}` });
    assert.deepEqual(employerIds(page), modelIds((s) => matches(`queb ${target.file_number.slice(2, 6)}`, s)));
    assert.ok(employerIds(page).includes(target.employer.id));
  });

  test('a search over several pages pages through exactly its matches', async () => {
    const q = 'nord';
    const expected = modelIds((s) => matches(q, s));
    assert.ok(expected.length > 6, 'enough matches for three pages');

    const pages = await crawl(firm.member.client, { q, page_size: 3 });

    assert.deepEqual(pages.flatMap((p) => p.items.map((f) => f.employer.id)).sort(), expected);
    assert.ok(pages.every((p) => p.total === expected.length), 'every page tells the filtered total');
    assert.deepEqual(pages.map((p) => [p.from, p.to]), pages.map((p, i) => [i * 3 + 1, Math.min(i * 3 + 3, expected.length)]));
  });

  for (const [label, q] of [['10,000 characters', 'a'.repeat(10000)], ['a quote and a LIKE wildcard', "'%q"], ['emoji', '🎉 alpha'],
    ['a backslash', 'gr\\oupe'], ['six words', 'construction quebec inc groupe alpha nord']]) {
    test(`a search with ${label} answers its matches only, or 422 on q`, async () => {
      const res = await listFiles(firm.member.client, { q });
      if (res.status === 422) {
        assert.equal(typeof res.body.error.fields?.q, 'string', res.text);
      } else {
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(employerIds(res.body), modelIds((s) => matches(q, s)).slice(0, 25), `q=${q.slice(0, 40)}`);
      }
    });
  }

  test('a search with control characters answers 422 on q', async () => {
    const res = await listFiles(firm.member.client, { q: 'queb\u0000' });
    assert.equal(res.status, 422, res.text);
    assert.equal(typeof res.body.error.fields?.q, 'string', res.text);
  });
});

// --- Paging -----------------------------------------------------------------------------------------------------------

/** Compares pages by their rows and their range. */
const shape = (page) => ({ ids: ids(page), from: page.from, to: page.to, total: page.total });

describe('the search index', () => {
  // A member of their own, so the files made and changed here leave the sixty files' model alone.
  let member;
  before(async () => { member = await anotherMember(app, firm.responsable.client, { first_name: 'Inès', last_name: 'Index' }); });

  /** What the index holds for one authorization: its keys, each with the name key it is ordered by. */
  const keysOf = async (id) => (await sql(app, `SELECT term, name_key FROM authorized_file_keys WHERE authorization_id = ${quote(id)}`))
    .map((r) => `${r.term} ${r.name_key}`).sort();
  /** The prefixes of 3 to 20 characters of the name's words and the 3-or-4-digit fragments of its number. */
  const expectedKeys = (name, number) => {
    const prefixes = wordsOf(name).flatMap((w) => [...w].slice(2, 20).map((_, i) => [...w].slice(0, i + 3).join('')));
    const fragments = [3, 4].flatMap((n) => [...number].map((_, i) => number.slice(i, i + n)).filter((t) => t.length === n));
    return [...new Set([...prefixes, ...fragments])].map((t) => `${t} ${nameKey(name)}`).sort();
  };
  /** The kept count of a key: what the total of a one-word search is read from. */
  const countOf = async (term) => (await sql(app, `SELECT n FROM authorized_file_key_counts WHERE contact_id = ${quote(member.contactId)} AND term = ${quote(term)}`))[0]?.n ?? 0;
  const found = async (q) => ids(await filesPage(member.client, { q, page_size: 100 }));
  /** The page's ids and its total, which a one-word search reads from the kept count of its key. */
  const foundWithTotal = async (q) => {
    const page = await filesPage(member.client, { q, page_size: 100 });
    return { ids: ids(page), total: page.total };
  };

  test('follows a renamed employer: its files are found by the new name, no longer by the old one', async () => {
    const boss = await employer(app, { name: 'Zircon Ancien inc.' });
    const file = await granted(boss.client, grantBody(firm.organisation, member.email));
    assert.deepEqual(await found('zircon'), [file.id], 'found by its name before the renaming');

    // Renaming an employer rewrites the name copied on its authorizations (name and name key).
    sqlWrite(app, `UPDATE authorizations SET employer_name = 'Quartz Nouveau ltée', name_key = ${quote(nameKey('Quartz Nouveau ltée'))}
                    WHERE employer_id = ${quote(boss.organisation.id)}`);

    assert.deepEqual(await found('quartz'), [file.id], 'found by its new name');
    assert.deepEqual(await found('nouv'), [file.id], 'and by a prefix of its new words');
    assert.deepEqual(await found('zircon'), [], 'no longer by its old name');
    assert.deepEqual(await found(boss.organisation.file_number.slice(2, 6)), [file.id], 'still by a fragment of its number');
    assert.deepEqual(await keysOf(file.id), expectedKeys('Quartz Nouveau ltée', boss.organisation.file_number));
    assert.deepEqual(await foundWithTotal('quartz'), { ids: [file.id], total: 1 }, 'the total of the new name is kept');
    assert.equal(await countOf('zircon'), 0, 'the old name counts no file');
  });

  test('drops a revoked authorization and takes it back when the employer grants again', async () => {
    const boss = await employer(app, { name: 'Saphir Révoqué inc.' });
    const first = await granted(boss.client, grantBody(firm.organisation, member.email));
    assert.deepEqual(await keysOf(first.id), expectedKeys('Saphir Révoqué inc.', boss.organisation.file_number));
    assert.deepEqual(await foundWithTotal('saphir'), { ids: [first.id], total: 1 });

    const revoked = await boss.client.revokeAuthorization(first.id);
    assert.ok(revoked.status < 300, `revoking answered ${revoked.status}: ${revoked.text}`);

    assert.deepEqual(await keysOf(first.id), [], 'the revoked authorization has no keys left');
    assert.deepEqual(await foundWithTotal('saphir'), { ids: [], total: 0 });
    assert.equal(await countOf('saphir'), 0);
    const again = await granted(boss.client, grantBody(firm.organisation, member.email));
    assert.deepEqual(await found('revoque'), [again.id], 'the new grant is found at once');
  });

  test('drops an authorization the lifecycle job ends, and keeps those of other contacts apart', async () => {
    const boss = await employer(app, { name: 'Grenat Terminé inc.' });
    const ending = await granted(boss.client, grantBody(firm.organisation, member.email));
    const kept = await granted(boss.client, grantBody(firm.organisation, other.email));

    // What the lifecycle job writes when an end date has passed.
    sqlWrite(app, `UPDATE authorizations SET status = 'ended', ended_at = updated_at WHERE id = ${quote(ending.id)}`);

    assert.deepEqual(await keysOf(ending.id), []);
    assert.deepEqual(await foundWithTotal('grenat'), { ids: [], total: 0 });
    assert.equal(await countOf('grenat'), 0);
    assert.deepEqual(ids(await filesPage(other.client, { q: 'grenat' })), [kept.id], "the other contact's file is still found");
    sqlWrite(app, `UPDATE authorizations SET status = 'revoked', revoked_at = updated_at WHERE id = ${quote(kept.id)}`);
  });
});

function isSorted(items, sort) {
  const key = sort.endsWith('name') ? (f) => nameKey(f.employer.name) : (f) => f.employer.file_number;
  const keys = items.map(key);
  return keys.every((k, i) => i === 0 || (sort.startsWith('-') ? keys[i - 1] >= k : keys[i - 1] <= k));
}

for (const sort of ['name', '-name', 'number', '-number']) {
  for (const size of sort === 'name' ? [7, 2] : [7]) {
    describe(`paging by ${sort}, ${size} rows a page`, () => {
      let all;
      let forward;
      before(async () => {
        all = await filesPage(firm.member.client, { sort, page_size: 100 });
        forward = await crawl(firm.member.client, { sort, page_size: size });
      });
      const pageCount = Math.ceil(60 / size);

      test(`the whole list is sorted by ${sort}`, () => {
        assert.equal(all.items.length, 60);
        assert.ok(isSorted(all.items, sort), all.items.map((f) => `${f.employer.name} ${f.employer.file_number}`).join('\n'));
        assert.equal(all.sort, sort);
      });

      test(`next cursors give ${pageCount} pages with exact ranges, the last one partial, no duplicate and no gap`, () => {
        assert.equal(forward.length, pageCount);
        assert.deepEqual(forward.map((p) => [p.from, p.to, p.total]), forward.map((_, i) => [i * size + 1, Math.min((i + 1) * size, 60), 60]));
        assert.equal(forward.at(-1).items.length, 60 - (pageCount - 1) * size, 'the last page holds the rest');
        const seen = forward.flatMap(ids);
        assert.equal(new Set(seen).size, 60, 'no duplicates');
        assert.deepEqual(seen, ids(all), 'the pages follow the order of the whole list');
        assert.equal(forward[0].prev_cursor, null, 'no previous page before the first');
        assert.equal(forward.at(-1).next_cursor, null, 'no next page after the last');
        assert.ok(forward.slice(1).every((p) => typeof p.prev_cursor === 'string'), 'every later page has a previous cursor');
      });

      test('previous cursors from the last page walk back through the same pages', async () => {
        const back = [forward.at(-1)];
        while (back.at(-1).prev_cursor) {
          assert.ok(back.length <= pageCount, 'the walk back ends');
          back.push(await filesPage(firm.member.client, { sort, page_size: size, cursor: back.at(-1).prev_cursor }));
        }
        back.reverse();
        assert.deepEqual(back.map(shape), forward.map(shape));
        assert.equal(typeof back[0].next_cursor, 'string', 'the first page reached backwards still leads forward');
      });

      test('next then previous returns the same rows and range', async () => {
        const second = await filesPage(firm.member.client, { sort, page_size: size, cursor: forward[0].next_cursor });
        const firstAgain = await filesPage(firm.member.client, { sort, page_size: size, cursor: second.prev_cursor });
        const third = await filesPage(firm.member.client, { sort, page_size: size, cursor: second.next_cursor });
        const secondAgain = await filesPage(firm.member.client, { sort, page_size: size, cursor: third.prev_cursor });

        assert.deepEqual(shape(second), shape(forward[1]));
        assert.deepEqual(shape(firstAgain), shape(forward[0]));
        assert.deepEqual(shape(secondAgain), shape(forward[1]));
      });

      test('page=N jumps to the same rows as N-1 next cursors, and its cursors continue from there', async () => {
        const jumps = size === 2 ? [1, 2, 15, 16, 29, 30] : Array.from({ length: pageCount }, (_, i) => i + 1);
        for (const n of jumps) {
          const page = await filesPage(firm.member.client, { sort, page_size: size, page: n });
          assert.deepEqual(shape(page), shape(forward[n - 1]), `page=${n}`);
          if (n < pageCount) {
            const next = await filesPage(firm.member.client, { sort, page_size: size, cursor: page.next_cursor });
            assert.deepEqual(shape(next), shape(forward[n]), `next after page=${n}`);
          }
          if (n > 1) {
            const previous = await filesPage(firm.member.client, { sort, page_size: size, cursor: page.prev_cursor });
            assert.deepEqual(shape(previous), shape(forward[n - 2]), `previous before page=${n}`);
          }
        }
      });
    });
  }
}

test('a page beyond the last answers no rows and still tells the total', async () => {
  const page = await filesPage(firm.member.client, { page_size: 25, page: 4 });

  assert.deepEqual([page.items.length, page.total, page.next_cursor], [0, 60, null]);
});

test('page sizes 1 and 100 are accepted, with 60 and 1 pages', async () => {
  const one = await filesPage(firm.member.client, { page_size: 1 });
  const hundred = await filesPage(firm.member.client, { page_size: 100 });
  const last = await filesPage(firm.member.client, { page_size: 1, page: 60 });

  assert.deepEqual([one.items.length, one.from, one.to, one.page_size], [1, 1, 1, 1]);
  assert.deepEqual([hundred.items.length, hundred.next_cursor], [60, null]);
  assert.deepEqual([last.from, last.to, last.next_cursor], [60, 60, null]);
  assert.equal(typeof last.prev_cursor, 'string');
});

for (const [label, params, field] of [
  ['page_size 0', { page_size: 0 }, 'page_size'],
  ['page_size 101', { page_size: 101 }, 'page_size'],
  ['a negative page_size', { page_size: -5 }, 'page_size'],
  ['a page_size in words', { page_size: 'vingt' }, 'page_size'],
  ['a fractional page_size', { page_size: '2.5' }, 'page_size'],
  ['page 0', { page: 0 }, 'page'],
  ['a page in words', { page: 'deux' }, 'page'],
  ['an unknown sort', { sort: 'date' }, 'sort'],
  ['a sort in capitals', { sort: 'NAME' }, 'sort'],
  ['an unknown service', { service: 'paie' }, 'service'],
  ['two services at once', { service: 'workforce,monthly_report' }, 'service'],
  ['ending_within_days 0', { ending_within_days: 0 }, 'ending_within_days'],
  ['ending_within_days 367', { ending_within_days: 367 }, 'ending_within_days'],
  ['ending_within_days in words', { ending_within_days: 'trente' }, 'ending_within_days'],
]) {
  test(`${label} answers 422 naming ${field}`, async () => {
    const res = await listFiles(firm.member.client, params);

    assert.equal(res.status, 422, `${label}: ${res.text}`);
    assert.equal(res.body.error.code, 'validation_failed');
    assert.equal(typeof res.body.error.fields?.[field], 'string', `${label}: ${res.text}`);
  });
}

// --- Cursors --------------------------------------------------------------------------------------------------------

describe('a cursor', () => {
  let first;
  before(async () => { first = await filesPage(firm.member.client, { page_size: 10 }); });

  const refused = [
    ['garbage', () => 'pas-un-curseur!!'],
    ['with the last letter of its row key changed', () => {
      const text = Buffer.from(first.next_cursor, 'base64url').toString('latin1');
      const last = text.at(-1);
      return Buffer.from(text.slice(0, -1) + (last === 'a' ? 'b' : 'a'), 'latin1').toString('base64url');
    }],
    ['cut short', () => first.next_cursor.slice(0, -4)],
    ['with text appended', () => `${first.next_cursor}AAAA`],
    ['of 2,000 characters', () => 'A'.repeat(2000)],
    ['rewritten to another position', () => {
      const text = Buffer.from(first.next_cursor, 'base64url').toString('utf8');
      return Buffer.from(text.replace(/:(\d+):/, (_, n) => `:${Number(n) + 20}:`), 'utf8').toString('base64url');
    }],
  ];
  for (const [label, make] of refused) {
    test(`${label} answers 422 naming cursor`, async () => {
      const res = await listFiles(firm.member.client, { page_size: 10, cursor: make() });

      if (label === 'rewritten to another position' && res.status === 200) {
        // A cursor whose position was edited must not invent rows: the answer is a true page.
        const real = await filesPage(firm.member.client, { page_size: 10, cursor: first.next_cursor });
        assert.deepEqual(ids(res.body), ids(real), 'the rows follow the cursor\'s row, whatever position it claims');
        assert.fail(`an edited cursor was accepted: ${res.text.slice(0, 200)}`);
      }
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.error.code, 'validation_failed');
      assert.equal(typeof res.body.error.fields?.cursor, 'string', res.text);
    });
  }

  for (const [label, params] of [['another sort', { sort: '-name' }], ['another search', { q: 'groupe' }], ['another service filter', { service: 'workforce' }],
    ['another end filter', { ending_within_days: 30 }]]) {
    test(`used with ${label} answers 422 naming cursor`, async () => {
      const res = await listFiles(firm.member.client, { page_size: 10, ...params, cursor: first.next_cursor });

      assert.equal(res.status, 422, res.text);
      assert.equal(typeof res.body.error?.fields?.cursor, 'string', res.text);
    });
  }

  test('used with another page size continues from the same row with the right range', async () => {
    const all = await filesPage(firm.member.client, { page_size: 100 });

    const res = await filesPage(firm.member.client, { page_size: 11, cursor: first.next_cursor });

    assert.deepEqual(ids(res), ids(all).slice(10, 21));
    assert.deepEqual([res.from, res.to, res.total], [11, 21, 60]);
  });

  test("of another contact's list answers 422, not their rows", async () => {
    const theirs = await filesPage(other.client, { page_size: 10 });
    const mine = await listFiles(firm.member.client, { page_size: 10, cursor: first.next_cursor });
    assert.equal(mine.status, 200, 'my own cursor works');
    // The other contact has a single file, so no cursor: forge the request with mine on their list.
    const res = await listFiles(other.client, { page_size: 10, cursor: first.next_cursor });
    assert.ok(res.status === 422 || (res.status === 200 && res.body.items.every((f) => f.id === other.file.id) && theirs.total === 1),
      `a cursor from another list never shows someone else's rows: ${res.status} ${res.text.slice(0, 200)}`);
  });
});

// --- Filters ---------------------------------------------------------------------------------------------------------

describe('the filters', () => {
  for (const service of SERVICES) {
    test(`service=${service} keeps the files with that service, with their total`, async () => {
      const pages = await crawl(firm.member.client, { service, page_size: 9 });

      const expected = modelIds((s) => s.services.includes(service));
      assert.deepEqual(pages.flatMap((p) => p.items.map((f) => f.employer.id)).sort(), expected);
      assert.ok(pages.every((p) => p.total === expected.length), `every page says ${expected.length}`);
      assert.ok(pages.flatMap((p) => p.items).every((f) => f.services.includes(service)));
    });
  }

  test('ending_within_days=30 keeps the files ending in the next 30 days, with their total', async () => {
    const page = await filesPage(firm.member.client, { ending_within_days: 30, page_size: 100 });

    const expected = modelIds((s) => s.ends_on && s.ends_on <= addDays(day, 30));
    assert.ok(expected.length >= 10, 'files end in 10 and 25 days');
    assert.deepEqual(employerIds(page), expected);
    assert.equal(page.total, expected.length);
  });

  test('ending_within_days=60 also keeps the files ending in 45 days, but not in 200', async () => {
    const page = await filesPage(firm.member.client, { ending_within_days: 60, page_size: 100 });

    assert.deepEqual(employerIds(page), modelIds((s) => s.ends_on && s.ends_on <= addDays(day, 60)));
    assert.ok(page.items.some((f) => f.ends_on === addDays(day, 45)));
    assert.ok(!page.items.some((f) => f.ends_on === addDays(day, 200)));
  });

  test('the filters and the search combine, and page with exact totals', async () => {
    const params = { service: 'monthly_report', ending_within_days: 30, page_size: 2 };
    const pages = await crawl(firm.member.client, params);
    const expected = modelIds((s) => s.services.includes('monthly_report') && s.ends_on && s.ends_on <= addDays(day, 30));

    assert.deepEqual(pages.flatMap((p) => p.items.map((f) => f.employer.id)).sort(), expected);
    assert.ok(pages.every((p) => p.total === expected.length));
    const searched = await filesPage(firm.member.client, { q: 'groupe', service: 'workforce', page_size: 100 });
    assert.deepEqual(employerIds(searched), modelIds((s) => matches('groupe', s) && s.services.includes('workforce')));
  });
});

// --- CSV ---------------------------------------------------------------------------------------------------------------

const FRENCH_HEADER = "Nom;Numéro d'employeur;Services;Niveau;Date de fin;Origine";

/** The raw bytes of a GET (fetch's text() would drop a byte-order mark). */
async function rawBytes(client, path) {
  const res = await fetch(client.baseUrl + path, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

/** The CSV export's rows without the BOM and the header. */
function csvRows(res) {
  const rows = parseCsv(res.text.replace(/^\uFEFF/, ''));
  return rows.slice(1).filter((r) => r.length > 1 || r[0] !== '');
}

describe('the CSV export', () => {
  test('is a UTF-8 CSV attachment with a BOM and the French header', async () => {
    const res = await firm.member.client.authorizedFilesCsv();

    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv;\s*charset=utf-8$/i);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment;\s*filename=/i);
    assert.match(res.headers.get('x-d1-rows-read') ?? '', /^\d+$/, 'in development the export says how many rows D1 read, like the list');
    const bytes = await rawBytes(firm.member.client, FILES_CSV);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with a UTF-8 byte-order mark so spreadsheets read UTF-8');
    assert.equal(res.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0], FRENCH_HEADER);
  });

  test('holds every file in the order of the list', async () => {
    const res = await firm.member.client.authorizedFilesCsv();
    const list = await filesPage(firm.member.client, { page_size: 100 });

    const rows = csvRows(res);
    assert.equal(rows.length, 60);
    assert.deepEqual(rows.map((r) => r[0]), list.items.map((f) => f.employer.name), 'names, in the same order');
    assert.deepEqual(rows.map((r) => r[1]), list.items.map((f) => f.employer.file_number), 'numbers');
    assert.ok(rows.every((r) => r.length === 6), 'six columns on every row');
    const endless = files.find((s) => !s.ends_on);
    assert.equal(rows.find((r) => r[1] === endless.file_number)[4], '', 'no end date: an empty cell');
  });

  test('holds only the filtered files, in the chosen sort', async () => {
    const params = { q: 'construction', sort: '-number' };
    const res = await firm.member.client.authorizedFilesCsv(params);
    const list = await filesPage(firm.member.client, { ...params, page_size: 100 });

    assert.equal(res.status, 200);
    assert.ok(list.total >= 2);
    assert.deepEqual(csvRows(res).map((r) => r[1]), list.items.map((f) => f.employer.file_number));
    const byService = csvRows(await firm.member.client.authorizedFilesCsv({ service: 'site_identification', ending_within_days: 30 }));
    assert.deepEqual(byService.map((r) => r[1]).sort(), files.filter((s) => s.services.includes('site_identification') && s.ends_on && s.ends_on <= addDays(day, 30)).map((s) => s.file_number).sort());
  });

  test('escapes a name with quotes and a semicolon so it reads back unchanged', async () => {
    const name = 'Toitures "Le Faîte"; Fils & Cie';
    const res = await firm.member.client.authorizedFilesCsv({ q: 'toitures' });

    assert.ok(res.text.includes('"Toitures ""Le Faîte""; Fils & Cie"'), `quoted with doubled quotes: ${res.text}`);
    const rows = csvRows(res);
    assert.equal(rows.length, 1);
    assert.equal(rows[0][0], name);
    assert.equal(rows[0].length, 6, 'the semicolon did not split the row');
  });

  test('names the services in French, the level, the end date (YYYY-MM-DD) and the origin in each row', async () => {
    const target = files.find((s) => s.ends_on === addDays(day, 10) && s.services.length === 2);
    const rows = csvRows(await firm.member.client.authorizedFilesCsv({ q: target.file_number }));

    assert.equal(rows.length, 1);
    const [, , services, level, endsOn, origin] = rows[0];
    const LABELS = { workforce: "Gestion de la main-d'œuvre", site_identification: 'Identification de chantier', status_letter: "Lettre d'état de situation", monthly_report: 'Rapport mensuel' };
    for (const code of SERVICES) assert.equal(services.includes(LABELS[code]), target.services.includes(code), `${code} in "${services}"`);
    assert.equal(endsOn, target.ends_on);
    assert.ok(level.length > 0 && origin.length > 0, `level and origin are filled: ${rows[0]}`);
    assert.notEqual(level, rows[0][2], 'the level is its own column');
  });

  test('exports a name a spreadsheet would run as a formula as plain text', async () => {
    const formulas = [];
    for (const name of ['=SOMME(1+1)', '@Bâtiments Formule']) {
      const emp = await employer(app, { name });
      formulas.push({ emp, file: await granted(emp.client, grantBody(firm.organisation, other.email, { services: ['workforce'] })) });
    }
    try {
      const rows = csvRows(await other.client.authorizedFilesCsv());
      for (const { emp } of formulas) {
        const row = rows.find((r) => r[1] === emp.organisation.file_number);
        assert.ok(row, `${emp.organisation.name} is exported`);
        assert.ok(!/^[=+\-@]/.test(row[0]), `the cell does not start with a formula character: ${row[0]}`);
        assert.ok(row[0].includes(emp.organisation.name), `the name is still readable: ${row[0]}`);
      }
      const listed = await filesPage(other.client, { page_size: 100 });
      assert.ok(listed.items.some((f) => f.employer.name === '=SOMME(1+1)'), 'the list itself shows the name unchanged');
    } finally {
      for (const { emp, file } of formulas) assert.equal((await emp.client.revokeAuthorization(file.id)).status, 200);
    }
  });

  test('has English headers for an English reader', async () => {
    const res = await firm.member.client.authorizedFilesCsv(undefined, { headers: { 'accept-language': 'en-CA,en;q=0.9' } });

    const header = res.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    assert.notEqual(header, FRENCH_HEADER);
    assert.equal(header.split(';').length, 6);
    assert.match(header, /^Name;/);
    assert.equal(csvRows(res).length, 60);
  });

  test('refuses a bad filter with a JSON 422, and refuses anonymous readers with a JSON 401', async () => {
    const bad = await firm.member.client.authorizedFilesCsv({ service: 'paie' });
    const anonymous = await app.client().authorizedFilesCsv();

    assert.equal(bad.status, 422, bad.text);
    assert.equal(typeof bad.body.error.fields?.service, 'string');
    assert.equal(anonymous.status, 401, anonymous.text);
    assert.equal(anonymous.body.error.code, 'unauthenticated');
  });
});

// --- One file and its services -----------------------------------------------------------------------------------------

describe('opening a file', () => {
  const withServices = (wanted) => files.find((s) => !s.starts_on && JSON.stringify(s.services) === JSON.stringify(wanted));

  test('shows each of the four services, usable or not for this contact', async () => {
    const spec = withServices(['workforce', 'status_letter']);

    const res = await firm.member.client.authorizedFile(spec.authorization.id);

    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.file.id, spec.authorization.id);
    assert.deepEqual(res.body.file.employer, { id: spec.employer.id, name: spec.name, file_number: spec.file_number });
    assert.deepEqual(res.body.services.map(({ code, usable, reason }) => ({ code, usable, reason })), [
      { code: 'workforce', usable: true, reason: null },
      { code: 'site_identification', usable: false, reason: 'not_authorized' },
      { code: 'status_letter', usable: true, reason: null },
      { code: 'monthly_report', usable: false, reason: 'not_authorized' },
    ]);
    assert.equal(res.body.level, spec.level);
  });

  test('the monthly report opens when that service is authorized', async () => {
    const spec = withServices(['monthly_report']);

    const res = await firm.member.client.fileReportSummary(spec.authorization.id);

    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.service, 'monthly_report');
    assert.equal(res.body.file.id, spec.authorization.id);
    assert.equal(res.body.level, spec.level);
    assert.ok(Array.isArray(res.body.periods));
  });

  test('the monthly report answers 403 service_not_authorized on a file without that service', async () => {
    const spec = withServices(['site_identification']);

    const res = await firm.member.client.fileReportSummary(spec.authorization.id);

    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error.code, 'service_not_authorized');
  });

  test("another contact's file, even of the same firm, answers 404 on the file and on its monthly report", async () => {
    for (const path of [`${FILES}/${other.file.id}`, `${FILES}/${other.file.id}/monthly-report`, `${FILES}/0123456789abcdef0123456789abcdef`,
      `${FILES}/0123456789abcdef0123456789abcdef/monthly-report`]) {
      const res = await firm.member.client.get(path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'not_found', path);
    }
    const theirs = await other.client.fileReportSummary(other.file.id);
    assert.equal(theirs.status, 200, 'the contact it belongs to opens it');
  });

  test('a file whose start date is still to come is listed, but none of its services is usable yet (not_started)', async () => {
    const spec = files.find((s) => s.starts_on);

    const listed = await filesPage(firm.member.client, { q: spec.file_number });
    const res = await firm.member.client.authorizedFile(spec.authorization.id);
    const report = await firm.member.client.fileReportSummary(spec.authorization.id);

    assert.deepEqual(ids(listed), [spec.authorization.id], 'listed');
    assert.equal(listed.items[0].starts_on, spec.starts_on);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.services.map((s) => [s.code, s.usable, s.reason]),
      SERVICES.map((code) => [code, false, spec.services.includes(code) ? 'not_started' : 'not_authorized']));
    if (spec.services.includes('monthly_report')) {
      assert.equal(report.status, 403, `an authorized service that has not started cannot be used: ${report.text}`);
      assert.match(report.body.error.code, /^service_not_/);
    }
  });
});

// --- The clock (last: moving it ends every session) ----------------------------------------------------------------------

test('when its end date passes, the file disappears from the list, the total, the CSV and the file route', async () => {
  const boss = await employer(app, { name: 'Fin Aujourdhui inc.' });
  const ending = await granted(boss.client, grantBody(firm.organisation, other.email, { services: ['monthly_report'], ends_on: day }));
  const before = await filesPage(other.client, { page_size: 100 });
  assert.deepEqual(ids(before).sort(), [other.file.id, ending.id].sort(), 'listed while the end day lasts');
  const startedSoon = files.find((s) => s.starts_on);

  const now = await workerNow(app);
  await app.advanceClock(endOfDay(day) - now + 60 * 60 * 1000);
  const client = await actAgain(app, other);

  const after = await filesPage(client, { page_size: 100 });
  assert.deepEqual(ids(after), [other.file.id], 'gone from the list');
  assert.deepEqual([after.total, after.from, after.to], [1, 1, 1], 'and from the total, without waiting for any job');
  assert.equal((await client.authorizedFile(ending.id)).status, 404);
  assert.equal((await client.fileReportSummary(ending.id)).status, 404);
  assert.equal(csvRows(await client.authorizedFilesCsv()).length, 1);
  assert.equal((await filesPage(client, { service: 'monthly_report' })).total, 1, 'and from the per-service total');
  const bossClient = await actAgain(app, boss);
  const seen = await bossClient.authorization(ending.id);
  assert.equal(seen.body.authorization?.status, 'ended', `the employer sees it ended: ${seen.text}`);

  // Five days on, the file that had not started is usable.
  await app.advanceClock(5 * DAY);
  const member = await actAgain(app, firm.member);
  const opened = await member.authorizedFile(startedSoon.authorization.id);
  assert.ok(opened.body.services.filter((s) => startedSoon.services.includes(s.code)).every((s) => s.usable), `usable once started: ${opened.text}`);
});
