import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { tapSuite } from '@observes/testkit';
import { FakeChecklyApi } from './testing/fake-checkly-api.js';
import { checkId, checklyCheckResult, seedCheckly } from './testing/fake-checkly-data.js';
import { checklyConfig, NOW, runCheckly } from './testing/run-tap-checkly.js';

// 12 checks' results every 20 minutes over the 12 hours before NOW: 36 per check, two 6-hour windows.
const SEED = { checks: 12, resultsPerCheck: 36, minutesApart: 20, lastResultAt: '2024-06-01T11:40:00.000Z' };
const SECRETS = [
  'locked-check-token',
  'secret-check-password',
  'locked-group-value',
  'group-header',
  'slack-secret',
  'opsgenie-secret-key',
  'webhook-secret-header',
  'locked-account-token',
  'secret-account-password',
];

let suiteApi: FakeChecklyApi;
tapSuite({
  name: 'tap-checkly',
  bin: fileURLToPath(new URL('../bin/tap-checkly.js', import.meta.url)),
  async setup() {
    suiteApi = await FakeChecklyApi.start();
    seedCheckly(suiteApi, SEED);
  },
  teardown: () => suiteApi.close(),
  config: () => checklyConfig(suiteApi),
  env: () => ({ OBSERVES_FROZEN_TIME: NOW }),
});

describe('tap-checkly against the fake Checkly API', () => {
  let api: FakeChecklyApi;
  before(async () => {
    api = await FakeChecklyApi.start();
    seedCheckly(api, SEED);
  });
  after(() => api.close());

  it('extracts every stream, valid against the schemas, and never a locked or secret value', async () => {
    const run = await runCheckly(api);
    expect(run.code, run.stderr).to.equal(0);
    const counts = Object.fromEntries([...run.records].map(([stream, records]) => [stream, records.length]));
    expect(counts).to.deep.equal({
      checks: 12,
      check_groups: 2,
      check_statuses: 12,
      check_results: 12 * 36,
      alert_channels: 4,
      dashboards: 12,
      maintenance_windows: 2,
      environment_variables: 3,
      snippets: 2,
      // No report: start_date is today, and only complete days are reported.
    });
    for (const secret of SECRETS) expect(run.stdout, secret).to.not.contain(secret);
    const variables = run.records.get('environment_variables')!;
    expect(variables.map((v) => [v.key, v.value])).to.deep.equal([
      ['BASE_URL', 'https://api.example.com'],
      ['LOCKED_TOKEN', null],
      ['SECRET_PASSWORD', null],
    ]);
    const slack = run.records.get('alert_channels')!.find((c) => c.type === 'SLACK')!;
    expect(slack.config).to.deep.include({ url: 'https://hooks.slack.com', channel: '#alerts' });
  });

  it('reads check results from v2 in windows, walking the nextId cursor, per check, bookmarked on startedAt', async () => {
    const earlier = api.server.requests.length;
    const run = await runCheckly(api, { page_size: 10, results_window_hours: 6 });
    const requests = api.server.requests.slice(earlier).filter((r) => r.path.startsWith('/v2/check-results/'));
    const windows = requests.map((r) => Number(r.query.to) - Number(r.query.from));
    expect(Math.max(...windows)).to.equal(6 * 3600);
    expect(requests.every((r) => r.query.resultType === 'FINAL' && r.query.limit === '10')).to.equal(true);
    // 18 results a check in each of the two 6-hour windows: 2 pages each, the second one asked for by nextId.
    const ofCheck1 = requests.filter((r) => r.path.endsWith('000000000001'));
    expect(ofCheck1.map((r) => r.query.nextId === undefined)).to.deep.equal([true, false, true, false]);
    expect(run.records.get('check_results')).to.have.length(12 * 36);
    const bookmarks = (run.state as { bookmarks: Record<string, { partitions: Record<string, { replication_key_value: string }> }> }).bookmarks;
    expect(Object.keys(bookmarks.check_results.partitions)).to.have.length(12);
    expect(bookmarks.check_results.partitions['check_id=00000000-0000-4000-8000-000000000001'].replication_key_value).to.equal(SEED.lastResultAt);
  });

  it('reads the results of a deactivated check only up to its deactivation', async () => {
    const checks = api.items('checks');
    const original = checks[0];
    checks[0] = { ...original, activated: false, updated_at: '2024-06-01T04:00:00.000Z' };
    try {
      const earlier = api.server.requests.length;
      const run = await runCheckly(api, { page_size: 100 });
      const ends = api.server.requests
        .slice(earlier)
        .filter((r) => r.path.endsWith(String(original.id)))
        .map((r) => Number(r.query.to));
      expect(Math.max(...ends)).to.equal(Date.parse('2024-06-01T05:00:00.000Z') / 1000);
      const results = run.records.get('check_results')!.filter((r) => r.checkId === original.id);
      // 00:00 to 04:40 every 20 minutes: the 15 results started before 05:00.
      expect(results).to.have.length(15);
    } finally {
      checks[0] = original;
    }
  });

  it('reports one row per check and complete UTC day with runs, from daily buckets', async () => {
    // Check 1 ran on May 30 and 31, check 2 on May 31 only; nothing ran on May 29.
    for (const at of ['2024-05-30T08:00:00.000Z', '2024-05-31T08:00:00.000Z', '2024-05-31T09:00:00.000Z'])
      api.addResult(checklyCheckResult(1, Date.parse(at), at));
    api.addResult(checklyCheckResult(2, 1, '2024-05-31T10:00:00.000Z', true));
    const earlier = api.server.requests.length;
    const run = await runCheckly(api, { start_date: '2024-05-29T00:00:00.000Z' });
    const reports = run.records.get('reports')!.map((r) => [r.day, r.checkId, (r.aggregate as any).successRatio]);
    expect(reports).to.deep.equal([
      ['2024-05-30', checkId(1), 100],
      ['2024-05-31', checkId(1), 100],
      ['2024-05-31', checkId(2), 0],
    ]);
    const asked = api.server.requests.slice(earlier).filter((r) => r.path === '/v1/reporting');
    expect(asked.map((r) => [r.query.granularity, r.query.deactivated, r.query.from, r.query.to])).to.deep.equal([
      ['day', 'false', String(Date.parse('2024-05-29T00:00:00Z') / 1000), String(Date.parse('2024-06-01T00:00:00Z') / 1000)],
      ['day', 'true', String(Date.parse('2024-05-29T00:00:00Z') / 1000), String(Date.parse('2024-06-01T00:00:00Z') / 1000)],
    ]);
    expect((run.state as any).bookmarks.reports.replication_key_value).to.equal('2024-05-31');
  });

  it('refuses a wrong API key with the status, without echoing the key', async () => {
    const run = await runCheckly(api, { api_key: 'cu_wrong_key_123' });
    expect(run.code, 'a refused key is not worth a retry').to.equal(2);
    expect(run.stderr).to.contain('401');
    expect(run.stderr).to.not.contain('cu_wrong_key_123');
  });
});
