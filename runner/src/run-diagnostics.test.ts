import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createLogger } from '@observes/protocol';
import { loadPipeline, type PipelineConfigError } from './pipeline-config.js';
import { describePipeline } from './run-command.js';
import { runPipeline } from './run-pipeline.js';
import type { RunReport } from './run-result.js';
import { formatRunSummary } from './run-summary.js';
import { splitCommand } from './split-command.js';

const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./testing/fixture-target.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const NODE = JSON.stringify(process.execPath);
const quiet = createLogger({ name: 'test', level: 'error', write: () => undefined });

const observes = (cwd: string, ...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { cwd }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr })),
  );

describe('observes run: commands, paths, problems and failure reasons', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-diag-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('splits a string command like a shell (quotes and escapes kept, nothing expanded) and refuses shell operators', () => {
    expect(splitCommand('node mytap.mjs --name "a b" \'c d\' e\\ f ${VAR}')).to.deep.equal(['node', 'mytap.mjs', '--name', 'a b', 'c d', 'e f', '${VAR}']);
    expect(splitCommand(['node', 'a b.mjs'])).to.deep.equal(['node', 'a b.mjs']);
    expect(() => splitCommand('tap-gitlab | target-redshift')).to.throw(/shell operator "\|".*without a shell/);
    expect(() => splitCommand('node "unterminated')).to.throw(/cannot split/);
  });

  it('resolves every relative path from the pipeline file, whatever the working directory, and state show finds the same state', async () => {
    const sub = join(dir, 'pipelines', 'my etl');
    await mkdir(join(sub, 'taps'), { recursive: true });
    await copyFile(TAP, join(sub, 'taps', 'tap.mjs'));
    await writeFile(join(sub, 'target.yaml'), `out: rows.jsonl\n`);
    // A string command with a relative argv file, a relative file setting the child reads, no `state:`.
    await writeFile(
      join(sub, 'p.yaml'),
      `name: rel\ntap: {command: 'node taps/tap.mjs', config: {count: 4, echo_cwd_to: cwd.txt}}\ntarget: {command: [${NODE}, ${JSON.stringify(TARGET)}], config: target.yaml}\n`,
    );
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    const run = await observes(elsewhere, 'run', join('..', 'pipelines', 'my etl', 'p.yaml'));
    expect(run.code, run.stderr).to.equal(0);
    expect(await readFile(join(sub, 'cwd.txt'), 'utf8')).to.equal(sub);
    expect((await readFile(join(sub, 'rows.jsonl'), 'utf8')).trim().split('\n')).to.have.length(4);
    expect(existsSync(join(sub, '.observes', 'state', 'rel.json')), 'default state next to the pipeline file').to.equal(true);
    expect(existsSync(join(elsewhere, '.observes'))).to.equal(false);
    const shown = await observes(elsewhere, 'state', 'show', join('..', 'pipelines', 'my etl', 'p.yaml'));
    expect(shown.stdout).to.equal('{"bookmarks":{"items":{"id":4}}}\n');
    // In this process too, whose working directory is yet another one.
    const dry = await describePipeline(await loadPipeline(join(sub, 'p.yaml')));
    expect(dry).to.contain(`runs in: ${sub}`).and.to.contain(`state:  file://${sub}/.observes/state/rel.json (found: resumes)`);
  });

  it('lists every problem of every pipeline file in one pass, before anything runs', async () => {
    await writeFile(
      join(dir, 'a.yaml'),
      [
        'name: a',
        'typo_top: 1',
        `tap: {command: tap-does-not-exist, config: missing-tap.yaml, extra_tap_key: 1}`,
        `target: {command: [${NODE}, ${JSON.stringify(TARGET)}], config: {out: x}}`,
        'schedule: every hour',
        'resources: {retries: 1, cpu: 2}',
        'steps:',
        `  - {name: one, paralel: true}`,
      ].join('\n'),
    );
    await writeFile(join(dir, 'b.yaml'), `name: b\ntap: {command: 'node "unclosed'}\ntarget: {command: ./not-here.sh}\n`);
    const run = await observes(dir, 'run', 'a.yaml', 'b.yaml');
    expect(run.code).to.equal(2);
    const entry = JSON.parse(run.stderr) as { message: string; problems: string[] };
    const problems = entry.problems.join('\n');
    for (const expected of [
      /a\.yaml: \/: must NOT have additional properties \("typo_top"\)/,
      /a\.yaml: \/tap: must NOT have additional properties \("extra_tap_key"\)/,
      /a\.yaml: \/resources: must NOT have additional properties \("cpu"\)/,
      /a\.yaml: \/steps\/0: must NOT have additional properties \("paralel"\)/,
      /a\.yaml: \/schedule: not a cron expression/,
      /a\.yaml: steps\.one\.tap\.config: cannot read missing-tap\.yaml/,
      /a\.yaml: steps\.one\.tap\.command: command tap-does-not-exist not found/,
      /b\.yaml: tap\.command: cannot split "node \\"unclosed"/,
      /b\.yaml: target\.command: command \.\/not-here\.sh is not an executable file/,
    ]) {
      expect(problems).to.match(expected);
    }
    expect(entry.message).to.match(/^2 pipeline files are invalid/);
    expect(run.stdout).to.equal('');
  });

  async function pipeline(name: string, target: Record<string, unknown>, extra = ''): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `name: ${name}\ntap: {command: [${NODE}, ${JSON.stringify(TAP)}], config: {count: 12}}\ntarget: {command: [${NODE}, ${JSON.stringify(TARGET)}], config: ${JSON.stringify({ out: join(dir, `${name}.out`), ...target })}}\nstate: ${name}.state.json\n${extra}`,
    );
    return file;
  }
  const run = async (file: string) => runPipeline(await loadPipeline(file), { logger: quiet, stderr: () => undefined, killGraceMs: 2000, retryBaseDelayMs: 1 });

  it("carries the child's own last error into the result and the summary, and does not retry a config error", async () => {
    const result = await run(
      await pipeline(
        'cfg',
        { fail_at_start: { exit_code: 2, message: 'invalid configuration: "dialect" must be "redshift" or "postgres"' } },
        'resources: {retries: 2}',
      ),
    );
    expect(result).to.deep.include({ status: 'failed', failure: 'target', exitCode: 4, attempts: 1 });
    const unit = result.units[0];
    expect(unit).to.deep.include({
      retryable: false,
      targetError: 'invalid configuration: "dialect" must be "redshift" or "postgres"',
      statesSaved: 0,
      stateSaved: false,
    });
    expect(unit.message).to.equal('target failed: exit code 2: invalid configuration: "dialect" must be "redshift" or "postgres"');
    const summary = formatRunSummary({ startedAt: '', finishedAt: '', exitCode: 4, pipelines: [result] });
    expect(summary)
      .to.contain('FAILED (target)')
      .and.to.contain('exit code 2: invalid configuration: "dialect" must be "redshift" or "postgres"')
      .and.to.contain('none saved');
  });

  it('retries a failure a rerun may fix, quoting the last line a plain-text child wrote as just that', async () => {
    const result = await run(
      await pipeline(
        'flaky',
        {
          fail_at_start: {
            exit_code: 1,
            message: 'Traceback (most recent call last):\n  File "t.py", line 1\nConnectionResetError: connection reset by peer\n',
            plain: true,
          },
        },
        'resources: {retries: 2}',
      ),
    );
    expect(result).to.deep.include({ status: 'failed', attempts: 3 });
    expect(result.units[0]).to.deep.include({
      retryable: true,
      message: 'target failed: exit code 1; its last line on stderr: ConnectionResetError: connection reset by peer',
    });
  });

  it('reports records sent and loaded, and a saved state only when one was saved', async () => {
    const result = await run(await pipeline('ok', { report_loaded: true }));
    const unit = result.units[0];
    expect(unit).to.deep.include({ status: 'succeeded', records: { items: 12 }, recordsLoaded: { items: 12 }, stateSaved: true });
    expect(unit.statesSaved).to.be.greaterThan(0);
    expect(unit).to.not.have.property('retryable');
    const report: RunReport = { startedAt: '', finishedAt: '', exitCode: 0, pipelines: [result] };
    expect(formatRunSummary(report).split('\n').slice(0, 3)).to.deep.equal([
      'run  stream  records sent  loaded',
      '---  ------  ------------  ------',
      'ok   items             12      12',
    ]);
  });

  it('lists unset variables with the other problems, naming where', async () => {
    await writeFile(join(dir, 'v.yaml'), `name: v\ntap: {command: 'tap-x --token \${NO_SUCH_TOKEN}'}\ntarget: {command: target-y}\n`);
    const error = (await loadPipeline(join(dir, 'v.yaml'), { env: {} }).catch((e: unknown) => e)) as PipelineConfigError;
    expect(error.problems).to.deep.equal([
      'tap.command[2]: environment variable NO_SUCH_TOKEN is not set',
      'target.command: command target-y not found in node_modules/.bin or on PATH',
    ]);
  });
});
