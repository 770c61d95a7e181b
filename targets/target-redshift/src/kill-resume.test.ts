import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { BIN, databaseFor, lines, runCli } from './testing/test-support.js';

// Exactly-once under SIGKILL, for every write mode: kill the target at random moments of a multi-batch run
// holding a merge stream, an append stream and a full refresh, resume from the state the warehouse committed
// (`--committed-state`, as `observes run` and the plain-shell recipe do), and compare with a clean run.

const KILLS = 20;
const MERGED = 160; // positions [0, 160): orders, merged by key
const APPENDED = 320; // [160, 320): events, key-less, appended
const TOTAL = 400; // [320, 400): snapshot, a full refresh ending in ACTIVATE_VERSION
const STATE_EVERY = 8;
const VERSION = 1_764_000_000_000;

const object = (properties: Record<string, unknown>) => ({ type: 'object', properties });
const schemas = [
  {
    type: 'SCHEMA',
    stream: 'orders',
    key_properties: ['id'],
    schema: object({
      id: { type: 'integer' },
      rev: { type: 'integer' },
      lines: { type: 'array', items: object({ sku: { type: 'string' }, qty: { type: 'integer' } }) },
    }),
  },
  { type: 'SCHEMA', stream: 'events', key_properties: [], schema: object({ seq: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } }) },
  {
    type: 'SCHEMA',
    stream: 'snapshot',
    key_properties: [],
    schema: object({ seq: { type: 'integer' }, parts: { type: 'array', items: { type: 'integer' } } }),
  },
];

/** The message at position i. */
function messageAt(i: number) {
  if (i < MERGED) {
    const id = i % 40;
    return { type: 'RECORD', stream: 'orders', record: { id, rev: i, lines: Array.from({ length: i % 4 }, (_, n) => ({ sku: `s${i}-${n}`, qty: n })) } };
  }
  if (i < APPENDED) return { type: 'RECORD', stream: 'events', record: { seq: i, tags: Array.from({ length: i % 3 }, (_, n) => `t${i}.${n}`) } };
  return { type: 'RECORD', stream: 'snapshot', version: VERSION, record: { seq: i, parts: Array.from({ length: i % 3 }, (_, n) => n) } };
}

/** The tap's output after the bookmark `from`: a full refresh is always sent whole. */
function tapOutput(from: number): string {
  const messages: object[] = [...schemas];
  for (let i = from > APPENDED ? APPENDED : from; i < TOTAL; i++) {
    messages.push(messageAt(i));
    if (i === TOTAL - 1) messages.push({ type: 'ACTIVATE_VERSION', stream: 'snapshot', version: VERSION });
    if ((i + 1) % STATE_EVERY === 0) messages.push({ type: 'STATE', value: { next: i + 1 } });
  }
  return lines(...messages);
}

