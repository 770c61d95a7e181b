import { expect } from 'chai';
import { meltanoStream, meltanoStreamNames } from '@observes/testkit/conformance-streams';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { TEST_SERVERS, databaseFor, dialectOf, runInProcess, withoutCommits, type InProcessResult } from './testing/test-support.js';

// The Meltano SDK's canonical target test streams (tests/conformance/meltano, with its README saying how the
// Meltano suite judges each and where we deliberately differ), run through target-redshift on every test server.

type Rows = Array<Record<string, unknown>>;

interface Case {
  /** Streams loaded in order into one schema (the second continues the first). */
  files: string[];
  /** Extra settings. */
  config?: Record<string, unknown>;
  /** The run (of the last file) must fail, naming this line. */
  failsAt?: number;
  /** Checks once loaded. */
  check?: (q: (sql: string) => Promise<Rows>, result: InProcessResult) => Promise<void>;
}

const count = async (q: (sql: string) => Promise<Rows>, table: string) => (await q(`SELECT count(*)::int AS n FROM S."${table}"`))[0].n;

const CASES: Record<string, Case> = {
  array_data: {
    files: ['array_data'],
    check: async (q) => {
      expect(await count(q, 'test_array_data')).to.equal(4);
      expect(await q('SELECT value FROM S.test_array_data__fruits WHERE _sdc_source_key_id = 4 ORDER BY _sdc_level_0_id')).to.deep.equal(
        ['orange', 'banana', 'apple', 'pear'].map((value) => ({ value })),
      );
      expect(await count(q, 'test_array_data__fruits')).to.equal(10);
    },
  },
  camelcase: {
    files: ['camelcase'],
    check: async (q) => {
      expect(await q('SELECT id, clientname FROM S.testcamelcase ORDER BY id')).to.deep.equal([
        { id: '1', clientname: 'Gitter Windows Desktop App' },
        { id: '2', clientname: 'Gitter iOS App' },
      ]);
    },
  },
  camelcase_complex_schema: {
    files: ['camelcase_complex_schema'],
    check: async (q) => {
      expect(await q("SELECT table_name FROM information_schema.tables WHERE table_schema = 'SCHEMA' AND table_name <> '_sdc_state'")).to.deep.equal([]);
    },
  },
  duplicate_records: {
    files: ['duplicate_records'],
    check: async (q) => {
      expect(await q('SELECT id::int, metric::int FROM S.test_duplicate_records ORDER BY id')).to.deep.equal([
        { id: 1, metric: 100 },
        { id: 2, metric: 20 },
      ]);
    },
  },
  encoded_string_data: { files: ['encoded_string_data'], failsAt: 12 },
  'encoded_string_data (invalid_text: replace)': {
    files: ['encoded_string_data'],
    config: { invalid_text: 'replace' },
    check: async (q) => {
      const strings = await q('SELECT id::int, info FROM S.test_strings ORDER BY id');
      expect(strings.map((r) => r.info)).to.deep.equal([
        'simple string 2837',
        'απλή συμβολοσειρά',
        '简单的字串',
        'chaîne simple',
        'quoted "string"',
        'various " \\ / \n escape sequences',
        'm',
        'ā',
        'ƙ',
        'Double quoting: \\u0000 \\u0041 \\u0001',
        'Control Characters in string: \uFFFD A \u0001',
      ]);
      expect(await q('SELECT info__value AS v FROM S.test_strings_in_objects WHERE id IN (6, 11) ORDER BY id')).to.deep.equal([
        { v: 'various " \\ / \n escape sequences' },
        { v: '\uFFFD A \u0001' },
      ]);
      expect(await count(q, 'test_strings_in_arrays__strings')).to.equal(13);
      expect(await q('SELECT value FROM S.test_strings_in_arrays__strings WHERE _sdc_source_key_id = 6 ORDER BY _sdc_level_0_id')).to.deep.equal([
        { value: 'bbb' },
        { value: 'Control Characters in string: \uFFFD A \u0001' },
      ]);
      expect(await q('SELECT value FROM S.test_strings_in_arrays__strings WHERE _sdc_source_key_id = 5 ORDER BY _sdc_level_0_id')).to.deep.equal([
        { value: 'aaa' },
        { value: 'Double quoting: \\u0000 \\u0041 \\u0001' },
      ]);
    },
  },
  invalid_schema: { files: ['invalid_schema'], failsAt: 1 },
  multiple_state_messages: {
    files: ['multiple_state_messages'],
    config: { batch_size_rows: 2 },
    check: async (q, result) => {
      const inputStates = meltanoStream('multiple_state_messages')
        .split('\n')
        .filter((l) => l.includes('"STATE"'))
        .map((l) => JSON.stringify((JSON.parse(l) as { value: unknown }).value));
      const echoed = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.stringify((JSON.parse(l) as { value: unknown }).value));
      expect(echoed.at(-1)).to.equal('{"test_multiple_state_messages_a":5,"test_multiple_state_messages_b":6}');
      let at = -1;
      for (const state of echoed) {
        const next = inputStates.indexOf(state, at + 1);
        expect(next, `echoed ${state} out of order`).to.be.greaterThan(at);
        at = next;
      }
      expect([await count(q, 'test_multiple_state_messages_a'), await count(q, 'test_multiple_state_messages_b')]).to.deep.equal([6, 6]);
    },
  },
  'no_primary_keys, then no_primary_keys_append': {
    files: ['no_primary_keys', 'no_primary_keys_append'],
    check: async (q) => {
      expect(await q('SELECT metric::int FROM S.test_no_pk ORDER BY metric')).to.deep.equal(
        [11, 22, 33, 101, 202, 303, 404, 505].map((metric) => ({ metric })),
      );
    },
  },
  optional_attributes: {
    files: ['optional_attributes'],
    check: async (q) => {
      expect(await q('SELECT id::int, optional FROM S.test_optional_attributes ORDER BY id')).to.deep.equal([
        { id: 1, optional: 'This is optional' },
        { id: 2, optional: null },
        { id: 3, optional: 'Also optional' },
        { id: 4, optional: null },
      ]);
    },
  },
  pk_updates: {
    files: ['pk_updates'],
    check: async (q) => {
      expect(await q('SELECT id::int, name, email FROM S.example_stream ORDER BY id')).to.deep.equal([
        { id: 1, name: 'Alice', email: 'alice@example.com' },
        { id: 2, name: 'Bob', email: 'bob@example.com' },
      ]);
    },
  },
  record_before_schema: { files: ['record_before_schema'], failsAt: 1 },
  record_missing_fields: {
    files: ['record_missing_fields'],
    check: async (q, result) => {
      expect(withoutCommits(result.stdout)).to.equal('{"type":"STATE","value":{}}\n');
      expect(await q('SELECT id::int, optional FROM S.record_missing_fields ORDER BY id')).to.deep.equal([
        { id: 1, optional: 'now you see me' },
        { id: 2, optional: null },
      ]);
    },
  },
  record_missing_key_property: { files: ['record_missing_key_property'], failsAt: 2 },
  record_missing_required_property: { files: ['record_missing_required_property'], failsAt: 2 },
  'record_missing_required_property (validate_records: false)': {
    files: ['record_missing_required_property'],
    config: { validate_records: false },
    check: async (q) => {
      expect(await q('SELECT id, metric::int FROM S.test_record_missing_required_property')).to.deep.equal([{ id: null, metric: 3215 }]);
    },
  },
  schema_no_properties: {
    files: ['schema_no_properties'],
    check: async (q) => {
      expect(
        await q('SELECT object_store__id::int AS id, object_store__metric::int AS metric FROM S.test_object_schema_with_properties ORDER BY 1'),
      ).to.deep.equal([
        { id: 1, metric: 187 },
        { id: 2, metric: 203 },
      ]);
      expect((await q('SELECT object_store FROM S.test_object_schema_no_properties')).map((r) => r.object_store)).to.have.deep.members([
        { id: 1, metric: 1 },
        { id: 2, metric: 2 },
      ]);
    },
  },
  schema_updates: {
    files: ['schema_updates'],
    check: async (q) => {
      expect(await q('SELECT id::int, a1::text AS a1, a3, a4__value::int AS a4, a6::int AS a6 FROM S.test_schema_updates ORDER BY id')).to.deep.equal([
        { id: 1, a1: '101', a3: null, a4: null, a6: null },
        { id: 2, a1: '102', a3: true, a4: null, a6: null },
        { id: 3, a1: '103', a3: false, a4: 1, a6: null },
        { id: 4, a1: '104', a3: true, a4: 22, a6: null },
        { id: 5, a1: '105', a3: false, a4: 33, a6: 985 },
        { id: 6, a1: '106', a3: true, a4: 444, a6: 341 },
      ]);
      expect(await count(q, 'test_schema_updates__a5')).to.equal(7);
    },
  },
  special_chars_in_attributes: { files: ['special_chars_in_attributes'], failsAt: 0 },
  'special_chars_in_attributes (missing_activate_version: activate)': {
    files: ['special_chars_in_attributes'],
    config: { missing_activate_version: 'activate' },
    check: async (q) => {
      expect(await q('SELECT _id, d__env, d__agent_type, d__agent_os_version FROM S.test_specialchars_in_attributes')).to.deep.equal([
        { _id: 'a2e98886', d__env: 'prod', d__agent_type: 'desktop', d__agent_os_version: '10.13.1' },
      ]);
    },
  },
  'user_location_data, then user_location_upsert_data': {
    files: ['user_location_data', 'user_location_upsert_data'],
    check: async (q) => {
      expect(await q('SELECT id::int, name FROM S.test_users ORDER BY id')).to.deep.equal(
        [
          [1, 'Johny'],
          [2, 'George'],
          [3, 'Jacob'],
          [4, 'Josh'],
          [5, 'Jim'],
          [8, 'Thomas'],
          [12, 'Paul'],
          [13, 'Mary'],
        ].map(([id, name]) => ({ id, name })),
      );
      expect(await count(q, 'test_locations')).to.equal(5);
      expect(await q('SELECT id::int, location_id::int AS location, info__weather AS weather FROM S.test_user_in_location ORDER BY id')).to.deep.equal(
        [
          [1, 4, 'rainy'],
          [2, 3, 'sunny'],
          [3, 3, 'sunny'],
          [6, 2, 'sunny'],
          [14, 1, 'cloudy'],
        ].map(([id, location, weather]) => ({ id, location, weather })),
      );
    },
  },
};

