import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parseJsonLossless } from '@observes/protocol';
import { applyRedshiftShim, createTestDatabase, runNode, startS3Server, type ProcessResult, type S3Server, type TestDatabase } from '@observes/testkit';
import { STATE_KEY, type PreparedExports } from './prepared-state.js';
import { BULK_MODULES } from './zoho-modules.js';
import type { FakeZoho } from './testing/fake-zoho.js';
import { startFakeZoho } from './testing/run-zoho.js';
import { expectModuleRows } from './testing/warehouse-check.js';

const observes = fileURLToPath(new URL('../../../runner/bin/observes.js', import.meta.url));
const pipelineFile = fileURLToPath(new URL('../../../runner/examples/zoho-crm.yaml', import.meta.url));
const STATE_URL = 's3://observes.state/zoho-crm.json';

// The steps of one production run, in order: the prepare invocation, later the load invocation.
describe('observes run runner/examples/zoho-crm.yaml: prepare and load as separate invocations', () => {
  let fake: FakeZoho;
  let s3: S3Server;
  let db: TestDatabase;
  let dir: string;
  const outputs: string[] = [];
  /** The runner's environment: the example's variables, the stand-ins' addresses, short waits for the tap. */
  const env = () => ({
    ZOHO_OAUTH_CLIENT_ID: fake.clientId,
    ZOHO_OAUTH_CLIENT_SECRET: fake.clientSecret,
    ZOHO_OAUTH_REFRESH_TOKEN: fake.refreshToken,
    REDSHIFT_PASSWORD: 'not-used-here',
    TARGET_REDSHIFT_URL: db.url,
    TAP_ZOHO_CRM_ACCOUNTS_URL: fake.accountsUrl,
    TAP_ZOHO_CRM_POLL_INTERVAL_SECONDS: '0.02',
    TAP_ZOHO_CRM_MAX_POLL_INTERVAL_SECONDS: '0.1',
    TAP_ZOHO_CRM_REQUESTS_PER_SECOND: '10000',
    TAP_ZOHO_CRM_DOWNLOAD_REQUESTS_PER_MINUTE: '10000',
    OBSERVES_S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey,
    AWS_REGION: 'us-east-1',
    OBSERVES_LOG_LEVEL: 'info',
  });
  const observe = async (...args: string[]): Promise<ProcessResult> => {
    const run = await runNode([observes, ...args], { env: env(), cwd: dir });
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  const savedState = async () => {
    const run = await observe('state', 'show', pipelineFile, '--url', STATE_URL);
    expect(run.code, run.stderr).to.equal(0);
    return parseJsonLossless(run.stdout) as { bookmarks: Record<string, unknown> } & Record<string, PreparedExports | undefined>;
  };

  before(async () => {
    [fake, s3, db] = await Promise.all([
      startFakeZoho({ records: { Leads: 120 }, perPage: 50 }),
      startS3Server({ buckets: ['observes.state'] }),
      createTestDatabase(),
    ]);
    await applyRedshiftShim(db);
    dir = mkdtempSync(join(tmpdir(), 'zoho-pipeline-'));
  });
  after(async () => {
    await Promise.all([fake?.close(), s3?.stop(), db?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--step prepare saves the prepared jobs in the state store and loads nothing', async () => {
    const run = await observe('run', pipelineFile, '--step', 'prepare');
    expect(run.code, run.stderr.slice(-3000)).to.equal(0);
    const state = await savedState();
    const modules = state[STATE_KEY]!.modules;
    expect(Object.keys(modules)).to.deep.equal([...BULK_MODULES]);
    // The default max_concurrent_jobs: ten jobs now, the other six when the load has slots.
    expect(Object.values(modules).filter((m) => m.job).length).to.equal(10);
    expect(fake.jobs.size).to.equal(10);
    // No module's table yet (a target may keep its own bookkeeping tables there).
    const tables = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'zoho_crm'`);
    expect(tables.map((t) => t.table_name).filter((name) => !name.startsWith('_'))).to.deep.equal([]);
  });

  it('--step load, run later, loads every module and the users exactly, then clears the jobs it loaded', async () => {
    const run = await observe('run', pipelineFile, '--step', 'load');
    expect(run.code, run.stderr.slice(-3000)).to.equal(0);
    expect(
      fake.jobsOf('Leads').map((j) => j.page),
      'Leads in three pages',
    ).to.deep.equal([1, 2, 3]);
    expect(fake.jobs.size, 'one job per page, the prepared ones reused').to.equal(BULK_MODULES.length + 2);
    for (const module of BULK_MODULES) await expectModuleRows(db, 'zoho_crm', module, fake.records.get(module)!);
    const users = await db.query<{ id: string; last_name: string | null }>('SELECT id, last_name FROM zoho_crm.users ORDER BY id');
    expect(users).to.deep.equal(fake.users.map((u) => ({ id: u.id, last_name: u.last_name })).sort((a, b) => String(a.id).localeCompare(String(b.id))));
    const state = await savedState();
    expect(state[STATE_KEY], 'nothing left to load').to.equal(undefined);
    expect(Object.keys(state.bookmarks).sort()).to.deep.equal([...BULK_MODULES, 'users'].sort());

    const all = outputs.join('\n');
    for (const secret of fake.secrets()) expect(all.includes(secret), 'a credential or access token in the runner output').to.equal(false);
  });
});
