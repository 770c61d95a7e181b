import { expect } from 'chai';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { TEST_SERVERS, databaseFor, dialectOf, lines, runInProcess, withoutCommits, type InProcessResult } from './testing/test-support.js';

// Regression tests of issue 10: one per behaviour of the oath that foreign and hostile input used to break, on
// PostgreSQL (postgres dialect) and under the Redshift shim with standard_conforming_strings off and on.

const record = (stream: string, rec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'RECORD', stream, record: rec, ...extra });
const schemaOf = (stream: string, keys: string[], properties: Record<string, unknown>) => ({
  type: 'SCHEMA',
  stream,
  key_properties: keys,
  schema: { type: 'object', properties },
});
const activate = (stream: string, version: number) => ({ type: 'ACTIVATE_VERSION', stream, version });
const stateLine = (n: number) => ({ type: 'STATE', value: { n } });
/** A line whose JSON is written by hand (exact numbers, escapes). */
const raw = (stream: string, recordJson: string) => `{"type":"RECORD","stream":"${stream}","record":${recordJson}}`;

function ok(result: InProcessResult): void {
  expect(result.error, result.error?.message).to.equal(undefined);
}

function failed(result: InProcessResult): string {
  expect(result.error, 'the run should fail').to.be.instanceOf(Error);
  return result.error!.message;
}

