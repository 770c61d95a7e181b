import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { loadPipeline, parsePipelineSpec, PipelineConfigError } from './pipeline-config.js';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

describe('pipeline config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-pipeline-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lists every problem of a bad file at once', () => {
    const text = ['name: bad name', 'tap: {command: 7, extra: 1}', 'schedule: "61 * * * *"', 'resources: {retries: -1}', 'typo: true'].join('\n');
    const error = (() => {
      try {
        parsePipelineSpec(text, 'bad.yaml');
      } catch (e) {
        return e as PipelineConfigError;
      }
    })();
    expect(error).to.be.instanceOf(PipelineConfigError);
    expect(error!.exitCode).to.equal(2);
    expect(error!.problems.join('\n')).to.match(/\/name: must match pattern/);
    expect(error!.problems.join('\n')).to.match(/\/tap: must NOT have additional properties \("extra"\)/);
    expect(error!.problems.join('\n')).to.match(/\/resources\/retries: must be >= 0/);
    expect(error!.problems.join('\n')).to.match(/\/: must NOT have additional properties \("typo"\)/);
    expect(error!.message).to.match(/^bad\.yaml is invalid:\n {2}- /);
  });

  it('rejects a bad cron and a missing target after the schema passes', () => {
    expect(() => parsePipelineSpec('name: p\ntap: {command: t}\nschedule: "61 * * * *"', 'p.yaml')).to.throw(
      PipelineConfigError,
      /\/schedule: not a cron expression[\s\S]*target\.command is required/,
    );
  });

  it('reads config files, interpolates ${ENV} and lists every unset variable', async () => {
    await writeFile(join(dir, 'tap.yaml'), 'token: ${TOKEN}\nurl: ${URL:-https://gitlab.com}\n');
    await writeFile(
      join(dir, 'p.yaml'),
      'name: p\ntap: {command: tap-x, config: tap.yaml}\ntarget: {command: target-x, config: {password: "${PW}", user: "${USER_X}"}}\nstate: s3://observes.state/p.json\n',
    );
    const pipeline = await loadPipeline(join(dir, 'p.yaml'), { env: { TOKEN: 'secret-token', PW: 'pw-1234' }, resolveCommands: false }).catch(
      (e: PipelineConfigError) => e,
    );
    expect((pipeline as PipelineConfigError).problems).to.deep.equal(['target.config.user: environment variable USER_X is not set']);
    const ok = await loadPipeline(join(dir, 'p.yaml'), { env: { TOKEN: 'secret-token', PW: 'pw-1234', USER_X: 'etl' }, resolveCommands: false });
    expect(ok.phases).to.have.length(1);
    expect(ok.phases[0].units[0]).to.deep.include({ name: 'p', stateUrl: 's3://observes.state/p.json' });
    expect(ok.phases[0].units[0].tap!.config).to.deep.equal({ token: 'secret-token', url: 'https://gitlab.com' });
  });

  it('expands steps into array units with their own state and index', async () => {
    await writeFile(
      join(dir, 'phased.yaml'),
      'name: dyn\ntap: {command: tap-d, config: {segment: "${OBSERVES_ARRAY_INDEX:-0}"}}\ntarget: {command: target-s3}\nstate: s3://b/dyn.json\nsteps:\n  - {name: scan, array_size: 2}\n  - {name: load, parallel: false, target: {command: target-redshift}}\n  - {name: merge, job: {command: target-redshift, args: [--from-s3, s3://b/m.json]}}\n',
    );
    const pipeline = await loadPipeline(join(dir, 'phased.yaml'), { env: {}, resolveCommands: false });
    expect(
      pipeline.phases.slice(0, 2).map((p) => [p.name, p.parallel, p.units.map((u) => [u.name, u.stateUrl, u.tap!.config, u.target!.argv[0]])]),
    ).to.deep.equal([
      [
        'scan',
        true,
        [
          ['dyn.scan.0', 's3://b/dyn.scan.0.json', { segment: '0' }, 'target-s3'],
          ['dyn.scan.1', 's3://b/dyn.scan.1.json', { segment: '1' }, 'target-s3'],
        ],
      ],
      ['load', false, [['dyn.load', 's3://b/dyn.load.json', { segment: '0' }, 'target-redshift']]],
    ]);
    expect(pipeline.phases[2].units[0]).to.deep.include({
      name: 'dyn.merge',
      job: { argv: ['target-redshift', '--from-s3', 's3://b/m.json'], config: undefined, env: { OBSERVES_RUN_ID: pipeline.runId } },
    });
    expect(pipeline.phases[0].units[1].tap!.env).to.deep.equal({ OBSERVES_RUN_ID: pipeline.runId, OBSERVES_ARRAY_INDEX: '1', OBSERVES_ARRAY_SIZE: '2' });
    expect(pipeline.runId).to.match(/^\d{8}T\d{6}Z-[a-z0-9]+$/);
  });

  it('accepts every bundled example pipeline', async () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
    expect(files.length).to.be.greaterThan(1);
    for (const file of files) await loadPipeline(join(EXAMPLES, file), { ignoreMissingEnv: true, resolveCommands: false });
  });

  it('resolves every bundled example with the variables it needs set', async () => {
    const env = {
      GITLAB_TOKEN: 'glpat-x',
      REDSHIFT_PASSWORD: 'pw',
      TIMEDOCTOR_EMAIL: 'etl@example.com',
      TIMEDOCTOR_PASSWORD: 'td',
      WAREHOUSE_READ_PASSWORD: 'pw',
      PLATFORM_TOKEN: 'tok',
      ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:observes-alerts',
      ZOHO_OAUTH_CLIENT_ID: 'id',
      ZOHO_OAUTH_CLIENT_SECRET: 'secret',
      ZOHO_OAUTH_REFRESH_TOKEN: 'refresh',
    };
    // Every command resolves too (to the workspace's taps and targets).
    for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'))) await loadPipeline(join(EXAMPLES, file), { env });
  });

  it('runs the DynamoDB example as tap-dynamodb expects: one segment per copy, a check, then one load', async () => {
    const pipeline = await loadPipeline(join(EXAMPLES, 'dynamodb.yaml'), { env: { REDSHIFT_PASSWORD: 'pw' }, runId: 'RUN' });
    expect(pipeline.phases.map((p) => [p.name, p.units.length])).to.deep.equal([
      ['scan', 8],
      ['check', 1],
      ['load', 1],
    ]);
    const copy = pipeline.phases[0].units[3];
    // tap-dynamodb takes `tables` (a list) and its segment from the array index, out of the total its config gives.
    expect(copy.tap!.config).to.deep.include({ tables: ['integrates_vms'], total_segments: 8 });
    expect(copy.tap!.config).to.not.have.property('segment');
    expect(copy.tap!.env).to.include({ OBSERVES_ARRAY_INDEX: '3', OBSERVES_ARRAY_SIZE: '8' });
    expect(copy.target!.config).to.include({ prefix: 'dynamodb/staging/segment-3' });
    // target-s3 names an array copy's manifest <run id>.<index>.json: the check step must look for that.
    const check = pipeline.phases[1].units[0].job!;
    expect(check.config).to.deep.equal(pipeline.phases[0].units[0].tap!.config);
    expect(check.argv[check.argv.indexOf('--manifest') + 1]).to.equal(
      's3://observes.etl-data/dynamodb/staging/segment-{segment}/_manifests/RUN.{segment}.json',
    );
    const load = pipeline.phases[2].units[0].job!;
    expect(load.argv).to.deep.equal(['target-redshift', '--from-s3', check.argv[check.argv.indexOf('--combined-manifest') + 1]]);
  });
});
