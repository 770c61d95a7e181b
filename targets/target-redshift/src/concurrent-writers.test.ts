import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { databaseFor, lines, runCli } from './testing/test-support.js';

// Two targets writing one schema at once (observes run refuses a second run of a pipeline, but two could still
// meet: another pipeline into the same schema, a run by hand). Under READ COMMITTED the second merge's child
// DELETE would not see the children the first just inserted and both sets would stay; the writer lock on
// _sdc_state makes the second transaction start after the first committed.

describe('target-redshift: two writers of one schema at once', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  before(async () => {
    db = await databaseFor('postgres');
  });
  after(() => db?.drop());

  const schema = {
    type: 'SCHEMA',
    stream: 'orders',
    key_properties: ['id'],
    schema: { type: 'object', properties: { id: { type: 'integer' }, lines: { type: 'array', items: { type: 'integer' } } } },
  };
  const input = (round: number) =>
    lines(
      schema,
      ...Array.from({ length: 300 }, (_, i) => ({
        type: 'RECORD',
        stream: 'orders',
        record: { id: i % 30, lines: Array.from({ length: 1 + ((i + round) % 3) }, (_, n) => n) },
      })),
      { type: 'STATE', value: { round } },
    );

  it("merges stay exact: one root row per key and exactly the last record's child rows", async () => {
    const config = { url: db.url, dialect: 'postgres', schema: 'two', batch_size_rows: 7 };
    const logs = mkdtempSync(join(tmpdir(), 'writers-'));
    // The tables exist (two first runs creating the same table at once: one fails, rolled back, and its rerun succeeds).
    expect((await runCli(config, input(0))).code).to.equal(0);
    for (let round = 1; round < 3; round++) {
      const results = await Promise.all([0, 1, 2].map((w) => runCli(config, input(round), { OBSERVES_SQL_LOG: join(logs, `w${w}.sql`) })));
      for (const r of results) expect(r.code, r.stderr).to.equal(0);
      const roots = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM two.orders');
      expect(roots).to.deep.equal([{ n: 30 }]);
      // Record i = 270 + k is the last of key k; it has 1 + ((i + round) % 3) child rows.
      const expected = Array.from({ length: 30 }, (_, k) => 1 + ((270 + k + round) % 3)).reduce((a, b) => a + b, 0);
      expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM two.orders__lines'), `round ${round}`).to.deep.equal([{ n: expected }]);
    }
    const [state] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM two._sdc_state WHERE pipeline_id = 'two'");
    expect(state).to.deep.equal({ n: 1 });
    // Why: every write transaction of every writer takes the writer lock before anything else.
    for (const w of [0, 1, 2]) {
      const statements = readFileSync(join(logs, `w${w}.sql`), 'utf8')
        .trim()
        .split('\n');
      const begins = statements.flatMap((sql, i) => (sql === 'BEGIN' ? [i] : []));
      expect(begins.length).to.be.greaterThan(10);
      for (const i of begins) expect(statements[i + 2], `statement after BEGIN #${i}`).to.equal('LOCK TABLE "two"."_sdc_state" IN EXCLUSIVE MODE');
    }
  });
});
