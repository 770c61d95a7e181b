import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { BIN, databaseFor, lines, runCli } from './test-support.js';

// Exactly-once merge under SIGKILL: kill the target at random moments of a multi-batch run, rerun from the
// last STATE it echoed (as a tap resuming from that bookmark would), and compare with a clean single run.

const KILLS = 20;
const RECORDS = 160;
const STATE_EVERY = 8;

const schemaMessage = {
  type: 'SCHEMA',
  stream: 'orders',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      rev: { type: 'integer' },
      customer: { type: 'object', properties: { name: { type: 'string' } } },
      lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } },
    },
  },
};

/** Record i updates key i % 40 with a different number of child rows each time. */
function recordAt(i: number) {
  const id = i % 40;
  return { type: 'RECORD', stream: 'orders', record: { id, rev: i, customer: { name: `c${i}` }, lines: Array.from({ length: i % 4 }, (_, n) => ({ sku: `s${i}-${n}`, qty: n })) } };
}

/** The tap's output from position `from` (after the bookmark), with a STATE naming the next position every few records. */
function tapOutput(from: number): string {
  const messages: object[] = [schemaMessage];
  for (let i = from; i < RECORDS; i++) {
    messages.push(recordAt(i));
    if ((i + 1) % STATE_EVERY === 0) messages.push({ type: 'STATE', value: { next: i + 1 } });
  }
  return lines(...messages);
}

/** Deterministic pseudo-random numbers (so a failure can be replayed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('target-redshift killed at random moments, then resumed from its last state', function () {
  this.timeout(300_000);
  let db: TestDatabase;
  before(async () => {
    db = await databaseFor('postgres');
  });
  after(async () => {
    await db?.drop();
  });

  const snapshot = async (schema: string) => ({
    orders: await db.query(`SELECT id, rev, customer__name FROM ${schema}.orders ORDER BY id`),
    lines: await db.query(`SELECT _sdc_source_key_id, _sdc_level_0_id, sku, qty FROM ${schema}.orders__lines ORDER BY 1, 2`),
  });

  it(`ends with the tables of a clean run after ${KILLS} kills`, async () => {
    const config = (schema: string) => ({ url: db.url, dialect: 'postgres', schema, batch_size_rows: 10 });
    const clean = await runCli(config('clean'), tapOutput(0));
    expect(clean.code, clean.stderr).to.equal(0);
    const expected = await snapshot('clean');
    expect(expected.orders).to.have.length(40);

    const rand = random(20261128);
    const dir = mkdtempSync(join(tmpdir(), 'kill-'));
    let killedMidRun = 0;
    const killAndResume = async (k: number, afterStates: number, delay: number) => {
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
      if (signal === 'SIGKILL') killedMidRun++;

      const states = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { value: { next: number } });
      const resumeFrom = states.length > 0 ? states[states.length - 1].value.next : 0;
      const rerun = await runCli(config(schema), tapOutput(resumeFrom));
      expect(rerun.code, rerun.stderr).to.equal(0);
      expect(await snapshot(schema), `kill ${k}: after ${afterStates} states + ${delay} ms, resumed from ${resumeFrom}`).to.deep.equal(expected);
    };
    // Kill after a random number of echoed states (0: before any) plus a random few milliseconds; two at a time.
    const plans = Array.from({ length: KILLS }, () => [Math.floor(rand() * (RECORDS / STATE_EVERY - 2)), Math.floor(rand() * 40)]);
    for (let k = 0; k < KILLS; k += 2) await Promise.all(plans.slice(k, k + 2).map(([states, delay], i) => killAndResume(k + i, states, delay)));
    expect(killedMidRun, 'kills that landed before the run ended').to.be.at.least(KILLS * 0.75);
  });
});
