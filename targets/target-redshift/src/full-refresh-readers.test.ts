import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import pg from 'pg';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { databaseFor, lines, runInProcess, type TestServer } from './testing/test-support.js';

// Full refreshes under concurrent readers of every isolation level: each version has ROWS root rows (two child rows
// each) labelled with the version; a reader must see exactly one whole version, root and children alike, never an
// empty or partial table, and a reader holding its transaction open must not hold the swap back.

const ROWS = 300;
const REFRESHES = 6;
const LEVELS = ['READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'] as const;

const schemaMessage = {
  type: 'SCHEMA',
  stream: 'items',
  key_properties: ['id'],
  schema: { type: 'object', properties: { id: { type: 'integer' }, label: { type: 'string' }, parts: { type: 'array', items: { type: 'string' } } } },
};
const refresh = (version: number) =>
  lines(
    schemaMessage,
    ...Array.from({ length: ROWS }, (_, id) => ({
      type: 'RECORD',
      stream: 'items',
      version,
      record: { id, label: `v${version}`, parts: [`v${version}`, `v${version}`] },
    })),
    { type: 'ACTIVATE_VERSION', stream: 'items', version },
    { type: 'STATE', value: { version } },
  );

interface Reading {
  rootRows: number;
  rootLabels: string[];
  childRows: number;
  childLabels: string[];
}

for (const server of ['postgres', 'redshift'] as TestServer[]) {
  describe(`full refresh swaps under concurrent readers (${server})`, function () {
    this.timeout(180_000);
    let db: TestDatabase;
    before(async () => {
      db = await databaseFor(server);
    });
    after(async () => {
      await db?.drop();
    });

    it(`shows READ COMMITTED, REPEATABLE READ and SERIALIZABLE readers one whole version over ${REFRESHES} refreshes, and a long open reader does not block them`, async () => {
      const config = { url: db.url, dialect: server === 'postgres' ? 'postgres' : 'redshift', schema: 'live', batch_size_rows: 100 };
      const first = await runInProcess(config, refresh(1));
      expect(first.error, first.error?.message).to.equal(undefined);

      const connect = async () => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        return client;
      };
      // One statement, so a READ COMMITTED reader sees both tables at one moment (two statements may straddle a swap).
      const read = async (client: pg.Client): Promise<Reading> => {
        const { rows } = await client.query<Reading>(`SELECT
          (SELECT count(*)::int FROM live.items) AS "rootRows", (SELECT array_agg(DISTINCT label) FROM live.items) AS "rootLabels",
          (SELECT count(*)::int FROM live.items__parts) AS "childRows", (SELECT array_agg(DISTINCT value) FROM live.items__parts) AS "childLabels"`);
        return { ...rows[0], rootLabels: rows[0].rootLabels ?? [], childLabels: rows[0].childLabels ?? [] };
      };
      const whole = (r: Reading) =>
        r.rootRows === ROWS && r.childRows === 2 * ROWS && r.rootLabels.length === 1 && r.childLabels.length === 1 && r.rootLabels[0] === r.childLabels[0];

      // A reader that opened its snapshot before any refresh and keeps it (and its lock on the tables) to the end.
      const long = await connect();
      await long.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const before = await read(long);
      expect(whole(before) && before.rootLabels[0] === 'v1', JSON.stringify(before)).to.equal(true);

      let running = true;
      const bad: Array<{ level: string; reading: Reading }> = [];
      const seen = new Map<string, Set<string>>(LEVELS.map((l) => [l, new Set()]));
      let reads = 0;
      const reader = async (level: (typeof LEVELS)[number], n: number) => {
        const client = await connect();
        try {
          while (running) {
            await client.query(`BEGIN ISOLATION LEVEL ${level}`);
            try {
              // The snapshot is taken now; the tables are first read after a pause, possibly after a swap, and read twice.
              await client.query('SELECT 1');
              await sleep((n * 7 + reads) % 25);
              const reading = await read(client);
              const again = level === 'READ COMMITTED' ? reading : await read(client);
              if (JSON.stringify(again) !== JSON.stringify(reading)) bad.push({ level, reading: again });
              reads++;
              if (!whole(reading)) bad.push({ level, reading });
              else seen.get(level)!.add(reading.rootLabels[0]);
              await client.query('COMMIT');
            } catch (error) {
              await client.query('ROLLBACK');
              // A read-only serializable transaction may be asked to retry; that is not a wrong read.
              if ((error as { code?: string }).code !== '40001') throw error;
            }
          }
        } finally {
          await client.end();
        }
      };
      const readers = LEVELS.flatMap((level) => [0, 1].map((n) => reader(level, n)));

      let blocked: number | undefined;
      try {
        for (let version = 2; version <= REFRESHES + 1 && blocked === undefined; version++) {
          // Were the swap to wait for the long reader's lock, this would never settle: after a minute it counts as blocked.
          const result = await Promise.race([runInProcess(config, refresh(version)), sleep(60_000).then(() => 'blocked' as const)]);
          if (result === 'blocked') blocked = version;
          else expect(result.error, result.error?.message).to.equal(undefined);
          await sleep(50);
        }
      } finally {
        running = false;
        // A blocked swap also holds back every reader queued behind its lock: release the long reader first.
        if (blocked !== undefined) await long.query('COMMIT');
        await Promise.all(readers);
      }
      expect(blocked, `the refresh to v${blocked} waited behind the open reader`).to.equal(undefined);
      const after = await read(long);
      await long.query('COMMIT');
      await long.end();

      expect(bad, `empty or partial reads: ${JSON.stringify(bad.slice(0, 3))}`).to.deep.equal([]);
      expect(after, 'the long reader kept its snapshot of v1 throughout').to.deep.equal(before);
      // The readers did overlap the swaps: every level saw more than one version.
      for (const level of LEVELS) expect(seen.get(level)!.size, `${level} versions seen`).to.be.at.least(2);
      expect(await db.query('SELECT count(*)::int AS n, min(label) AS label FROM live.items')).to.deep.equal([{ n: ROWS, label: `v${REFRESHES + 1}` }]);
    });
  });
}
