import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { buildCatalog } from '@observes/catalogs';
import { isExactNumber, type JsonRecord, type JsonSchema } from '@observes/protocol';
import { STATE_KEY, type PreparedExports } from './prepared-state.js';
import { expectedRecords } from './testing/fake-zoho-data.js';
import type { FakeZoho } from './testing/fake-zoho.js';
import { fastConfig, runPhase, startFakeZoho, tapBin, type PhaseRun } from './testing/run-zoho.js';

const HOUR = 3_600_000;
const prepared = (state: unknown) => (state as Record<string, PreparedExports | undefined>)[STATE_KEY];
/** Records with exact numbers as their text (the fake keeps big integers as text), sorted by id. */
const plain = (records: JsonRecord[] | undefined) =>
  (records ?? [])
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, isExactNumber(v) ? v.value : v])))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
const expected = (fake: FakeZoho, module: string) => JSON.parse(JSON.stringify(expectedRecords(module, fake.records.get(module)!)));
const activated = (run: PhaseRun, stream: string) => run.messages.filter((m) => m.type === 'ACTIVATE_VERSION' && m.stream === stream).length;

describe('tap-zoho-crm phases against the fake Zoho', () => {
  let fake: FakeZoho | undefined;
  afterEach(() => fake?.close());

  it('prepare keeps the jobs, modules, fields and times in the state; a load started before the jobs finish waits for them', async () => {
    // Each job answers ADDED, QUEUED, IN PROGRESS to its first three status checks; the load starts at once.
    fake = await startFakeZoho({ statusChecksToComplete: 4, records: { Leads: 7, Deals: 4 } });
    const config = fastConfig(fake, { modules: ['Leads', 'Deals', 'users'] });
    const prepare = await runPhase('prepare', config, { bookmarks: { Leads: { version: 1 } } });
    expect(prepare.error).to.equal(undefined);
    expect(prepare.messages.map((m) => m.type)).to.deep.equal(['STATE']);
    const state = prepare.state as { bookmarks: unknown };
    expect(state.bookmarks, 'the rest of the state is kept').to.deep.equal({ Leads: { version: 1 } });
    const jobs = prepared(state)!;
    expect(Object.keys(jobs.modules)).to.deep.equal(['Leads', 'Deals']);
    expect(jobs.modules.Leads.job).to.include({ id: fake.jobsOf('Leads')[0].id, page: 1 });
    expect(Date.parse(jobs.modules.Leads.job!.created_time)).to.be.closeTo(Date.now(), 60_000);
    expect(jobs.modules.Leads.fields.map((f) => f.api_name))
      .to.include.members(['Last_Name', 'Hobbies', 'Big_Reference'])
      .and.not.include('Resume');
    expect(prepare.logs).to.match(/fields a bulk read cannot export are not extracted.*Resume \(fileupload\)/);

    const load = await runPhase('load', config, prepare.state);
    expect(load.error).to.equal(undefined);
    expect(load.logs).to.contain('waiting for bulk read exports');
    for (const job of fake.jobs.values()) expect(job.served, `states of job ${job.id}`).to.deep.equal(['ADDED', 'QUEUED', 'IN PROGRESS', 'COMPLETED']);
    expect(
      fake.apiRequests.filter((r) => r.path.endsWith('/result')).every((r) => r.status === 200),
      'no download before a job completed',
    ).to.equal(true);
    // No new job: the load used the prepared ones.
    expect(fake.jobs.size).to.equal(2);
    expect(plain(load.records.get('Leads'))).to.deep.equal(expected(fake, 'Leads'));
    expect(plain(load.records.get('Deals'))).to.deep.equal(expected(fake, 'Deals'));
    expect(load.records.get('users')!.map((u) => u.id)).to.deep.equal(fake.users.map((u) => u.id));
    expect(prepared(load.state), 'the loaded jobs are cleared').to.equal(undefined);
  });

  it('follows more_records over three pages by next_page_token, and a rerun of the load alone gives the same records', async () => {
    fake = await startFakeZoho({ records: { Leads: 23 }, perPage: 10 });
    const config = fastConfig(fake, { modules: ['Leads'] });
    const prepare = await runPhase('prepare', config);
    const load = await runPhase('load', config, prepare.state);
    expect(load.error).to.equal(undefined);
    expect(fake.jobsOf('Leads').map((j) => [j.page, j.rows.length])).to.deep.equal([
      [1, 10],
      [2, 10],
      [3, 3],
    ]);
    const pageTwo = fake.apiRequests.find((r) => r.method === 'POST' && r.body.includes('page_token'));
    expect(pageTwo, 'page 2 asked by token').to.not.equal(undefined);
    expect(plain(load.records.get('Leads'))).to.deep.equal(expected(fake, 'Leads'));

    // The same prepared state again (a load whose state was not saved): the same jobs, the same records, one version.
    const again = await runPhase('load', config, prepare.state);
    expect(again.error).to.equal(undefined);
    expect(fake.jobsOf('Leads').map((j) => j.page)).to.deep.equal([1, 2, 3, 2, 3], 'page 1 is reused, pages 2 and 3 exported again from its token');
    expect(plain(again.records.get('Leads'))).to.deep.equal(plain(load.records.get('Leads')));
    expect(activated(again, 'Leads')).to.equal(2);
  });

  it('reports a failed job and loads the other modules; the next load exports the failed one again', async () => {
    fake = await startFakeZoho({ failModules: ['Deals'] });
    const config = fastConfig(fake, { modules: ['Leads', 'Deals', 'Contacts'] });
    const prepare = await runPhase('prepare', config);
    const load = await runPhase('load', config, prepare.state);
    const outcome = load.outcome as { failed: { module: string; problem: string }[]; loaded: string[] };
    expect(outcome.loaded).to.deep.equal(['Leads', 'Contacts']);
    expect(outcome.failed.map((f) => f.module)).to.deep.equal(['Deals']);
    expect(outcome.failed[0].problem).to.contain(`bulk read job ${fake.jobsOf('Deals')[0].id} (page 1) FAILURE: INTERNAL_SERVER_ERROR`);
    expect(load.logs).to.match(/"level":"error".*module export failed.*Deals/);
    expect(load.records.get('Leads')).to.have.length(3);
    expect(load.records.get('Contacts')).to.have.length(3);
    expect(load.records.has('Deals')).to.equal(false);
    expect(activated(load, 'Deals'), 'no ACTIVATE_VERSION: the Deals table keeps its last load').to.equal(0);
    expect(prepared(load.state), 'nothing left to load: the failed job is dropped').to.equal(undefined);
    expect(Object.keys((load.state as { bookmarks: object }).bookmarks)).to.deep.equal(['Leads', 'Contacts']);

    fake.failModules.clear();
    const next = await runPhase('load', config, load.state);
    expect((next.outcome as { failed: unknown[] }).failed).to.deep.equal([]);
    expect(next.records.get('Deals')).to.have.length(3);
  });

  it('recreates a job older than the result expiry instead of failing, and re-exports a result the server dropped early', async () => {
    fake = await startFakeZoho();
    const config = fastConfig(fake, { modules: ['Leads', 'Deals'] });
    const prepare = await runPhase('prepare', config);
    const [oldLeads, oldDeals] = [fake.jobsOf('Leads')[0], fake.jobsOf('Deals')[0]];
    // The load runs 25 hours after the prepare for Leads: the state's creation time says so too.
    fake.ageJobs(25 * HOUR, 'Leads');
    const state = structuredClone(prepare.state) as Record<string, PreparedExports>;
    const leadsJob = state[STATE_KEY].modules.Leads.job!;
    leadsJob.created_time = new Date(Date.parse(leadsJob.created_time) - 25 * HOUR).toISOString();
    // Deals' result is gone although its job is recent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    fake.dropResults('Deals');

    const load = await runPhase('load', config, state);
    expect(load.error).to.equal(undefined);
    expect((load.outcome as { failed: unknown[] }).failed).to.deep.equal([]);
    expect(load.logs).to.match(/recreating the export.*Leads.*expires 24 h after/);
    expect(load.logs).to.match(/a result is gone before its expiry.*Deals/);
    const downloads = fake.apiRequests.filter((r) => r.path.endsWith('/result'));
    expect(
      downloads.some((r) => r.path.includes(oldLeads.id)),
      'the expired result is not even tried',
    ).to.equal(false);
    expect(downloads.filter((r) => r.path.includes(oldDeals.id)).map((r) => r.status)).to.deep.equal([404]);
    expect(fake.jobsOf('Leads')).to.have.length(2);
    expect(fake.jobsOf('Deals')).to.have.length(2);
    expect(plain(load.records.get('Leads'))).to.deep.equal(expected(fake, 'Leads'));
    expect(plain(load.records.get('Deals'))).to.deep.equal(expected(fake, 'Deals'));
  });

  it('keeps within the concurrent-job limit, waits out 429s and refreshes an access token the API calls invalid', async () => {
    // Zoho refuses a second running job; tokens die after 250 ms although expires_in says an hour.
    fake = await startFakeZoho({ maxRunningJobs: 1, retryAfterSeconds: 0.05, tokenLifetimeMs: 250, jobStepMs: 40 });
    const config = fastConfig(fake, { modules: ['Leads', 'Deals', 'Contacts', 'Accounts'], max_concurrent_jobs: 2 });
    const prepare = await runPhase('prepare', config);
    expect(prepare.error).to.equal(undefined);
    const { started, deferred } = prepare.outcome as { started: string[]; deferred: string[] };
    expect(started.length, 'at most max_concurrent_jobs').to.be.at.most(2);
    expect([...started, ...deferred].sort()).to.deep.equal(['Accounts', 'Contacts', 'Deals', 'Leads']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const load = await runPhase('load', config, prepare.state);
    expect(load.error).to.equal(undefined);
    expect((load.outcome as { failed: unknown[] }).failed).to.deep.equal([]);
    for (const module of ['Leads', 'Deals', 'Contacts', 'Accounts']) expect(load.records.get(module), module).to.have.length(3);
    expect(fake.maxRunningSeen).to.equal(1);
    expect(
      fake.apiRequests.some((r) => r.status === 429),
      'Zoho refused a job',
    ).to.equal(true);
    expect(
      fake.apiRequests.some((r) => r.status === 401),
      'a token died mid-run',
    ).to.equal(true);
    expect(load.logs).to.contain('refused the access token (INVALID_TOKEN): refreshing it');
  });

  it('writes the streams and fields a catalog selects, whatever the prepare exported', async () => {
    fake = await startFakeZoho();
    const config = fastConfig(fake, { modules: ['Leads', 'Deals', 'users'] });
    const prepare = await runPhase('prepare', config);
    const discovered = await runPhase('load', config);
    const schema = (discovered.messages.find((m) => m.type === 'SCHEMA' && m.stream === 'Leads') as { schema: JsonSchema }).schema;
    const catalog = buildCatalog([
      { name: 'Leads', schema, keyProperties: ['id'] },
      { name: 'Deals', schema: {}, keyProperties: ['id'] },
    ]);
    const leadsMeta = catalog.streams[0].metadata!;
    leadsMeta.find((m) => m.breadcrumb.length === 0)!.metadata.selected = true;
    leadsMeta.find((m) => m.breadcrumb[1] === 'Description')!.metadata.selected = false;
    catalog.streams[1].metadata!.find((m) => m.breadcrumb.length === 0)!.metadata.selected = false;

    const load = await runPhase('load', config, prepare.state, catalog);
    expect(load.error).to.equal(undefined);
    expect([...load.records.keys()]).to.deep.equal(['Leads']);
    const written = load.messages.find((m) => m.type === 'SCHEMA') as { schema: { properties: object } };
    expect(written.schema.properties).to.not.have.property('Description');
    expect(load.records.get('Leads')!.every((r) => !('Description' in r) && 'Last_Name' in r)).to.equal(true);
  });

  it('a load killed after its first module leaves a STATE that lists only the exports still to load', async () => {
    fake = await startFakeZoho({ records: { Leads: 40 } });
    const config = fastConfig(fake, { modules: ['Leads', 'Deals', 'Contacts'] });
    const prepare = await runPhase('prepare', config);
    const dir = mkdtempSync(join(tmpdir(), 'zoho-kill-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'state.json'), JSON.stringify(prepare.state));
    const tap = spawn(process.execPath, [tapBin, '--config', join(dir, 'config.json'), '--state', join(dir, 'state.json')], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let last: unknown;
    for await (const line of createInterface({ input: tap.stdout })) {
      const message = JSON.parse(line) as { type: string; value?: unknown };
      if (message.type !== 'STATE') continue;
      // The first STATE comes after Leads' ACTIVATE_VERSION: kill the load right there.
      last = message.value;
      tap.kill('SIGKILL');
      break;
    }
    rmSync(dir, { recursive: true, force: true });
    expect(Object.keys((last as { bookmarks: object }).bookmarks)).to.deep.equal(['Leads']);
    expect(Object.keys(prepared(last)!.modules)).to.deep.equal(['Deals', 'Contacts']);
    expect(prepared(last)!.modules.Deals.job!.id).to.equal(fake.jobsOf('Deals')[0].id);

    // Resumed from that state: Deals and Contacts from their prepared jobs; Leads, no longer listed, exported afresh.
    const resumed = await runPhase('load', config, last);
    expect(resumed.error).to.equal(undefined);
    for (const module of ['Leads', 'Deals', 'Contacts']) expect(plain(resumed.records.get(module)), module).to.deep.equal(expected(fake, module));
    expect([fake.jobsOf('Deals').length, fake.jobsOf('Contacts').length, fake.jobsOf('Leads').length]).to.deep.equal([1, 1, 2]);
  });

  it('stops creating jobs at the credit budget and leaves the rest for the load', async () => {
    fake = await startFakeZoho();
    // 3 fields calls and 2 jobs: 103 credits; a third job would take the run past 120.
    const prepare = await runPhase('prepare', fastConfig(fake, { modules: ['Leads', 'Deals', 'Contacts'], max_api_credits: 120 }));
    expect(prepare.error).to.equal(undefined);
    const jobs = prepared(prepare.state)!.modules;
    expect([jobs.Leads.job !== undefined, jobs.Deals.job !== undefined, jobs.Contacts.job]).to.deep.equal([true, true, undefined]);
    expect(prepare.logs).to.match(/bulk read job not created now.*Contacts.*max_api_credits/);
    expect(fake.credits).to.equal(103);
  });

  it('fails at once, naming the refusal and no secret, when the accounts server refuses the credentials', async () => {
    fake = await startFakeZoho();
    const run = await runPhase('prepare', fastConfig(fake, { client_secret: 'a-wrong-client-secret-value' }));
    expect(run.error?.message).to.match(/refused the refresh token grant: invalid_client/);
    expect(run.messages).to.deep.equal([]);
    for (const secret of [...fake.secrets(), 'a-wrong-client-secret-value']) expect(run.error!.message + run.logs).to.not.contain(secret);
  });
});
