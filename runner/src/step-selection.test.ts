import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CliError } from './cli-error.js';
import { loadPipeline } from './pipeline-config.js';
import { selectSteps, sharedRunId, stepSelection } from './step-selection.js';

const run = promisify(execFile);
const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./testing/fixture-target.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const DYNAMODB = fileURLToPath(new URL('../examples/dynamodb.yaml', import.meta.url));

/** Runs the CLI; resolves with its exit code and output instead of throwing. */
async function observes(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('observes run --step / --array-index (one Batch job per step, one child per copy)', () => {
  const batchFree = { AWS_BATCH_JOB_ARRAY_INDEX: '', AWS_BATCH_JOB_ID: '', OBSERVES_RUN_ID: '' };

  it('takes the copy from --array-index, else from AWS_BATCH_JOB_ARRAY_INDEX, and refuses what cannot be a copy', () => {
    expect(stepSelection({}, { AWS_BATCH_JOB_ARRAY_INDEX: '3' }), 'no --step: every step, whatever Batch says').to.deep.equal({ steps: [] });
    expect(stepSelection({ step: ['scan'] }, {})).to.deep.equal({ steps: ['scan'] });
    expect(stepSelection({ step: ['scan'] }, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).to.deep.equal({ steps: ['scan'], arrayIndex: 3 });
    expect(stepSelection({ step: ['scan'], 'array-index': 1 }, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).to.deep.equal({ steps: ['scan'], arrayIndex: 1 });
    expect(stepSelection({ step: ['check', 'load'] }, { AWS_BATCH_JOB_ARRAY_INDEX: '3' }), 'several steps: no copy').to.deep.equal({
      steps: ['check', 'load'],
    });
    expect(() => stepSelection({ 'array-index': 1 }, {})).to.throw(CliError, /needs exactly one --step/);
    expect(() => stepSelection({ step: ['scan', 'load'], 'array-index': 1 }, {})).to.throw(CliError, /needs exactly one --step/);
    expect(() => stepSelection({ step: ['scan'] }, { AWS_BATCH_JOB_ARRAY_INDEX: 'x' })).to.throw(
      /AWS_BATCH_JOB_ARRAY_INDEX=x: an array index is a whole number/,
    );
    expect(() => stepSelection({ step: ['scan'], 'array-index': -1 }, {})).to.throw(/--array-index -1/);
  });

  it('shares one run id across a Batch array job and the steps submitted after it', () => {
    expect(sharedRunId({ AWS_BATCH_JOB_ID: '4f1c2a9e-1111-4a4a-9b9b-0123456789ab:5' })).to.equal('4f1c2a9e-1111-4a4a-9b9b-0123456789ab');
    expect(sharedRunId({ AWS_BATCH_JOB_ID: 'single-job' })).to.equal('single-job');
    expect(sharedRunId({ AWS_BATCH_JOB_ID: 'later-job', OBSERVES_RUN_ID: 'scan-job' }), 'the id the later step was given wins').to.equal('scan-job');
    expect(sharedRunId({})).to.equal(undefined);
  });

  it('selects a step and a copy, naming the steps or copies there are', async () => {
    const pipeline = await loadPipeline(DYNAMODB, { env: { REDSHIFT_PASSWORD: 'pw-for-test' } });
    const copy = selectSteps(pipeline, ['scan'], 2);
    expect(copy.phases.map((p) => p.units.map((u) => u.name))).to.deep.equal([['dynamodb.scan.2']]);
    expect(copy.phases[0].units[0].tap!.env.OBSERVES_ARRAY_INDEX).to.equal('2');
    expect(copy.phases[0].units[0].stateUrl, 'the same state as when the whole pipeline runs').to.equal(pipeline.phases[0].units[2].stateUrl);
    expect(selectSteps(pipeline, ['scan']).phases[0].units).to.have.length(8);
    expect(selectSteps(pipeline, ['load']).phases.map((p) => p.name)).to.deep.equal(['load']);
    expect(selectSteps(pipeline, []).phases).to.have.length(3);
    expect(() => selectSteps(pipeline, ['merge'])).to.throw(/no step "merge"; its steps: scan, check, load/);
    expect(() => selectSteps(pipeline, ['scan'], 8)).to.throw(/copies 0 to 7; there is no copy 8/);
    expect(() => selectSteps(pipeline, ['load'], 0)).to.throw(/has no array copies/);
  });

  it('observes run examples/dynamodb.yaml --step scan --array-index 2 runs only that copy (dry run: the plan)', async () => {
    const { code, stdout, stderr } = await observes(['run', DYNAMODB, '--step', 'scan', '--array-index', '2', '--dry-run'], {
      ...batchFree,
      REDSHIFT_PASSWORD: 'pw-for-test',
    });
    expect(code, stderr).to.equal(0);
    const units = stdout
      .split('\n')
      .filter((l) => /^ {2}dynamodb\./.test(l))
      .map((l) => l.trim());
    expect(units).to.deep.equal(['dynamodb.scan.2']);
    expect(stdout).to.include('segment-2').and.not.include('segment-3');
  });

  describe('with a fixture tap and target', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'observes-step-test-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    async function phased(): Promise<string> {
      const file = join(dir, 'phased.yaml');
      const command = (script: string) => `[${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]`;
      await writeFile(
        file,
        [
          'name: phased',
          `tap: {command: ${command(TAP)}, config: {count: 5}}`,
          `target: {command: ${command(TARGET)}, config: {out: "${dir}/out.\${OBSERVES_ARRAY_INDEX:-none}.\${OBSERVES_RUN_ID}.jsonl"}}`,
          `state: ${join(dir, 'phased.json')}`,
          'steps:',
          '  - {name: scan, array_size: 3}',
          '  - {name: load}',
        ].join('\n'),
      );
      return file;
    }

    it("a Batch array child runs only its copy, under the array job's run id, with its own state", async () => {
      const file = await phased();
      const child = await observes(['run', file, '--step', 'scan'], { ...batchFree, AWS_BATCH_JOB_ID: 'arrayjob-1:1', AWS_BATCH_JOB_ARRAY_INDEX: '1' });
      expect(child.code, child.stderr).to.equal(0);
      expect((await readdir(dir)).filter((f) => f.startsWith('out.')).sort()).to.deep.equal(['out.1.arrayjob-1.jsonl']);
      expect(existsSync(join(dir, 'phased.scan.1.json'))).to.equal(true);
      expect(existsSync(join(dir, 'phased.scan.0.json')) || existsSync(join(dir, 'phased.scan.2.json'))).to.equal(false);

      // The next phase, submitted by hand with the array job's id as its run id.
      const load = await observes(['run', file, '--step', 'load'], { ...batchFree, AWS_BATCH_JOB_ID: 'loadjob-7', OBSERVES_RUN_ID: 'arrayjob-1' });
      expect(load.code, load.stderr).to.equal(0);
      expect((await readdir(dir)).filter((f) => f.startsWith('out.')).sort()).to.deep.equal(['out.1.arrayjob-1.jsonl', 'out.none.arrayjob-1.jsonl']);
      const record = JSON.parse(await readFile(join(dir, 'phased.load.json'), 'utf8')) as { value: unknown; run_id: string };
      expect(record).to.deep.include({ value: { bookmarks: { items: { id: 5 } } }, run_id: 'arrayjob-1' });
    });

    it('without --step runs every step and copy, as before', async () => {
      const file = await phased();
      const all = await observes(['run', file], { ...batchFree, OBSERVES_RUN_ID: 'local' });
      expect(all.code, all.stderr).to.equal(0);
      expect((await readdir(dir)).filter((f) => f.startsWith('out.')).sort()).to.deep.equal([
        'out.0.local.jsonl',
        'out.1.local.jsonl',
        'out.2.local.jsonl',
        'out.none.local.jsonl',
      ]);
    });

    it('refuses, before running anything, a step submitted as an array job it is not', async () => {
      const file = await phased();
      const wrong = await observes(['run', file, '--step', 'load'], { ...batchFree, AWS_BATCH_JOB_ARRAY_INDEX: '0' });
      expect(wrong.code).to.equal(2);
      expect(wrong.stderr).to.match(/step \\?"load\\?" has no array copies/);
      expect((await readdir(dir)).filter((f) => f.startsWith('out.'))).to.deep.equal([]);
    });
  });
});