/** Deterministic pseudo-random numbers (so a failure can be replayed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('target-redshift killed at random moments, then resumed from its committed state (merge, append, full refresh)', function () {
  this.timeout(300_000);
  let db: TestDatabase;
  before(async () => {
    db = await databaseFor('postgres');
  });
  after(async () => {
    await db?.drop();
  });

  /** Every table as values (key-less rows by content, their children through the row id that links them). */
  const snapshot = async (schema: string) => ({
    orders: await db.query(`SELECT id, rev FROM ${schema}.orders ORDER BY id`),
    lines: await db.query(`SELECT _sdc_source_key_id, _sdc_level_0_id, sku, qty FROM ${schema}.orders__lines ORDER BY 1, 2`),
    events: await db.query(`SELECT seq FROM ${schema}.events ORDER BY seq`),
    tags: await db.query(
      `SELECT e.seq, t._sdc_level_0_id, t.value FROM ${schema}.events__tags t JOIN ${schema}.events e ON e._sdc_row_id = t._sdc_source_key__sdc_row_id ORDER BY 1, 2`,
    ),
    snapshot: await db.query(`SELECT seq FROM ${schema}.snapshot ORDER BY seq`),
    parts: await db.query(
      `SELECT s.seq, p.value FROM ${schema}.snapshot__parts p JOIN ${schema}.snapshot s ON s._sdc_row_id = p._sdc_source_key__sdc_row_id ORDER BY 1, 2`,
    ),
  });

  it(`ends with the tables of a clean run after ${KILLS} kills`, async () => {
    const config = (schema: string) => ({ url: db.url, dialect: 'postgres', schema, batch_size_rows: 10 });
    const clean = await runCli(config('clean'), tapOutput(0));
    expect(clean.code, clean.stderr).to.equal(0);
    const expected = await snapshot('clean');
    expect([expected.orders.length, expected.events.length, expected.snapshot.length]).to.deep.equal([40, APPENDED - MERGED, TOTAL - APPENDED]);

    const rand = random(20261201);
    const dir = mkdtempSync(join(tmpdir(), 'kill-'));
    let killedMidRun = 0;
    const resumedInside = new Set<string>();
    const committedState = (file: string) =>
      new Promise<{ next?: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, '--config', file, '--committed-state'], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { next?: number }) : reject(new Error(`--committed-state exit ${code}`))));
      });
    /** One kill and its resume; returns whether the kill landed before the target finished on its own. */
    const killAndResume = async (k: string, afterStates: number, delay: number): Promise<boolean> => {
      const schema = `kill_${k}`;
      const file = join(dir, `${schema}.json`);
      writeFileSync(file, JSON.stringify(config(schema)));
      const child = spawn(process.execPath, [BIN, '--config', file], { stdio: ['pipe', 'pipe', 'ignore'] });
      let stdout = '';
      let killTimer: NodeJS.Timeout | undefined;
      const arm = () => {
        killTimer ??= setTimeout(() => child.kill('SIGKILL'), delay);
      };
      if (afterStates === 0) arm();
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.split('\n').length - 1 >= afterStates) arm();
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(tapOutput(0));
      const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
      if (killTimer) clearTimeout(killTimer);
      const killed = signal === 'SIGKILL';
      if (killed) killedMidRun++;
      // The truth is the warehouse's record, whatever the target managed to echo before it died.
      const resumeFrom = (await committedState(file)).next ?? 0;
      resumedInside.add(resumeFrom === 0 ? 'start' : resumeFrom <= MERGED ? 'merge' : resumeFrom <= APPENDED ? 'append' : 'end');
      const rerun = await runCli(config(schema), tapOutput(resumeFrom));
      expect(rerun.code, rerun.stderr).to.equal(0);
      const got = await snapshot(schema);
      for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
        expect(
          got[key],
          `kill ${k}: after ${afterStates} states + ${delay} ms, resumed from ${resumeFrom}: table ${key} (${got[key].length} rows, clean run ${expected[key].length})`,
        ).to.deep.equal(expected[key]);
      }
      return killed;
    };
    // How fast the target runs (and how many states it coalesces) depends on the machine's load: a kill that came
    // too late (the run had ended) is tried again earlier, so the kills land mid-run whether the machine is idle or busy.
    const killMidRun = async (k: number, afterStates: number, delay: number) => {
      for (let attempt = 0, n = afterStates, d = delay; attempt < 4; attempt++, n = Math.floor(n / 2), d = Math.floor(d / 2)) {
        if (await killAndResume(`${k}_${attempt}`, n, d)) return;
      }
    };
    // Kill after a random number of echoed states (0: before any) plus a random delay (the last ones land in the refresh); two at a time.
    const plans = Array.from({ length: KILLS }, () => [Math.floor(rand() * (APPENDED / STATE_EVERY)), Math.floor(rand() * 150)]);
    for (let k = 0; k < KILLS; k += 2) await Promise.all(plans.slice(k, k + 2).map(([states, delay], i) => killMidRun(k + i, states, delay)));
    expect(killedMidRun, 'kills that landed before the run ended').to.be.at.least(KILLS * 0.9);
    expect([...resumedInside], 'resumed within the merge and the append parts').to.include.members(['merge', 'append']);
  });
});
