/**
 * `node bench/dist/swap-cost.js`: what a full refresh's swap costs, as target-redshift does it (DELETE the live
 * rows and INSERT ... SELECT the staged ones, one transaction: MVCC-safe for every snapshot) next to a rename
 * swap (ALTER TABLE ... RENAME twice and DROP, which snapshot readers see as an empty table and which waits
 * behind open readers). Not part of `npm test`; see docs/performance.md.
 */
import pg from 'pg';
import { createTestDatabase } from '@observes/testkit';

const ROWS = Number(process.env.SWAP_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.SWAP_ROUNDS ?? 3);

const db = await createTestDatabase();
const client = new pg.Client({ connectionString: db.url });
await client.connect();
const q = (sql: string) => client.query(sql);
const columns =
  'id bigint, name varchar(256), amount numeric(20,2), at timestamptz, flag boolean, note varchar(1024), n1 bigint, n2 bigint, ratio double precision, code varchar(64)';
const fill = (table: string) =>
  q(
    `INSERT INTO ${table} SELECT i, 'name ' || i, i * 1.25, now() - i * interval '1 second', i % 2 = 0, repeat('x', 40 + i % 40), i * 3, i * 7, i / 3.0, md5(i::text) FROM generate_series(1, ${ROWS}) AS i`,
  );

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const swaps: Record<string, string[]> = {
  'delete + insert-from-staging': ['DELETE FROM live', 'INSERT INTO live SELECT * FROM staging', 'DROP TABLE staging'],
  'rename swap': ['ALTER TABLE live RENAME TO old', 'ALTER TABLE staging RENAME TO live', 'DROP TABLE old'],
};
const results: Record<string, number[]> = Object.fromEntries(Object.keys(swaps).map((name) => [name, []]));
try {
  await q(`CREATE TABLE live (${columns})`);
  await fill('live');
  await q('VACUUM ANALYZE live');
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, statements] of Object.entries(swaps)) {
      await q(`CREATE TABLE staging (${columns})`);
      await fill('staging');
      await q('VACUUM ANALYZE staging');
      results[name].push(
        await timed(async () => {
          await q('BEGIN');
          for (const sql of statements) await q(sql);
          await q('COMMIT');
        }),
      );
      // What the deleted rows cost afterwards (autovacuum does this in the background; Redshift's VACUUM DELETE too).
      await q('VACUUM live');
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  process.stdout.write(`| swap of ${ROWS.toLocaleString('en')} rows (10 columns) | median of ${ROUNDS} | all (ms) |\n| --- | --- | --- |\n`);
  for (const [name, times] of Object.entries(results))
    process.stdout.write(`| ${name} | ${median(times).toFixed(0)} ms | ${times.map((t) => t.toFixed(0)).join(', ')} |\n`);
} finally {
  await client.end();
  await db.drop();
}
