import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createLogger } from '@observes/protocol';
import { openStateStore } from '@observes/state';
import { loadPipeline } from './pipeline-config.js';
import { runPipeline } from './run-pipeline.js';

// The run/state flow with the fixture tap and target: resuming from the target's commit record,
// states set by hand, one run per pipeline, phased jobs and the runner's death.

const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./testing/fixture-target.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const node = JSON.stringify(process.execPath);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('observes run: exactly-once flow (fixture tap and target)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-once-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const out = (name: string) => join(dir, `${name}.out.jsonl`);
  const stateUrl = (name: string) => join(dir, `${name}.state.json`);
  async function pipelineFile(name: string, tap: Record<string, unknown>, target: Record<string, unknown> = {}, extra = ''): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      [
        `name: ${name}`,
        `tap: {command: [${node}, ${JSON.stringify(TAP)}], config: ${JSON.stringify(tap)}}`,
        `target: {command: [${node}, ${JSON.stringify(TARGET)}], committed_state: true, config: ${JSON.stringify({ out: out(name), commit_record: true, ...target })}}`,
        `state: ${stateUrl(name)}`,
        extra,
      ].join('\n'),
    );
    return file;
  }
  const rows = async (name: string) =>
    existsSync(out(name))
      ? (await readFile(out(name), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { id?: number; replaced?: boolean })
      : [];
  const ids = async (name: string) => (await rows(name)).filter((r) => r.id !== undefined).map((r) => r.id);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({ name: 'test', level: 'info', json: true, write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const run = async (file: string, extra: { forceUnlock?: boolean } = {}) =>
    runPipeline(await loadPipeline(file), { logger, stderr: () => undefined, killGraceMs: 2000, retryBaseDelayMs: 1, ...extra });
  const resumePoint = () => logs.filter((l) => l.message === 'resume point').at(-1);

  it("resumes from the target's commit record when it is newer than the store (a crash between commit and echo): no row twice", async () => {
    const file = await pipelineFile('append', { count: 45 }, { crash_after_commits: 2 });
    expect(await run(file)).to.deep.include({ status: 'failed', failure: 'target' });
    const store = openStateStore(stateUrl('append'));
    expect(await store.readRecord()).to.deep.include({ sequence: 1, origin: 'target', value: { bookmarks: { items: { id: 10 } } } });
    await writeFile(file, (await readFile(file, 'utf8')).replace(',"crash_after_commits":2', ''));
    const rerun = await run(file);
    expect(rerun.status, rerun.units[0].message).to.equal('succeeded');
    expect(resumePoint()).to.deep.include({ from: 'target', sequence: 2, store_sequence: 1, target_sequence: 2 });
    expect(rerun.units[0].records).to.deep.equal({ items: 25 });
    expect(await ids('append'), 'the fixture target appends: a replay would show twice').to.deep.equal(range(45));
    const saved = await store.readRecord();
    expect(saved).to.deep.include({ origin: 'target', value: { bookmarks: { items: { id: 45 } } } });
    expect(saved!.sequence).to.be.greaterThan(2);
    expect(
      (await store.history()).map((v) => [v.sequence, v.origin]),
      'what the store held before the run',
    ).to.deep.equal([[1, 'target']]);
  });

  it("a state set by hand wins over the target's once; a cleared state starts from scratch; sequences keep rising", async () => {
    const file = await pipelineFile('hand', { count: 30 });
    expect((await run(file)).status).to.equal('succeeded');
    const store = openStateStore(stateUrl('hand'));
    const before = (await store.readRecord())!.sequence;
    await store.write({ bookmarks: { items: { id: 25 } } });
    await writeFile(file, (await readFile(file, 'utf8')).replace('"count":30', '"count":32'));
    const fromHand = await run(file);
    expect(resumePoint()).to.deep.include({ from: 'operator' });
    expect(fromHand.units[0].records).to.deep.equal({ items: 7 });
    expect((await store.readRecord())!.sequence).to.be.greaterThan(before + 1);
    await store.clear();
    const fromScratch = await run(file);
    expect(resumePoint()).to.deep.include({ from: 'operator', reason: 'the state was cleared by hand: starting from scratch' });
    expect(fromScratch.units[0]).to.deep.include({ stateFound: false, records: { items: 32 } });
    const next = await run(file);
    expect(resumePoint()).to.deep.include({ from: 'store', reason: 'the store and the target agree' });
    expect(next.units[0].records).to.deep.equal({});
  });

  it('a second run of a running pipeline refuses, naming the run; the first finishes exactly', async () => {
    const file = await pipelineFile('busy', { count: 60, pause_every: 10, pause_ms: 100 });
    const first = run(file);
    for (let i = 0; i < 100 && !existsSync(`${stateUrl('busy')}.lock`); i++) await sleep(20);
    const holder = JSON.parse(await readFile(`${stateUrl('busy')}.lock`, 'utf8')) as { run_id: string };
    const second = await run(file);
    expect(second).to.deep.include({ status: 'failed', failure: 'locked', exitCode: 7 });
    expect(second.units[0].message).to.contain(`busy is being run by run ${holder.run_id} on host ${hostname()}`);
    expect((await first).status).to.equal('succeeded');
    expect(await ids('busy')).to.deep.equal(range(60));
    expect(existsSync(`${stateUrl('busy')}.lock`), 'released at the end').to.equal(false);
  });

  it("--force-unlock removes a live run's lock; a dead run's lock on this host is taken over", async () => {
    const file = await pipelineFile('stuck', { count: 5 });
    const lock = (pid: number) =>
      writeFile(
        `${stateUrl('stuck')}.lock`,
        JSON.stringify({
          run_id: 'other',
          host: hostname(),
          pid,
          started_at: new Date().toISOString(),
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    await lock(process.ppid); // alive
    expect((await run(file)).failure).to.equal('locked');
    expect((await run(file, { forceUnlock: true })).status).to.equal('succeeded');
    await lock(2 ** 22 + 12345); // no such process
    expect((await run(file)).status).to.equal('succeeded');
  });

  it('passes --state to a job step only when it says pass_state', async () => {
    const script =
      "const i = process.argv.indexOf('--state'); console.log(JSON.stringify({ type: 'STATE', value: { got: i < 0 ? null : require('fs').readFileSync(process.argv[i + 1], 'utf8') } }))";
    const job = (pass: boolean) =>
      `name: phased\nstate: ${stateUrl('phased')}\nsteps:\n  - name: load\n    job: {command: [${node}, -e, ${JSON.stringify(script)}, --], pass_state: ${pass}, config: {}}\n`;
    const file = join(dir, 'phased.yaml');
    await writeFile(file, job(false));
    const values = async () => (JSON.parse(await readFile(join(dir, 'phased.state.load.json'), 'utf8')) as { value: { got: string | null } }).value.got;
    expect((await run(file)).status).to.equal('succeeded');
    expect((await run(file)).status, 'a rerun does not pass the state the job cannot take').to.equal('succeeded');
    expect(await values()).to.equal(null);
    await writeFile(file, job(true));
    expect((await run(file)).status).to.equal('succeeded');
    expect(JSON.parse((await values())!)).to.deep.equal({ got: null });
  });

  it('when `observes run` is SIGKILLed, its tap and target stop and the end-of-input replacement never happens', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const name = `orphan${attempt}`;
      const pids = { tap: join(dir, `${name}.tap.pid`), target: join(dir, `${name}.target.pid`) };
      const file = await pipelineFile(name, { count: 400, pause_every: 20, pause_ms: 40, pid_file: pids.tap }, { replace_on_eof: true, pid_file: pids.target });
      const runner = spawn(process.execPath, [BIN, 'run', file], { stdio: 'ignore' });
      for (let i = 0; i < 200 && !existsSync(stateUrl(name)); i++) await sleep(20);
      await sleep(Math.random() * 300);
      runner.kill('SIGKILL');
      await new Promise((r) => runner.once('close', r));
      // A zombie has ended: only its new parent has not reaped it yet.
      const alive = (pid: number) => existsSync(`/proc/${pid}/stat`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      const children = [Number(await readFile(pids.tap, 'utf8')), Number(await readFile(pids.target, 'utf8'))];
      for (let i = 0; i < 100 && children.some(alive); i++) await sleep(50);
      expect(children.filter(alive), 'tap and target stopped').to.deep.equal([]);
      expect(
        (await rows(name)).some((r) => r.replaced),
        'no replacement at the orphaned end of input',
      ).to.equal(false);
      expect((await ids(name)).length).to.be.below(400);
    }
  });
});
