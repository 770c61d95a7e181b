import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonRecord } from '@observes/protocol';
import { failRequests, rateLimit, tapSuite, type FakeBehaviour } from '@observes/testkit';
import { FakeTimedoctorApi, type FakeTimedoctorOptions } from './testing/fake-timedoctor-api.js';
import { seedTimedoctor } from './testing/fake-timedoctor-data.js';
import { fakeConfig, runTimedoctor } from './testing/run-tap-timedoctor.js';

const NOW = '2026-07-15T12:00:00.000Z';
const frozen = { OBSERVES_FROZEN_TIME: NOW };
// 4 users, 2026-06-20 .. 2026-07-10: 20 days × 4 users × 2 sessions, one screenshot per user and day.
const SEED = { from: '2026-06-20', to: '2026-07-10' };
const RANGE = { start_date: '2026-06-20', end_date: '2026-07-10' };
const WORKLOGS = 20 * 4 * 2;

const keyOf = (w: JsonRecord) => `${w.userId}|${w.start}`;
const keys = (records: JsonRecord[] | undefined) => (records ?? []).map(keyOf).sort();
const worklogRequests = (api: FakeTimedoctorApi) => api.server.requests.filter((r) => r.path.endsWith('/activity/worklog'));

async function fake(options: FakeTimedoctorOptions = {}): Promise<FakeTimedoctorApi> {
  const api = await FakeTimedoctorApi.start({ now: () => new Date(NOW), historyMonths: 12, ...options });
  seedTimedoctor(api, SEED);
  return api;
}

/** Runs `body` with a fake of its own, closed afterwards. */
async function withFake(options: FakeTimedoctorOptions, body: (api: FakeTimedoctorApi) => Promise<void>): Promise<void> {
  const api = await fake(options);
  try {
    await body(api);
  } finally {
    await api.close();
  }
}

let suiteApi: FakeTimedoctorApi;
tapSuite({
  name: 'tap-timedoctor',
  bin: fileURLToPath(new URL('../bin/tap-timedoctor.js', import.meta.url)),
  async setup() {
    suiteApi = await fake();
  },
  teardown: () => suiteApi.close(),
  config: () => fakeConfig(suiteApi, RANGE),
  env: () => frozen,
});

