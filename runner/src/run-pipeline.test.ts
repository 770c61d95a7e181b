import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createLogger } from '@observes/protocol';
import { loadPipeline } from './pipeline-config.js';
import { runPipeline } from './run-pipeline.js';
import type { RunReport } from './run-result.js';

const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./testing/fixture-target.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const quiet = createLogger({ name: 'test', level: 'error', write: () => undefined });

describe('observes run (fixture tap and target)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-run-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function pipelineFile(name: string, tap: Record<string, unknown>, target: Record<string, unknown> = {}, extra = ''): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    const yaml = [
      `name: ${name}`,
      `tap: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TAP)}], config: ${JSON.stringify(tap)}}`,
      `target: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TARGET)}], config: ${JSON.stringify({ out: join(dir, `${name}.out.jsonl`), ...target })}}`,
      `state: ${join(dir, `${name}.state.json`)}`,
      extra,
    ].join('\n');
    await writeFile(file, yaml);
    return file;
  }
  const rows = async (name: string) => {
    const path = join(dir, `${name}.out.jsonl`);
    if (!existsSync(path)) return [];
    return (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: number; activated?: number });
  };
  /** The value of the state record saved for a pipeline. */
  const savedState = async (name: string) => (JSON.parse(await readFile(join(dir, `${name}.state.json`), 'utf8')) as { value: unknown }).value;
  const run = async (file: string, retryBaseDelayMs = 1) =>
    runPipeline(await loadPipeline(file), { logger: quiet, stderr: () => undefined, killGraceMs: 2000, retryBaseDelayMs });

  it("passes config, state and catalog as private temporary files, saves the target's state, and resumes from it", async () => {
    const echo = join(dir, 'args.json');
    const file = await pipelineFile('inc', { count: 25, echo_args_to: echo });
    const first = await run(file);
    expect(first.status).to.equal('succeeded');
    expect(first.units[0]).to.deep.include({ records: { items: 25 }, stateFound: false, stateSaved: true });
    expect(first.units[0].statesSaved).to.be.within(1, 3); // values arriving during a write are coalesced
    expect(await savedState('inc')).to.deep.equal({ bookmarks: { items: { id: 25 } } });
    const args = JSON.parse(await readFile(echo, 'utf8')) as { argv: string[]; env: string };
    expect(args.argv[0]).to.equal('--config');
    expect(args.env).to.equal('inc');
    expect(existsSync(args.argv[1]), 'temporary config removed').to.equal(false);

    await writeFile(file, (await readFile(file, 'utf8')).replace('"count":25', '"count":32'));
    const second = await run(file);
    expect(second.units[0]).to.deep.include({ records: { items: 7 }, stateFound: true });
    const argv = (JSON.parse(await readFile(echo, 'utf8')) as { argv: string[] }).argv;
    expect(argv.slice(2, 3)).to.deep.equal(['--state']);
    expect((await rows('inc')).map((r) => r.id)).to.deep.equal(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it('stops the target before its input ends when the tap crashes mid full refresh', async () => {
    const file = await pipelineFile('full', { count: 40, full_table: true, fail_after: 20 });
    const result = await run(file);
    expect(result).to.deep.include({ status: 'failed', failure: 'tap', exitCode: 3 });
    expect(result.units[0].tapExit).to.equal('exit code 3');
    expect(result.units[0].targetExit).to.match(/exit code 143|signal SIGTERM/);
    expect(await rows('full'), 'the target saw no end of input, so committed nothing').to.deep.equal([]);
    expect(existsSync(join(dir, 'full.state.json'))).to.equal(false);
  });

  it('keeps the last state a crashed target committed; the rerun loses nothing and duplicates nothing', async () => {
    const file = await pipelineFile('crash', { count: 45 }, { crash_after_states: 2 });
    const crashed = await run(file);
    expect(crashed).to.deep.include({ status: 'failed', failure: 'target', exitCode: 4 });
    expect(await savedState('crash')).to.deep.equal({ bookmarks: { items: { id: 20 } } });
    await writeFile(file, (await readFile(file, 'utf8')).replace(', "crash_after_states":2', '').replace(',"crash_after_states":2', ''));
    const rerun = await run(file);
    expect(rerun.status).to.equal('succeeded');
    expect((await rows('crash')).map((r) => r.id)).to.deep.equal(Array.from({ length: 45 }, (_, i) => i + 1));
  });

  it('retries a failed run with backoff, resuming from the saved state', async () => {
    const file = await pipelineFile('retry', { count: 30 }, { crash_once_marker: join(dir, 'crashed') }, 'resources: {retries: 2}');
    const result = await run(file);
    expect(result.attempts).to.equal(2);
    expect(result.units[0].stateFound).to.equal(true);
    expect(result.units[0].records).to.deep.equal({ items: 20 });
    expect(result.status).to.equal('succeeded');
    expect((await rows('retry')).map((r) => r.id)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('runs several pipelines at once, writes the JSON report, and --dry-run runs nothing', async () => {
    const files = [await pipelineFile('one', { count: 5 }), await pipelineFile('two', { count: 8, stream: 'other' })];
    const report = join(dir, 'report.json');
    const dry = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [BIN, 'run', '--dry-run', ...files], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(dry).to.contain('pipeline one').and.to.contain('(none yet: full extraction)');
    expect(await rows('one')).to.deep.equal([]);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'run', '--concurrency', '2', '--report', report, ...files], { stdio: 'ignore' });
      child.on('close', resolve);
    });
    expect(code).to.equal(0);
    const parsed = JSON.parse(await readFile(report, 'utf8')) as RunReport;
    expect(parsed.exitCode).to.equal(0);
    expect(parsed.pipelines.map((p) => [p.name, p.status, p.units[0].records])).to.deep.equal([
      ['one', 'succeeded', { items: 5 }],
      ['two', 'succeeded', { other: 8 }],
    ]);
  });

  it('on SIGTERM stops both children, keeps the last committed state and exits 143', async () => {
    const file = await pipelineFile('term', { count: 50 }, { hang_after_states: 1 });
    const child = spawn(process.execPath, [BIN, 'run', '--kill-grace', '2', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    // The hang begins once the first state was echoed: wait until it was saved, then stop the run.
    for (let i = 0; i < 200 && !existsSync(join(dir, 'term.state.json')); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).to.equal(143);
    expect(await savedState('term')).to.deep.equal({ bookmarks: { items: { id: 10 } } });
    const forwarded = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(forwarded.filter((e) => e.child === 'target').map((e) => [e.name, e.unit, e.message])).to.deep.include([
      'observes',
      'term',
      'fixture target stopped by SIGTERM, discarding uncommitted records',
    ]);
  });

  it('stops a run that outlives resources.timeout, keeping the committed state', async () => {
    const file = await pipelineFile('slow', { count: 50 }, { hang_after_states: 1 }, 'resources: {timeout: 2, retries: 2}');
    const result = await run(file);
    expect(result).to.deep.include({ status: 'failed', failure: 'timeout', exitCode: 124, attempts: 1 });
    expect(await savedState('slow')).to.deep.equal({ bookmarks: { items: { id: 10 } } });
  });

  it('runs a job step alone with --config and saves the STATE it prints', async () => {
    const script =
      "const fs = require('fs'); const c = JSON.parse(fs.readFileSync(process.argv[process.argv.indexOf('--config') + 1])); console.log(JSON.stringify({ type: 'STATE', value: { loaded: c.manifest } }))";
    const file = join(dir, 'job.yaml');
    await writeFile(
      file,
      `name: job\nstate: ${join(dir, 'job.state.json')}\nsteps:\n  - name: load\n    job: {command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(script)}, --], config: {manifest: m1}}\n`,
    );
    const result = await run(file);
    expect(result.status, result.units[0].message).to.equal('succeeded');
    expect(JSON.parse(await readFile(join(dir, 'job.state.load.json'), 'utf8')).value).to.deep.equal({ loaded: 'm1' });
  });

  it('discovers and selects streams when the pipeline says select', async () => {
    const echo = join(dir, 'args.json');
    const file = await pipelineFile('sel', { count: 3, echo_args_to: echo }, {}, '');
    await writeFile(file, (await readFile(file, 'utf8')).replace('}}\ntarget', '}, select: [items]}\ntarget'));
    const result = await run(file);
    expect(result.status).to.equal('succeeded');
    const { catalog } = JSON.parse(await readFile(echo, 'utf8')) as {
      catalog: { streams: Array<{ tap_stream_id: string; metadata: Array<{ metadata: { selected: boolean } }> }> };
    };
    expect(catalog.streams.map((s) => [s.tap_stream_id, s.metadata[0].metadata.selected])).to.deep.equal([
      ['items', true],
      ['other', false],
    ]);
  });
});
