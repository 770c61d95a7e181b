import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createLogger } from '@observes/protocol';
import { loadPipeline } from './pipeline-config.js';
import { runPipeline } from './run-pipeline.js';
import { formatRunSummary } from './run-summary.js';
import type { FixtureFailure } from './testing/fixture-failure.js';

const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./testing/fixture-target.js', import.meta.url));
const NODE = JSON.stringify(process.execPath);
const quiet = createLogger({ name: 'test', level: 'error', write: () => undefined });

describe("observes run: retries only what a rerun may fix, and reports the child's causes", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-retry-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Runs a pipeline of the fixture tap and target, two retries allowed, the tap (writing an error entry) or the target (ending with an error) failing. */
  async function run(name: string, who: 'tap' | 'target', failure: FixtureFailure | { exit_code: number; entry: Record<string, unknown> }) {
    const tap = { count: 12, ...(who === 'tap' ? { fail_with_entry: failure } : {}) };
    const target = { out: join(dir, `${name}.out`), ...(who === 'target' ? { fail_with: failure } : {}) };
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `name: ${name}\ntap: {command: [${NODE}, ${JSON.stringify(TAP)}], config: ${JSON.stringify(tap)}}\ntarget: {command: [${NODE}, ${JSON.stringify(TARGET)}], config: ${JSON.stringify(target)}}\nstate: ${name}.state.json\nresources: {retries: 2}\n`,
    );
    return runPipeline(await loadPipeline(file), { logger: quiet, stderr: () => undefined, killGraceMs: 2000, retryBaseDelayMs: 1 });
  }

  it('does not retry a tap that exits 2 (a config error), and says why with its cause', async () => {
    // The entry logFailure writes for a ConfigError caused by a 401.
    const entry = { message: 'refused credentials', error: 'ConfigError', exit_code: 2, kind: 'config', retryable: false, causes: ['401 Unauthorized'] };
    const result = await run('tapcfg', 'tap', { exit_code: 2, entry });
    expect(result).to.deep.include({ status: 'failed', failure: 'tap', exitCode: 3, attempts: 1 });
    expect(result.units[0]).to.deep.include({ retryable: false, tapExit: 'exit code 2', tapError: 'refused credentials', tapCauses: ['401 Unauthorized'] });
    expect(result.units[0].message).to.equal('tap failed: exit code 2: refused credentials (caused by: 401 Unauthorized)');
  });

  it('does not retry a target that exits 1 on bad input (its error says retryable: false)', async () => {
    const result = await run('input', 'target', { kind: 'input', message: 'line 3: stream "items": record breaks its schema', causes: ['must be integer'] });
    expect(result).to.deep.include({ status: 'failed', failure: 'target', exitCode: 4, attempts: 1 });
    expect(result.units[0]).to.deep.include({ retryable: false, targetExit: 'exit code 1', targetCauses: ['must be integer'] });
  });

  it('does not retry a load the warehouse refused with no transient cause', async () => {
    const result = await run('load', 'target', { kind: 'load', message: 'value too long for column "name" of public.items' });
    expect(result).to.deep.include({ status: 'failed', attempts: 1 });
    expect(result.units[0]).to.deep.include({ retryable: false });
    expect(result.units[0]).to.not.have.property('targetCauses');
  });

  it('retries a transient failure up to the retries, the cause chain in the result and the summary', async () => {
    const result = await run('flaky', 'target', { kind: 'transient', message: 'lost the warehouse connection', causes: ['read ECONNRESET'] });
    expect(result).to.deep.include({ status: 'failed', failure: 'target', attempts: 3 });
    const unit = result.units[0];
    expect(unit).to.deep.include({ retryable: true, targetError: 'lost the warehouse connection', targetCauses: ['read ECONNRESET'] });
    expect(unit.message).to.equal('target failed: exit code 1: lost the warehouse connection (caused by: read ECONNRESET)');
    const summary = formatRunSummary({ startedAt: '', finishedAt: '', exitCode: 4, pipelines: [result] });
    expect(summary).to.contain('lost the warehouse connection (caused by: read ECONNRESET)');
  });

  it('retries a refused load whose cause is transient (the connection dropped mid-load)', async () => {
    const result = await run('dropped', 'target', {
      kind: 'load',
      message: 'stream "items": batch 1 not loaded',
      causeKind: 'transient',
      causes: ['lost the connection', 'connection terminated unexpectedly'],
    });
    expect(result).to.deep.include({ status: 'failed', attempts: 3 });
    expect(result.units[0]).to.deep.include({ retryable: true, targetCauses: ['lost the connection', 'connection terminated unexpectedly'] });
  });
});