describe('Meltano SDK target test streams: every one has an expectation', () => {
  it('covers each copied stream', () => {
    expect([...new Set(Object.values(CASES).flatMap((c) => c.files))].sort()).to.deep.equal(meltanoStreamNames());
  });
});

for (const server of TEST_SERVERS) {
  describe(`Meltano SDK target test streams through target-redshift (${server})`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let counter = 0;
    before(async () => {
      db = await databaseFor(server);
    });
    after(async () => {
      await db?.drop();
    });

    for (const [name, c] of Object.entries(CASES)) {
      it(`${name}: ${c.failsAt === undefined ? 'loads as expected' : c.failsAt === 0 ? 'fails naming the stream, applying nothing' : `fails at line ${c.failsAt}, applying nothing`}`, async () => {
        const schema = `m${++counter}`;
        const q = (sql: string) => db.query(sql.replace(/\bS\./g, `"${schema}".`).replace(/'SCHEMA'/g, `'${schema}'`)) as Promise<Rows>;
        const config = { url: db.url, dialect: dialectOf(server), schema, ...c.config };
        let result: InProcessResult | undefined;
        for (const file of c.files) {
          result = await runInProcess(config, meltanoStream(file));
          if (c.failsAt === undefined) expect(result.error, `${file}: ${result.error?.message}`).to.equal(undefined);
        }
        if (c.failsAt !== undefined) {
          expect(result!.error, 'the run should fail').to.be.instanceOf(Error);
          expect(result!.error!.message).to.match(c.failsAt === 0 ? /^stream "[^"]+": / : new RegExp(`^line ${c.failsAt}: `));
          expect(result!.stdout, 'no state is confirmed').to.equal('');
          expect(
            await q("SELECT table_name FROM information_schema.tables WHERE table_schema = 'SCHEMA' AND table_name NOT LIKE '\\_sdc\\_%'"),
            'nothing applied',
          ).to.deep.equal([]);
        } else {
          await c.check!(q, result!);
        }
      });
    }
  });
}
