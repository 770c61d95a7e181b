import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createLogger } from '@observes/protocol';
import { startFaultyHttpProxy, type FaultyHttpProxy } from '@observes/state/testing/faulty-http-proxy';
import { createTestDatabase, startS3Server, type S3Server, type TestDatabase } from '@observes/testkit';
import { loadPipeline } from './pipeline-config.js';
import { runPipeline, type RunPipelineOptions } from './run-pipeline.js';
import type { RunReport } from './run-result.js';

// Fault tests with the real target-redshift (postgres dialect) on a real PostgreSQL, and the state in
// S3 (s3rver) behind a proxy that answers 500 and SlowDown and acknowledges cut uploads.

const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const WRAPPER = fileURLToPath(new URL('./testing/pid-wrapper.js', import.meta.url));
const TARGET_REDSHIFT = fileURLToPath(new URL('../../targets/target-redshift/bin/target-redshift.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const quiet = createLogger({ name: 'test', level: 'error', write: () => undefined });

describe('observes run: faults, with target-redshift, PostgreSQL and S3 state', function () {
  let dir: string;
  let db: TestDatabase;
  let s3: S3Server;
  let proxy: FaultyHttpProxy;
  const savedEnv = { ...process.env };
  const env = () => ({
    OBSERVES_S3_ENDPOINT: proxy.endpoint,
    AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-fault-'));
    [db, s3] = await Promise.all([createTestDatabase(), startS3Server({ buckets: ['observes.state'] })]);
    // Every other state PUT fails: in turn a 500, a SlowDown, and a cut body acknowledged as complete.
    const faults = ['internal-error', 'slow-down', 'truncate-body'] as const;
    let puts = 0;
    let injected = 0;
    proxy = await startFaultyHttpProxy(s3.endpoint, (req) => (req.method === 'PUT' && ++puts % 2 === 0 ? faults[injected++ % 3] : undefined));
    // The runner's state stores find the endpoint and credentials in the environment, as in production.
    Object.assign(process.env, env());
  });
  after(async () => {
    for (const key of ['OBSERVES_S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    await proxy?.close();
    await s3?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function pipeline(name: string, tap: Record<string, unknown>, targetExtra: Record<string, unknown> = {}): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    const target = { url: db.url, dialect: 'postgres', schema: 'fault', batch_size_rows: 100, batch_max_age_seconds: 0, ...targetExtra };
    await writeFile(
      file,
      [
        `name: ${name}`,
        `tap: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TAP)}], config: ${JSON.stringify({ stream: name, ...tap })}}`,
        `target: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(WRAPPER)}, ${JSON.stringify(process.execPath)}, ${JSON.stringify(TARGET_REDSHIFT)}], config: ${JSON.stringify(target)}, env: {OBSERVES_TEST_PID_FILE: ${JSON.stringify(join(dir, `${name}.pid`))}}}`,
        `state: s3://observes.state/${name}.json`,
      ].join('\n'),
    );
    return file;
  }
  const options: RunPipelineOptions = {
    logger: quiet,
    stderr: () => undefined,
    killGraceMs: 5000,
    retryBaseDelayMs: 1,
    state: { s3: { retries: 10, baseDelayMs: 2 } },
  };
  const run = async (file: string) => runPipeline(await loadPipeline(file), options);
  const stateOf = async (name: string) =>
    (
      JSON.parse(await (await s3.client.send(new GetObjectCommand({ Bucket: 'observes.state', Key: `${name}.json` }))).Body!.transformToString()) as {
        value: { bookmarks: Record<string, { id: number }> };
      }
    ).value;
  const ids = async (table: string) => (await db.query<{ id: string }>(`SELECT id FROM fault."${table}" ORDER BY id`)).map((r) => Number(r.id));

  it('target killed mid-run, then rerun: no loss, no duplicates, state writes retried through 500/SlowDown/cut uploads', async () => {
    const file = await pipeline('killed', { count: 1500, state_every: 50, pause_every: 50, pause_ms: 120 });
    const pidFile = join(dir, 'killed.pid');
    const running = run(file);
    // Kill the target for good (SIGKILL: no cleanup) once it has committed and echoed a state or two.
    let killed = false;
    for (let i = 0; i < 400 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const saved = await stateOf('killed').catch(() => undefined);
      if (saved && saved.bookmarks.killed.id >= 100 && existsSync(pidFile)) {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        killed = true;
      }
    }
    const first = await running;
    expect(killed, 'the target was killed mid-run').to.equal(true);
    expect(first).to.deep.include({ status: 'failed', failure: 'target' });
    const bookmark = (await stateOf('killed')).bookmarks.killed.id;
    expect(bookmark).to.be.within(100, 1499);

    const second = await run(file);
    expect(second.status, JSON.stringify(second.units[0])).to.equal('succeeded');
    expect(second.units[0].stateFound).to.equal(true);
    expect(second.units[0].records.killed).to.equal(1500 - bookmark);
    expect(await ids('killed')).to.deep.equal(Array.from({ length: 1500 }, (_, i) => i + 1));
    expect((await stateOf('killed')).bookmarks.killed.id).to.equal(1500);
    expect(proxy.injected.map((f) => f.fault)).to.include.members(['internal-error', 'slow-down', 'truncate-body']);
  });

  it('tap crashing mid full refresh: the old table stays intact', async () => {
    // replace_on_eof makes the target swap in whatever it got once its input ends: only stopping it
    // before the end of input keeps the old table.
    const file = await pipeline('refreshed', { full_table: true, count: 30, version: 0 }, { replace_on_eof: true });
    expect((await run(file)).status).to.equal('succeeded');
    await db.query('UPDATE fault.refreshed SET name = $1 WHERE id = 1', ['changed by the old load']);
    await writeFile(file, readFileSync(file, 'utf8').replace('"count":30', '"count":90,"fail_after":60,"pause_every":20,"pause_ms":30'));
    const crashed = await run(file);
    expect(crashed).to.deep.include({ status: 'failed', failure: 'tap' });
    expect(await ids('refreshed')).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await db.query<{ name: string }>('SELECT name FROM fault.refreshed WHERE id = 1'))[0].name).to.equal('changed by the old load');
  });

  it('runs several pipelines at once, each with its own state', async () => {
    const files = await Promise.all(['alpha', 'beta', 'gamma'].map((name, i) => pipeline(name, { count: 100 * (i + 1), state_every: 25 })));
    const report = join(dir, 'report.json');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'run', '--concurrency', '3', '--report', report, ...files], {
        stdio: 'ignore',
        env: { ...process.env, ...env() },
      });
      child.on('close', resolve);
    });
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    expect(code, JSON.stringify(parsed.pipelines.map((p) => p.units[0].message))).to.equal(0);
    for (const [i, name] of ['alpha', 'beta', 'gamma'].entries()) {
      expect((await ids(name)).length).to.equal(100 * (i + 1));
      expect((await stateOf(name)).bookmarks[name].id).to.equal(100 * (i + 1));
    }
  });
});