for (const server of TEST_SERVERS) {
  describe(`target-redshift under hostile and foreign input (${server})`, function () {
    this.timeout(120_000);
    const dialect = dialectOf(server);
    let db: TestDatabase;
    let counter = 0;
    let schema = '';
    before(async () => {
      db = await databaseFor(server);
    });
    after(async () => {
      await db?.drop();
    });
    beforeEach(() => {
      schema = `h${++counter}`;
    });
    const load = (input: object[] | string | Buffer, extra: Record<string, unknown> = {}, options: { chunkBytes?: number; runId?: string } = {}) =>
      runInProcess({ url: db.url, dialect, schema, ...extra }, typeof input === 'string' || Buffer.isBuffer(input) ? input : lines(...input), options);
    const q = (sql: string) => db.query(sql.replace(/\bS\./g, `"${schema}".`));
    const columnsOf = async (table: string) =>
      (
        await db.query<{ column_name: string }>(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
          [schema, table],
        )
      ).map((r) => r.column_name);

    describe('1. keys', () => {
      it('never moves a key into a variant column: an unfit key fails naming line, key and column, and reruns merge on the real key', async () => {
        const users = (type: string) => schemaOf('users', ['id'], { id: { type }, tags: { type: 'array', items: { type: 'string' } } });
        ok(await load([users('integer'), record('users', { id: 1, tags: ['a'] })]));
        const text = failed(await load([users('string'), record('users', { id: 'abc', tags: ['x'] })]));
        expect(text).to.match(
          /^line 2: stream "users": the key column \(bigint\) cannot hold the key value "abc": key columns never take a variant column, .* \(key \["abc"\], table "users", column "id"\)$/,
        );
        const forty = '1' + '0'.repeat(39);
        expect(failed(await load(`${JSON.stringify(users('integer'))}\n${raw('users', `{"id":${forty},"tags":["y"]}`)}\n`))).to.match(
          new RegExp(`^line 2: stream "users": the key column .* \\(key \\[${forty}\\], table "users", column "id"\\)$`),
        );
        // A 20-digit key widens the key columns of root and child to an exact numeric; three runs keep one row, its children once.
        const big = '12345678901234567890';
        for (let i = 0; i < 3; i++) ok(await load(`${JSON.stringify(users('integer'))}\n${raw('users', `{"id":${big},"tags":["p","q"]}`)}\n`));
        expect(await q('SELECT id::text AS id FROM S.users ORDER BY id')).to.deep.equal([{ id: '1' }, { id: big }]);
        expect(await q('SELECT _sdc_source_key_id::text AS id, value FROM S.users__tags ORDER BY 1, 2')).to.deep.equal([
          { id: '1', value: 'a' },
          { id: big, value: 'p' },
          { id: big, value: 'q' },
        ]);
        expect(await columnsOf('users')).to.deep.equal(['id']);
      });
    });

    describe('2. widening', () => {
      it('widens integer columns exactly, never through a double, whatever order the values arrive in', async () => {
        const nums = JSON.stringify(schemaOf('nums', ['id'], { id: { type: 'integer' }, n: { type: 'integer' } }));
        const values = ['9007199254740993', '1e20', '1' + '2'.repeat(41), '1e400'];
        for (const order of [values, [...values].reverse()]) {
          schema = `h${++counter}`;
          ok(await load(`${nums}\n${order.map((v) => raw('nums', `{"id":${values.indexOf(v) + 1},"n":${v}}`)).join('\n')}\n`, { batch_size_rows: 1 }));
          expect(await q('SELECT id::int, n::text AS n, n__string FROM S.nums ORDER BY id'), `order ${order.join(', ')}`).to.deep.equal([
            { id: 1, n: '9007199254740993', n__string: null },
            { id: 2, n: '100000000000000000000', n__string: null },
            { id: 3, n: null, n__string: values[2] },
            { id: 4, n: null, n__string: '1e400' },
          ]);
        }
      });
    });

    describe('3. key changes', () => {
      it('deletes the child rows of a replaced root row written under its earlier key', async () => {
        const users = (key: string) =>
          schemaOf('users', [key], { id: { type: 'integer' }, email: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } });
        ok(await load([users('id'), record('users', { id: 1, email: 'a@x', tags: ['t1', 't2'] }), record('users', { id: 2, email: 'b@x', tags: ['t3'] })]));
        const second = await load([users('email'), record('users', { id: 1, email: 'a@x', tags: ['t9'] })]);
        ok(second);
        expect(
          second.logs.some((l) => l.level === 'warn' && String(l.message).startsWith('child rows written under an earlier key') && l.table === 'users__tags'),
        ).to.equal(true);
        expect(await q('SELECT id::int, email FROM S.users ORDER BY id')).to.deep.equal([
          { id: 1, email: 'a@x' },
          { id: 2, email: 'b@x' },
        ]);
        expect(await q('SELECT _sdc_source_key_id::int AS id, _sdc_source_key_email AS email, value FROM S.users__tags ORDER BY value')).to.deep.equal([
          { id: 2, email: null, value: 't3' },
          { id: null, email: 'a@x', value: 't9' },
        ]);
        // Within one run the key change is also logged when the SCHEMA changes.
        const third = await load([
          users('email'),
          record('users', { id: 3, email: 'c@x', tags: [] }),
          users('id'),
          record('users', { id: 3, email: 'c@x', tags: ['u'] }),
        ]);
        ok(third);
        expect(third.logs.some((l) => String(l.message).startsWith('key properties changed') && JSON.stringify(l.to) === '["id"]')).to.equal(true);
      });
    });

    describe('4. full refresh', () => {
      const jobs = (withTags = true) =>
        schemaOf('jobs', ['id'], { id: { type: 'integer' }, ...(withTags ? { tags: { type: 'array', items: { type: 'string' } } } : {}) });
      const versioned = (version: number, ids: number[]) => ids.map((id) => record('jobs', { id, tags: [`t${id}`] }, { version }));
      const counts = async () => ({
        jobs: (await q('SELECT count(*)::int AS n FROM S.jobs'))[0].n,
        tags: (await q('SELECT count(*)::int AS n FROM S.jobs__tags'))[0].n,
      });

      it('(a) empties the tables on a version with no records: start and end markers, or one alone at the end', async () => {
        ok(await load([jobs(), ...versioned(1, [1, 2]), activate('jobs', 1)]));
        expect(await counts()).to.deep.equal({ jobs: 2, tags: 2 });
        const empty = await load([jobs(), activate('jobs', 2), activate('jobs', 2), stateLine(1)]);
        ok(empty);
        expect(withoutCommits(empty.stdout)).to.equal(lines({ type: 'STATE', value: { n: 1 } }));
        expect(await counts()).to.deep.equal({ jobs: 0, tags: 0 });
        ok(await load([jobs(), activate('jobs', 3), ...versioned(3, [3]), activate('jobs', 3)]));
        expect(await counts()).to.deep.equal({ jobs: 1, tags: 1 });
        // One ACTIVATE_VERSION and nothing of its version after it: the source is empty; the state follows the swap.
        const alone = await load([jobs(), activate('jobs', 4), stateLine(2)]);
        ok(alone);
        expect(withoutCommits(alone.stdout)).to.equal(lines({ type: 'STATE', value: { n: 2 } }));
        expect(await counts()).to.deep.equal({ jobs: 0, tags: 0 });
        // A first refresh of an empty source creates the tables empty.
        schema = `h${++counter}`;
        ok(await load([jobs(), activate('jobs', 5), activate('jobs', 5)]));
        expect(await counts()).to.deep.equal({ jobs: 0, tags: 0 });
      });

      it("(b) empties child tables the new version's schema no longer has", async () => {
        ok(await load([jobs(), ...versioned(1, [1, 2]), activate('jobs', 1)]));
        ok(await load([jobs(false), record('jobs', { id: 7 }, { version: 2 }), activate('jobs', 2)]));
        expect(await counts()).to.deep.equal({ jobs: 1, tags: 0 });
      });

      it('(c) fails naming the stream when a version never gets its ACTIVATE_VERSION, confirming no state and leaving the tables', async () => {
        ok(await load([jobs(), ...versioned(1, [1, 2]), activate('jobs', 1)]));
        const cut = await load([jobs(), ...versioned(2, [3, 4, 5]), stateLine(9)], { batch_size_rows: 2 });
        expect(failed(cut)).to.equal(
          'stream "jobs": records of version 2 were loaded into staging tables, but its ACTIVATE_VERSION never came: the tables are left as they were and no state is confirmed (send ACTIVATE_VERSION after the records, or set missing_activate_version to "activate")',
        );
        expect(cut.stdout).to.equal('');
        expect(await q('SELECT id::int FROM S.jobs ORDER BY id')).to.deep.equal([{ id: 1 }, { id: 2 }]);
        const activated = await load([jobs(), ...versioned(3, [6]), stateLine(10)], { missing_activate_version: 'activate' });
        ok(activated);
        expect(withoutCommits(activated.stdout)).to.equal(lines({ type: 'STATE', value: { n: 10 } }));
        expect(await q('SELECT id::int FROM S.jobs ORDER BY id')).to.deep.equal([{ id: 6 }]);
      });
    });

    describe('5. key-less streams', () => {
      it('gives identical key-less records distinct row ids across batches and runs, the same ones when a run is replayed', async () => {
        const events = schemaOf('events', [], { kind: { type: 'string' }, ids: { type: 'array', items: { type: 'integer' } } });
        const input = [events, ...[1, 2, 3].map(() => record('events', { kind: 'click', ids: [1, 2] }))];
        ok(await load(input, { batch_size_rows: 1 }));
        ok(await load(input, { batch_size_rows: 1 }));
        expect(await q('SELECT count(*)::int AS n, count(DISTINCT _sdc_row_id)::int AS ids FROM S.events')).to.deep.equal([{ n: 6, ids: 6 }]);
        expect(await q('SELECT count(*)::int AS n FROM S.events e JOIN S.events__ids c ON c._sdc_source_key__sdc_row_id = e._sdc_row_id')).to.deep.equal([
          { n: 12 },
        ]);
        schema = `h${++counter}`;
        ok(await load(input, {}, { runId: 'replayed-run' }));
        const first = await q('SELECT _sdc_row_id FROM S.events ORDER BY 1');
        await q('DELETE FROM S.events');
        ok(await load(input, {}, { runId: 'replayed-run' }));
        expect(await q('SELECT _sdc_row_id FROM S.events ORDER BY 1')).to.deep.equal(first);
      });
    });

    describe('6. generated names', () => {
      it('gives user fields named like generated columns a suffix instead of sharing the column', async () => {
        const keyless = schemaOf('events', [], {
          _sdc_row_id: { type: 'string' },
          items: {
            type: 'array',
            items: { type: 'object', properties: { _sdc_source_key__sdc_row_id: { type: 'string' }, _sdc_level_0_id: { type: 'integer' } } },
          },
        });
        const keyed = schemaOf('users', ['id'], {
          id: { type: 'integer' },
          roles: { type: 'array', items: { type: 'object', properties: { _sdc_source_key_id: { type: 'string' } } } },
        });
        ok(
          await load([
            keyless,
            record('events', { _sdc_row_id: 'mine', items: [{ _sdc_source_key__sdc_row_id: 'theirs', _sdc_level_0_id: 9 }] }),
            keyed,
            record('users', { id: 1, roles: [{ _sdc_source_key_id: 'x' }] }),
          ]),
        );
        const events = await columnsOf('events');
        const mine = events.find((c) => c.startsWith('_sdc_row_id_'))!;
        expect(events).to.deep.equal(['_sdc_row_id', mine]);
        expect(await q(`SELECT "${mine}" AS v, length(_sdc_row_id) AS n FROM S.events`)).to.deep.equal([{ v: 'mine', n: 32 }]);
        const items = await columnsOf('events__items');
        expect(items.slice(0, 2)).to.deep.equal(['_sdc_source_key__sdc_row_id', '_sdc_level_0_id']);
        expect(await q(`SELECT "${items[2]}" AS a, "${items[3]}"::int AS b, _sdc_level_0_id::int AS pos FROM S.events__items`)).to.deep.equal([
          { a: 'theirs', b: 9, pos: 0 },
        ]);
        const roles = await columnsOf('users__roles');
        expect(await q(`SELECT _sdc_source_key_id::int AS k, "${roles[2]}" AS v FROM S.users__roles`)).to.deep.equal([{ k: 1, v: 'x' }]);
      });
    });

    describe('7. text', () => {
      const texts = schemaOf('texts', ['id'], {
        id: { type: 'integer' },
        body: { type: 'string' },
        doc: { type: 'object' },
        author: { type: 'object', properties: { name: { type: 'string' } } },
      });

      it('(a) stores backslashes exactly, whatever standard_conforming_strings says', async () => {
        const bodies = ['back\\slash', '\\N', 'C:\\\\path\\', "it's \\' quoted", '\\u0041 is not A'];
        ok(await load([texts, ...bodies.map((body, id) => record('texts', { id, body, doc: { body } }))]));
        const stored = await q('SELECT body, doc FROM S.texts ORDER BY id');
        expect(stored.map((r) => r.body)).to.deep.equal(bodies);
        expect(stored.map((r) => (r.doc as { body: string }).body)).to.deep.equal(bodies);
      });

      it('(b) refuses a NUL character naming line, stream, key and column, loading nothing of the batch; or replaces it when asked', async () => {
        const input = `${JSON.stringify(texts)}\n${raw('texts', '{"id":1,"body":"fine"}')}\n${raw('texts', '{"id":7,"author":{"name":"a\\u0000b"}}')}\n`;
        expect(failed(await load(input))).to.equal(
          'line 3: stream "texts": record at /author/name: the string holds a NUL character (U+0000), which Redshift and PostgreSQL cannot store (key [7], table "texts", column "author__name")',
        );
        expect(await q(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = '${schema}'`)).to.deep.equal([{ n: 0 }]);
        const replaced = await load(input, { invalid_text: 'replace' });
        ok(replaced);
        expect(await q('SELECT id::int, author__name FROM S.texts ORDER BY id')).to.deep.equal([
          { id: 1, author__name: null },
          { id: 7, author__name: 'a\uFFFDb' },
        ]);
        expect(replaced.logs.find((l) => l.level === 'warn')).to.deep.include({ replaced: 1, in_values: 1 });
      });

      it('(c) refuses bytes that are not UTF-8 and lone surrogates naming the line; or replaces them, counted, when asked', async () => {
        const head = Buffer.from(`${JSON.stringify(texts)}\n${raw('texts', '{"id":1,"body":"héllo 😀"}')}\n`);
        const bad = Buffer.concat([
          head,
          Buffer.from('{"type":"RECORD","stream":"texts","record":{"id":2,"body":"x'),
          Buffer.from([0xff, 0xc3]),
          Buffer.from('"}}\n'),
        ]);
        expect(failed(await load(bad))).to.equal('line 3: line holds bytes that are not UTF-8 (set invalid_text to "replace" to load them as U+FFFD)');
        const surrogate = `${head}${raw('texts', '{"id":3,"body":"\\ud800"}')}\n`;
        expect(failed(await load(surrogate))).to.equal(
          'line 3: stream "texts": record at /body: the string holds a lone surrogate (text that is not Unicode) (key [3], table "texts", column "body")',
        );
        expect(await q(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = '${schema}'`)).to.deep.equal([{ n: 0 }]);
        const replaced = await load(bad, { invalid_text: 'replace' }, { chunkBytes: 7 });
        ok(replaced);
        expect(await q('SELECT id::int, body FROM S.texts ORDER BY id')).to.deep.equal([
          { id: 1, body: 'héllo 😀' },
          { id: 2, body: 'x\uFFFD\uFFFD' },
        ]);
        expect(replaced.logs.find((l) => l.level === 'warn')).to.deep.include({ replaced: 2, undecodable_lines: [3] });
      });

      it('(d) decodes a multi-byte character split at every chunk boundary exactly', async () => {
        const body = 'aé😀中\u{10FFFF}z';
        const input = Buffer.from(`${JSON.stringify(texts)}\n${raw('texts', JSON.stringify({ id: 1, body }))}\n`);
        const start = input.indexOf('aé');
        for (let size = 1; size <= 5; size++) {
          schema = `h${++counter}`;
          // Shift the input so that every byte of the characters falls on a chunk boundary at some size.
          ok(await load(input, {}, { chunkBytes: size + (start % size) }));
          expect(await q('SELECT body FROM S.texts')).to.deep.equal([{ body }]);
        }
      });
    });

    describe('8. nothing dropped', () => {
      it('(a) keeps fields the schema does not declare in new columns; drops or fails on them only when asked', async () => {
        const users = schemaOf('users', ['id'], { id: { type: 'integer' }, author: { type: 'object', properties: { name: { type: 'string' } } } });
        const input = [
          users,
          record('users', { id: 1, author: { name: 'a' } }),
          // biome-ignore lint/correctness/noPrecisionLoss: a number beyond 2^53 written as a JavaScript number, as a lossy producer sends it
          record('users', { id: 2, color: 'red', author: { name: 'b', email: 'b@x' }, labels: ['l1', 'l2'], n: 12345678901234567890 }),
        ];
        const evolved = await load(input, { batch_size_rows: 1 });
        ok(evolved);
        expect(await q('SELECT id::int, author__name, author__email, color, n::text AS n FROM S.users ORDER BY id')).to.deep.equal([
          { id: 1, author__name: 'a', author__email: null, color: null, n: null },
          { id: 2, author__name: 'b', author__email: 'b@x', color: 'red', n: '12345678901234567000' },
        ]);
        expect(await q('SELECT _sdc_source_key_id::int AS id, value FROM S.users__labels ORDER BY 2')).to.deep.equal([
          { id: 2, value: 'l1' },
          { id: 2, value: 'l2' },
        ]);
        schema = `h${++counter}`;
        const dropped = await load(input, { undeclared_fields: 'drop' });
        ok(dropped);
        expect(await columnsOf('users')).to.deep.equal(['id', 'author__name']);
        expect(dropped.logs.filter((l) => l.level === 'warn').map((l) => l.field)).to.deep.equal(['/color', '/author/email', '/labels', '/n']);
        expect(failed(await load(input, { undeclared_fields: 'fail' }))).to.equal(
          'line 3: stream "users": record at /color: the field is not in the stream\'s schema (undeclared_fields is "fail") (key [2])',
        );
      });

      it('(b) refuses a top-level schema without properties at its line', async () => {
        const text = failed(await load([{ type: 'SCHEMA', stream: 'blob', key_properties: [], schema: { type: 'object' } }, record('blob', { a: 1 })]));
        expect(text).to.match(/^line 1: stream "blob": the schema declares no "properties"/);
      });

      it('(c) keeps values of an anyOf [date-time, string] union that are not timestamps exactly, in the variant column', async () => {
        const union = { anyOf: [{ type: 'string', format: 'date-time' }, { type: ['string', 'null'] }] };
        ok(
          await load([
            schemaOf('forecast', ['id'], { id: { type: 'integer' }, at: union }),
            ...['2024-01-02T03:04:05Z', '', 'N/A', null].map((at, id) => record('forecast', { id, at })),
          ]),
        );
        const stored = await q('SELECT id::int, at, at__string FROM S.forecast ORDER BY id');
        expect(stored.map((r) => [r.id, r.at instanceof Date ? r.at.toISOString() : r.at, r.at__string])).to.deep.equal([
          [0, '2024-01-02T03:04:05.000Z', null],
          [1, null, ''],
          [2, null, 'N/A'],
          [3, null, null],
        ]);
      });
    });

    describe('9. errors', () => {
      it("checks Redshift's 1,600-column limit at the SCHEMA line; validates a record of 1,580 properties", async () => {
        // Booleans: PostgreSQL rows hold at most 8 KB, which 1,580 bigints exceed (Redshift has no such limit).
        const wide = (n: number) => schemaOf('wide', [], Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, { type: 'boolean' }])));
        expect(failed(await load([wide(1600)]))).to.equal(
          'line 1: stream "wide": table "wide" would have 1601 columns; Redshift allows at most 1600 per table (keep wide nested objects whole with max_nesting)',
        );
        ok(await load([wide(1580), record('wide', Object.fromEntries(Array.from({ length: 1580 }, (_, i) => [`f${i}`, i % 2 === 1])))]));
        expect(await q('SELECT f1578, f1579 FROM S.wide')).to.deep.equal([{ f1578: false, f1579: true }]);
      });

      it('names line, stream, key and column of dates the database would refuse, before it sees them', async () => {
        const days = schemaOf('days', ['id'], { id: { type: 'integer' }, day: { type: 'string', format: 'date' } });
        expect(failed(await load([days, record('days', { id: 1, day: '2024-02-30' })]))).to.equal(
          'line 2: stream "days": record breaks its schema at /day: must match format "date" (key [1], table "days", column "day")',
        );
        expect(failed(await load([days, record('days', { id: 2, day: '0000-01-01' })]))).to.equal(
          'line 2: stream "days": record breaks its schema at /day: must match format "date" (key [2], table "days", column "day")',
        );
        // Without validation such values are kept exactly, in the variant column, never refused by the database.
        ok(await load([days, record('days', { id: 3, day: '2024-02-30' })], { validate_records: false }));
        expect(await q('SELECT day, day__string FROM S.days')).to.deep.equal([{ day: null, day__string: '2024-02-30' }]);
      });
    });

    describe('10. naive date-times', () => {
      it('reads date-times without a zone as UTC, in validation and storage', async () => {
        ok(
          await load([
            schemaOf('moments', ['id'], { id: { type: 'integer' }, at: { type: 'string', format: 'date-time' } }),
            record('moments', { id: 1, at: '2024-01-01T10:00:00' }),
            record('moments', { id: 2, at: '2024-01-01 10:00:00.5' }),
          ]),
        );
        expect((await q('SELECT at FROM S.moments ORDER BY id')).map((r) => (r.at as Date).toISOString())).to.deep.equal([
          '2024-01-01T10:00:00.000Z',
          '2024-01-01T10:00:00.500Z',
        ]);
      });
    });
  });
}
