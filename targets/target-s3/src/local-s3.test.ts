import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { freePort } from '@observes/testkit/free-port';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = (name: string) => join(repo, 'node_modules', '.bin', name);

/** Runs `tap | target` with `env`, as a shell pipe would. */
function pipe(tap: string[], target: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; tapStderr: string }> {
  return new Promise((resolve) => {
    const options = { cwd: repo, env: { ...process.env, ...env } };
    const left = spawn(tap[0], tap.slice(1), { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const right = spawn(target[0], target.slice(1), { ...options, stdio: [left.stdout!, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let tapStderr = '';
    right.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    right.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    left.stderr!.on('data', (c: Buffer) => (tapStderr += c.toString()));
    right.on('close', (code) => resolve({ code, stdout, stderr, tapStderr }));
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

describe('target-s3 against a local S3 server, as its README shows', () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-s3-'));
    port = await freePort();
    // The README's first command.
    server = spawn(bin('s3rver'), ['-d', dir, '-a', '127.0.0.1', '-p', String(port), '--configure-bucket', 'observes.etl-data', '--silent'], {
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      stdio: 'ignore',
    });
    await waitForPort(port);
  });
  after(() => {
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    TARGET_S3_ENDPOINT: `http://127.0.0.1:${port}`,
    TARGET_S3_BUCKET: 'observes.etl-data',
    TARGET_S3_PREFIX: 'backup_example',
    TAP_EXAMPLE_PATH: 'taps/tap-example/fixtures/example.jsonl',
  });

  it('takes its settings from TARGET_S3_* with no config file, logs only JSON lines (no SDK warning), and says what it stored', async () => {
    const run = await pipe([bin('tap-example')], [bin('target-s3'), '--period', '2026-11'], env());
    expect(run.code, run.stderr + run.tapStderr).to.equal(0);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type),
    ).to.include('STATE');
    const entries = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; name: string; message: string; records_loaded?: Record<string, number>; run_id?: string });
    expect(
      entries.every((e) => e.name === 'target-s3'),
      run.stderr,
    ).to.equal(true);
    expect(entries.filter((e) => e.level === 'warn' || e.level === 'error')).to.deep.equal([]);
    const done = entries.find((e) => e.message === 'done')!;
    expect(done.run_id).to.equal('2026-11');
    expect(Object.values(done.records_loaded!).reduce((a, b) => a + b, 0)).to.be.greaterThan(0);
    for (const line of run.tapStderr.trim().split('\n')) expect(() => JSON.parse(line), `tap-example stderr: ${line}`).to.not.throw();
  });

  it('refuses a missing bucket as a config error (exit 2, one JSON entry), like every program', async () => {
    const run = await pipe([bin('tap-example')], [bin('target-s3')], { ...env(), TARGET_S3_BUCKET: undefined });
    expect(run.code).to.equal(2);
    const entry = JSON.parse(run.stderr.trim()) as { level: string; message: string };
    expect(entry).to.include({ level: 'error' });
    expect(entry.message).to.match(/^invalid configuration: \/: must have required property 'bucket'/);
  });
});
