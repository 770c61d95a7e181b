import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { TestRepository } from '@observes/tap-git/testing/test-repository';
import { createTestDatabase, pipeTapToTarget, runNode, startS3Server, type S3Server, type TestDatabase } from '@observes/testkit';
import { runJob } from '@observes/job-core';
import { useProcessEnv } from '@observes/job-core/testing/process-env';
import { computeBillsJob } from './compute-bills-job.js';
import { startFakePlatformApi, type FakePlatformApi } from './testing/fake-platform-api.js';

const TAP_GIT = fileURLToPath(new URL('../../../taps/tap-git/bin/tap-git.js', import.meta.url));
const TARGET_REDSHIFT = fileURLToPath(new URL('../../../targets/target-redshift/bin/target-redshift.js', import.meta.url));
const OBSERVES = fileURLToPath(new URL('../../../runner/bin/observes.js', import.meta.url));
const BUCKET = 'observes.bills';
const TOKEN = 'platform-secret-token-42';

describe('compute-bills end to end: tap-git | target-redshift, then observes job compute-bills', function () {
  this.timeout(120_000);
  let dir: string;
  let db: TestDatabase;
  let s3: S3Server;
  let platform: FakePlatformApi;
  let state: unknown;
  const repos: Record<string, TestRepository> = {};
  const c: Record<string, string> = {};
  const s3Env: Record<string, string> = {};

  /** One ETL run as of `at` (the tap's clock: its seen_at). */
  async function etl(at: string): Promise<void> {
    const run = await pipeTapToTarget({
      tapBin: TAP_GIT,
      targetBin: TARGET_REDSHIFT,
      tapConfig: { repositories_dir: join(dir, 'repos') },
      targetConfig: { url: db.url, dialect: 'postgres', schema: 'git' },
      state,
      tapEnv: { OBSERVES_FROZEN_TIME: at },
    });
    expect(run.tapCode, run.tapStderr).to.equal(0);
    expect(run.targetCode, run.targetStderr).to.equal(0);
    state = run.state;
  }

  function jobConfig(extra: Record<string, unknown> = {}): string {
    const file = join(dir, `bills-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        warehouse_url: db.url,
        platform_api_url: platform.url,
        platform_token: TOKEN,
        s3_endpoint: s3.endpoint,
        exclude_hashes: [c.importer],
        aliases_file: join(dir, 'people.mailmap'),
        ...extra,
      }),
    );
    return file;
  }

  async function listKeys(): Promise<string[]> {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (page.Contents ?? []).map((o) => o.Key!).sort();
  }
  const read = async (key: string) => (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString('utf8');
  const cells = async (key: string) => parse(await read(key), { relax_quotes: false }) as string[][];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'compute-bills-e2e-'));
    db = await createTestDatabase();
    if (db.kind !== 'server')
      throw new Error('compute-bills reads the warehouse with pg: these tests need a PostgreSQL server (OBSERVES_TEST_PG_URL or 127.0.0.1:5432)');
    s3 = await startS3Server({ buckets: [BUCKET] });
    Object.assign(s3Env, { AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey, AWS_REGION: 'us-east-1' });
    platform = await startFakePlatformApi(TOKEN, { 'acme-web': 'acme', 'acme-api': 'acme', globex: 'globex' }, 1);
    for (const [name, path] of Object.entries({ web: 'acme-web/web', api: 'acme-api/api', tools: 'globex/tools', site: 'globex/site' }))
      repos[name] = TestRepository.init(join(dir, 'repos', path));
    writeFileSync(join(dir, 'people.mailmap'), '# aliases\nAna Núñez <ana@acme.io>\nRobert Smith <robert@acme.io> <bob@old-mail.com>\n');

    // October: Dave's only commit is seen then, so November does not bill him.
    c.dave = repos.web.commit({ message: 'october', author: { name: 'Dave', email: 'dave@acme.io' } });
    for (const repo of ['api', 'tools', 'site']) repos[repo].commit({ message: 'scaffold', author: { name: 'Dave', email: 'dave@acme.io' } });
    await etl('2026-10-28T10:00:00Z');
    // November 10.
    c.ana1 = repos.web.commit({ message: 'ana on web', author: { name: 'Ana', email: 'ana@acme.io' } });
    c.bob = repos.web.commit({ message: 'bob, old account', author: { name: 'Bob', email: 'bob@old-mail.com' } });
    c.bot = repos.web.commit({ message: 'bump deps', author: { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' } });
    c.importer = repos.web.commit({ message: 'import history', author: { name: 'Importer', email: 'importer@acme.io' } });
    c.anaApi = repos.api.commit({ message: 'ana on api', author: { name: 'ana', email: 'ANA@acme.io' } });
    c.robert = repos.tools.commit({ message: 'robert on tools', author: { name: 'Robert Smith', email: 'robert@acme.io' } });
    c.carol1 = repos.tools.commit({ message: 'carol on tools', author: { name: 'Carol', email: 'carol@globex.com' } });
    await etl('2026-11-10T09:00:00Z');
    // November 20: later commits, so they stand for their authors.
    c.carol2 = repos.site.commit({ message: 'carol on site', author: { name: 'Carol', email: 'carol@globex.com' } });
    c.ana2 = repos.web.commit({ message: 'ana again', author: { name: 'Ana Núñez', email: 'ana@acme.io' } });
    await etl('2026-11-20T09:00:00Z');
  });

  after(async () => {
    await platform?.close();
    await s3?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  useProcessEnv(() => s3Env);

  async function job(args: string[], env: Record<string, string> = {}) {
    let stderr = '';
    let stdout = '';
    const code = await runJob(computeBillsJob, {
      argv: args,
      env: { ...process.env, OBSERVES_FROZEN_TIME: '2026-11-25T12:00:00Z', ...env },
      stderr: (t) => void (stderr += t),
      stdout: (t) => void (stdout += t),
    });
    return { code, stderr, stdout };
  }

  const EXPECTED: Record<string, string[][]> = {};
  before(() => {
    const header = ['actor', 'groups', 'commit', 'repository'];
    EXPECTED['acme-api.csv'] = [header, ['Ana Núñez <ana@acme.io>', 'acme-api, acme-web', c.anaApi, 'api']];
    EXPECTED['acme-web.csv'] = [
      header,
      ['Ana Núñez <ana@acme.io>', 'acme-api, acme-web', c.ana2, 'web'],
      ['Robert Smith <robert@acme.io>', 'acme-web', c.bob, 'web'],
    ];
    EXPECTED['globex.csv'] = [header, ['Carol <carol@globex.com>', 'globex', c.carol2, 'site'], ['Robert Smith <robert@acme.io>', 'globex', c.robert, 'tools']];
  });

  it("writes a closed month's bills of three groups in two organizations, cell by cell, with a dated copy", async () => {
    const report = join(dir, 'report.json');
    const run = await runNode([OBSERVES, 'job', 'compute-bills', '--month', '2026-11', '--config', jobConfig(), '--report', report], {
      env: { ...process.env, ...s3Env, OBSERVES_FROZEN_TIME: '2026-12-02T06:00:00Z' },
    });
    expect(run.code, run.stderr).to.equal(0);
    const groups = ['acme-api.csv', 'acme-web.csv', 'globex.csv'];
    expect(await listKeys()).to.deep.equal([...groups.map((g) => `2026/11/${g}`), ...groups.map((g) => `2026/11/30/${g}`)].sort());
    for (const file of groups) {
      expect(await cells(`2026/11/${file}`), file).to.deep.equal(EXPECTED[file]);
      expect(await read(`2026/11/30/${file}`), `dated ${file}`).to.equal(await read(`2026/11/${file}`));
    }
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).to.deep.include({
      month: '2026-11',
      as_of: '2026-11-30',
      commits: 7,
      authors: 3,
      excluded: { hash: 1, '\\[bot\\]': 1 },
      groups_without_organization: [],
    });
    // One question per group (cached), the first answered 503 and retried.
    const asked = platform.requests.filter((r) => r.path.startsWith('/groups/'));
    expect(asked.map((r) => r.status)).to.deep.equal([503, 200, 200, 200]);
    expect(new Set(asked.map((r) => r.path)).size).to.equal(3);
    expect(run.stdout + run.stderr + readFileSync(report, 'utf8')).not.to.include(TOKEN);
  });

  it('rerunning the month replaces its files: identical when nothing changed, and a group no longer billed loses its file', async () => {
    const env = { OBSERVES_FROZEN_TIME: '2026-12-03T06:00:00Z' };
    const before = await read('2026/11/acme-web.csv');
    let run = await job(['--month', '2026-11', '--config', jobConfig()], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(await read('2026/11/acme-web.csv')).to.equal(before);
    expect(await listKeys()).to.have.length(6);

    // A file a person dropped in the folder by hand is not a bill: only .csv bills are managed.
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: '2026/11/notes.txt', Body: 'keep me' }));
    run = await job(['--month', '2026-11', '--config', jobConfig({ exclude_authors: ['\\[bot\\]', '<ana@acme\\.io>'] })], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(await listKeys()).to.deep.equal([
      '2026/11/30/acme-web.csv',
      '2026/11/30/globex.csv',
      '2026/11/acme-web.csv',
      '2026/11/globex.csv',
      '2026/11/notes.txt',
    ]);
    expect(await cells('2026/11/acme-web.csv')).to.deep.equal([EXPECTED['acme-web.csv'][0], EXPECTED['acme-web.csv'][2]]);
    expect(await cells('2026/11/30/globex.csv')).to.deep.equal(EXPECTED['globex.csv']);
  });

  it('reports a group without an organization and exits 3 (not billed), or bills it alone when asked', async () => {
    platform.organizations.set('globex', null);
    try {
      let run = await job(['--config', jobConfig(), '--report', '-']);
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stderr).to.match(/groups without an organization are not billed.*globex/);
      expect(JSON.parse(run.stdout)).to.deep.include({ month: '2026-11', as_of: '2026-11-25', groups_without_organization: ['globex'] });
      expect((await listKeys()).filter((k) => k.startsWith('2026/11/25/'))).to.deep.equal(['2026/11/25/acme-api.csv', '2026/11/25/acme-web.csv']);

      run = await job(['--config', jobConfig({ missing_organization: 'standalone' })]);
      expect(run.code, run.stderr).to.equal(0);
      expect(await cells('2026/11/25/globex.csv')).to.deep.equal(EXPECTED['globex.csv']);
      // acme's bills are the same: globex was another organization either way.
      expect(await cells('2026/11/25/acme-web.csv')).to.deep.equal(EXPECTED['acme-web.csv']);
    } finally {
      platform.organizations.set('globex', 'globex');
    }
  });

  it('leaves a month without billable commits alone: nothing written, nothing removed', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: '2026/09/acme-web.csv', Body: 'actor,groups,commit,repository\n' }));
    const run = await job(['--month', '2026-09', '--config', jobConfig()]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.include('no billable commits');
    expect((await listKeys()).filter((k) => k.startsWith('2026/09/'))).to.deep.equal(['2026/09/acme-web.csv']);
  });

  it('fails with exit 1 on a refused platform token or a bad author pattern, and exit 2 listing every bad setting; secrets never shown', async () => {
    const pattern = await job(['--config', jobConfig({ exclude_authors: ['[bot'] })]);
    expect(pattern.code).to.equal(1);
    expect(pattern.stderr).to.include('exclude_authors: \\"[bot\\" is not a regular expression');
    let run = await job(['--config', jobConfig({ platform_token: 'wrong-token-123' })]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/401/).and.not.to.include('wrong-token-123');
    run = await job(['--month', '2026-14', '--platform-token', 'also-secret-9'], { COMPUTE_BILLS_WAREHOUSE_PORT: 'abc' });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('/month').and.to.include('platform_api_url').and.to.include('/warehouse_port').and.not.to.include('also-secret-9');
  });
});