describe('tap-timedoctor against the fake Time Doctor API', () => {
  let api: FakeTimedoctorApi;
  let clean: Awaited<ReturnType<typeof runTimedoctor>>;
  before(async () => {
    api = await fake();
    clean = await runTimedoctor(api, RANGE, undefined, { env: frozen });
  });
  after(() => api.close());

  it('extracts every stream of the company, each worklog once, with end, company_id, and no signed URL', () => {
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.records.get('users')!.map((u) => u.id)).to.deep.equal(['u01', 'u02', 'u03', 'u04']);
    expect(clean.records.get('projects')).to.have.length(3);
    expect(clean.records.get('tasks')).to.have.length(6);
    const worklogs = clean.records.get('worklogs')!;
    expect(new Set(keys(worklogs)).size).to.equal(WORKLOGS);
    expect(keys(worklogs)).to.deep.equal(keys(api.items('worklogs', 'c-acme')));
    expect(worklogs.every((w) => w.company_id === 'c-acme' && Date.parse(String(w.end)) === Date.parse(String(w.start)) + Number(w.time) * 1000)).to.equal(
      true,
    );
    const shots = clean.records.get('computer_activity')!;
    expect(shots).to.have.length(20 * 4);
    expect(JSON.stringify(shots)).to.not.contain('X-Goog-Signature');
    expect(shots[0]).to.include({ type: 'screenshot', company_id: 'c-acme' }).and.to.have.property('keys');
    expect(clean.stdout + clean.stderr).to.not.contain(api.password);
    for (const token of api.tokens.keys()) expect(clean.stdout + clean.stderr).to.not.contain(token);
  });

  it('asks by windows of at most window_days that never cross a month, for batches of user_batch_size users, with the token as JWT', () => {
    const requests = worklogRequests(api);
    const windows = [...new Set(requests.map((r) => `${r.query.from}..${r.query.to}`))];
    expect(windows).to.deep.equal([
      '2026-06-20T00:00:00Z..2026-06-22T00:00:00Z',
      '2026-06-22T00:00:00Z..2026-06-29T00:00:00Z',
      '2026-06-29T00:00:00Z..2026-07-01T00:00:00Z',
      '2026-07-01T00:00:00Z..2026-07-08T00:00:00Z',
      '2026-07-08T00:00:00Z..2026-07-10T00:00:00Z',
    ]);
    expect(
      requests.every((r) => r.query.user === 'u01,u02,u03,u04' && r.query.company === 'c-acme' && /^JWT td-/.test(String(r.headers.authorization))),
    ).to.equal(true);
    expect(api.server.requests.filter((r) => r.path.endsWith('/login'))).to.have.length(1);
  });

  it('pages until an empty page, so a limit the server caps below page_size loses nothing', async () => {
    await withFake({ maxLimit: 7 }, async (capped) => {
      const run = await runTimedoctor(capped, { ...RANGE, page_size: 10, user_batch_size: 3 }, undefined, { env: frozen });
      expect(run.code, run.stderr).to.equal(0);
      expect(keys(run.records.get('worklogs'))).to.deep.equal(keys(clean.records.get('worklogs')));
      expect(run.records.get('computer_activity')).to.have.length(80);
      expect(new Set(worklogRequests(capped).map((r) => r.query.user))).to.deep.equal(new Set(['u01,u02,u03', 'u04']));
    });
  });

  it('incremental runs bookmark per company and leave no gap at month or page boundaries', async () => {
    const config = { start_date: '2026-06-20', page_size: 5 };
    const first = await runTimedoctor(api, { ...config, end_date: '2026-06-30T23:32:00Z' }, undefined, { env: frozen });
    expect(first.code, first.stderr).to.equal(0);
    const bookmarks = (first.state as { bookmarks: Record<string, { partitions: Record<string, { replication_key_value: string }> }> }).bookmarks;
    expect(bookmarks.worklogs.partitions['company_id=c-acme'].replication_key_value).to.equal('2026-06-30T23:32:00.000Z');
    const second = await runTimedoctor(api, { ...config, end_date: '2026-07-10' }, first.state, { env: frozen });
    expect(second.code, second.stderr).to.equal(0);
    // The second run re-reads lookback_days (3) before the bookmark, never earlier.
    expect(keys(second.records.get('worklogs')).every((k) => k.split('|')[1] >= '2026-06-27T23:32')).to.equal(true);
    const union = [...new Set([...keys(first.records.get('worklogs')), ...keys(second.records.get('worklogs'))])].sort();
    expect(union).to.deep.equal(keys(clean.records.get('worklogs')));
    // The sessions at 23:30..23:33 of June 30 straddle the first run's end: each is in exactly one window per run.
    expect(keys(first.records.get('worklogs')).filter((k) => k.includes('2026-06-30T23:3'))).to.deep.equal([
      'u01|2026-06-30T23:30:00.000Z',
      'u02|2026-06-30T23:31:00.000Z',
    ]);
  });

  it('logs in again when the token expires mid-run, and never sends or prints the password but to /login', async () => {
    let worklogsSeen = 0;
    let server: FakeTimedoctorApi | undefined;
    const expireOnce: FakeBehaviour = async (request, next) => {
      if (request.path.endsWith('/activity/worklog') && ++worklogsSeen === 3) server!.expireTokens();
      return next();
    };
    await withFake({ behaviours: [expireOnce] }, async (expiring) => {
      server = expiring;
      const run = await runTimedoctor(expiring, RANGE, undefined, { env: frozen });
      expect(run.code, run.stderr).to.equal(0);
      expect(keys(run.records.get('worklogs'))).to.deep.equal(keys(clean.records.get('worklogs')));
      expect(expiring.server.requests.filter((r) => r.path.endsWith('/login'))).to.have.length(2);
      expect(expiring.server.requests.filter((r) => r.status === 401)).to.have.length(1);
      expect(run.stderr).to.contain('logging in again');
      expect(expiring.server.requests.filter((r) => r.body.includes(expiring.password)).map((r) => r.path)).to.deep.equal(['/api/1.0/login', '/api/1.0/login']);
    });
  });

  it('fails clearly, without the token, when a configured token is refused and there is no password to log in again', async () => {
    const run = await runTimedoctor(api, { ...RANGE, email: undefined, password: undefined, token: 'td-revoked-token-0001' }, undefined, { env: frozen });
    expect(run.code, 'a refused token is not worth a retry').to.equal(2);
    expect(run.stderr).to.contain('401').and.to.contain('valid six months').and.to.contain('configure email and password');
    expect(run.stdout + run.stderr).to.not.contain('td-revoked-token-0001');
  });

  it('month and backups together are refused before any output', async () => {
    const run = await runTimedoctor(api, { month: '2026-06', backups: 's3://observes.etl-data/backup_timedoctor' }, undefined, { env: frozen });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.contain('month and backups exclude each other');
  });

  it('a month older than the API window is refused before any output: its backup would be replaced by what the API still has', async () => {
    const run = await runTimedoctor(api, { month: '2026-04' }, undefined, { env: frozen });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.contain('month 2026-04 is older than the 3 months');
    const asserted = await runTimedoctor(api, { month: '2026-04', api_history_months: 4 }, undefined, { env: frozen });
    expect(asserted.code, asserted.stderr).to.equal(0);
  });

  it('a wrong password fails at the login with the status, not the password', async () => {
    const run = await runTimedoctor(api, { ...RANGE, password: 'wrong-password-42' }, undefined, { env: frozen });
    expect(run.code, 'a refused login is not worth a retry').to.equal(2);
    expect(run.stderr).to.contain('/login').and.to.contain('401');
    expect(run.stdout + run.stderr).to.not.contain('wrong-password-42');
  });

  it('429s and 5xx mid-pagination: the same records as a clean run, waiting what Retry-After says', async () => {
    await withFake(
      {
        behaviours: [
          rateLimit({ nth: [2, 9], path: /worklog/, retryAfterSeconds: 7 }),
          failRequests({ nth: [4, 5], path: /files/, status: 503 }),
          failRequests({ nth: [2], path: /users/, status: 502 }),
        ],
      },
      async (faulty) => {
        const run = await runTimedoctor(faulty, { ...RANGE, page_size: 9 }, undefined, { env: frozen });
        expect(run.code, run.stderr).to.equal(0);
        expect(keys(run.records.get('worklogs'))).to.deep.equal(keys(clean.records.get('worklogs')));
        expect(run.records.get('computer_activity')).to.have.length(80);
        expect(run.sleeps.filter((ms) => ms === 7000)).to.have.length(2);
        expect(
          faulty.server.requests
            .filter((r) => r.status >= 429)
            .map((r) => r.status)
            .sort(),
        ).to.deep.equal([429, 429, 502, 503, 503]);
      },
    );
  });

  it('an answer cut short is asked again for fewer users at a time, down to one', async () => {
    await withFake({ truncateAboveBytes: 6000 }, async (cut) => {
      const run = await runTimedoctor(cut, { ...RANGE, page_size: 1000 }, undefined, { env: frozen });
      expect(run.code, run.stderr).to.equal(0);
      expect(keys(run.records.get('worklogs'))).to.deep.equal(keys(clean.records.get('worklogs')));
      expect(run.stderr).to.contain('answer cut short');
      expect(
        cut.server.requests.some((r) => /^u\d+$/.test(r.query.user ?? '')),
        'down to one user',
      ).to.equal(true);
    });
  });

  it('a page that only repeats earlier ones fails the run instead of looping', async () => {
    const ignoresPage: FakeBehaviour = async (request, next) => {
      request.query.page = '0';
      return next();
    };
    await withFake({ behaviours: [ignoresPage] }, async (broken) => {
      const run = await runTimedoctor(broken, { ...RANGE, page_size: 2 }, undefined, { env: frozen });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain('only repeats items of earlier pages');
    });
  });

  it('a window the API refuses as too old names it and says the backups hold it', async () => {
    await withFake({ historyMonths: 1, historyAnswer: 'error' }, async (forgetful) => {
      const run = await runTimedoctor(forgetful, { ...RANGE, api_history_months: 1 }, undefined, { env: frozen });
      expect(run.code).to.equal(1);
      expect(run.stderr)
        .to.contain('worklogs 2026-06-20T00:00:00Z..2026-06-22T00:00:00Z')
        .and.to.contain('400')
        .and.to.contain('only come from the monthly backups');
    });
  });

  it('a window longer than the API allows is refused with the range in the message', async () => {
    await withFake({ maxRangeDays: 7 }, async (strict) => {
      const run = await runTimedoctor(strict, { ...RANGE, window_days: 14 }, undefined, { env: frozen });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain('cannot exceed 7 days').and.to.not.contain('backups');
    });
  });

  it('without company_id: every company the account owns or administers, bookmarked each on its own', async () => {
    await withFake({}, async (several) => {
      several.addCompany('c-beta', 'Beta', 'admin');
      several.items('users', 'c-beta').push({ id: 'b01', name: 'Beta user' });
      several.items('worklogs', 'c-beta').push({ userId: 'b01', start: '2026-07-02T08:00:00.000Z', time: 600, mode: 'computer' });
      several.addCompany('c-other', 'Other', 'user');
      const run = await runTimedoctor(several, RANGE, undefined, { env: frozen });
      expect(run.code, run.stderr).to.equal(0);
      expect([...new Set(run.records.get('worklogs')!.map((w) => w.company_id))]).to.deep.equal(['c-acme', 'c-beta']);
      const partitions = (run.state as { bookmarks: Record<string, { partitions: Record<string, unknown> }> }).bookmarks.worklogs.partitions;
      expect(Object.keys(partitions)).to.deep.equal(['company_id=c-acme', 'company_id=c-beta']);
      expect(several.server.requests.some((r) => r.query.company === 'c-other')).to.equal(false);
    });
  });

  it('records and replays offline with the password and the token scrubbed from the recordings', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tap-timedoctor-rec-'));
    const recorded = await runTimedoctor(api, RANGE, undefined, { args: ['--record', dir], env: frozen });
    expect(recorded.code, recorded.stderr).to.equal(0);
    const files = readdirSync(dir);
    expect(files.length).to.be.greaterThan(10);
    const text = files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(text).to.contain('/login').and.to.not.contain(api.password);
    for (const token of api.tokens.keys()) expect(text).to.not.contain(token);
    // Offline: the fake is not asked anything.
    const before = api.server.requests.length;
    const replayed = await runTimedoctor(api, RANGE, undefined, { args: ['--replay', dir], env: frozen });
    expect(replayed.code, replayed.stderr).to.equal(0);
    expect(api.server.requests.length).to.equal(before);
    expect(replayed.stdout).to.equal(recorded.stdout);
  });
});
