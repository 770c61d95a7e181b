import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, JOB_EXIT, jobEnvPrefix } from './job-definition.js';
import { runJob } from './run-job.js';

interface ToyConfig {
  month: string;
  count: number;
  tags: string[];
  token: string;
  verbose: boolean;
}

const toy = defineJob<ToyConfig>({
  name: 'toy-job',
  version: '1.2.3',
  description: 'A toy.',
  settings: {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: {
      month: { type: 'string', default: 'current', description: 'Month' },
      count: { type: 'integer', minimum: 1, default: 1, description: 'Count' },
      tags: { type: 'array', items: { type: 'string' }, default: [], description: 'Tags' },
      token: { type: 'string', description: 'Secret' },
      verbose: { type: 'boolean', default: false, description: 'Chatty' },
    },
  },
  secrets: ['token'],
  async run({ config, logger, now, print }) {
    logger.info(`using ${config.token}`);
    print(`table for ${config.month}\n`);
    return { exitCode: config.count > 5 ? JOB_EXIT.problems : JOB_EXIT.ok, report: { ...config, at: now().toISOString() } };
  },
});

describe("job-core: a job's command line", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'job-core-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(argv: string[], env: Record<string, string> = {}) {
    let stderr = '';
    let stdout = '';
    const code = await runJob(toy, {
      argv,
      env: { OBSERVES_FROZEN_TIME: '2026-11-05T00:00:00Z', ...env },
      stderr: (t) => void (stderr += t),
      stdout: (t) => void (stdout += t),
    });
    return { code, stderr, stdout };
  }

  it('takes settings from the file, then TOY_JOB_<SETTING> variables, then flags; defaults fill the rest', async () => {
    expect(jobEnvPrefix('toy-job')).to.equal('TOY_JOB_');
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ month: '2026-01', count: 2, token: 'file-token-1' }));
    const result = await run(['--config', file, '--count', '7', '--report', join(dir, 'r.json')], {
      TOY_JOB_MONTH: '2026-02',
      TOY_JOB_COUNT: '3',
      TOY_JOB_TAGS: 'a,b',
    });
    expect(result.code, result.stderr).to.equal(JOB_EXIT.problems);
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).to.deep.equal({
      month: '2026-02',
      count: 7,
      tags: ['a', 'b'],
      token: '***',
      verbose: false,
      at: '2026-11-05T00:00:00.000Z',
    });
    expect(result.stderr).to.include('table for 2026-02').and.to.include('using ***').and.not.to.include('file-token-1');
    expect(result.stdout).to.equal('');
  });

  it('lists every bad setting with exit 2, and an unknown flag too', async () => {
    const bad = await run(['--count', '0'], { TOY_JOB_VERBOSE: 'maybe' });
    expect(bad.code).to.equal(JOB_EXIT.usage);
    expect(bad.stderr)
      .to.include('/count')
      .and.to.include('/verbose')
      .and.to.match(/missing required setting ..token/);
    const unknown = await run(['--token', 'tok-12345', '--nope']);
    expect(unknown.code).to.equal(JOB_EXIT.usage);
    expect(unknown.stderr).to.match(/Unknown argument: nope/);
  });

  it('writes the report to stdout with --report -, and ignores a --state the runner hands over', async () => {
    const result = await run(['--token', 'tok-12345', '--report', '-', '--state', '/tmp/none.json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.include({ month: 'current', token: '***' });
  });
});
