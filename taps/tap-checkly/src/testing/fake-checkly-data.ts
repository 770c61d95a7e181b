import type { JsonRecord } from '@observes/protocol';
import type { FakeChecklyApi } from './fake-checkly-api.js';

/** Shapes of Checkly public API items, as its reference shows them, for seeding {@link FakeChecklyApi}. */

/** The id of check number `n` (Checkly check ids are UUIDs). */
export function checkId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** An API check; its environment has one plain, one locked and one secret variable. */
export function checklyCheck(n: number, updatedAt = '2024-05-01T00:00:00.000Z'): JsonRecord {
  return {
    id: checkId(n),
    name: `Check ${n}`,
    checkType: 'API',
    activated: true,
    muted: false,
    shouldFail: false,
    doubleCheck: true,
    frequency: 10,
    frequencyOffset: 1,
    degradedResponseTime: 5000,
    maxResponseTime: 20000,
    runtimeId: '2024.02',
    locations: ['eu-central-1', 'us-east-1'],
    privateLocations: [],
    tags: ['production', 'api'],
    groupId: 1,
    groupOrder: n,
    script: null,
    setupSnippetId: null,
    tearDownSnippetId: null,
    localSetupScript: null,
    localTearDownScript: null,
    request: {
      method: 'GET',
      url: `https://api.example.com/health/${n}`,
      body: '',
      bodyType: 'NONE',
      followRedirects: true,
      skipSSL: false,
      assertions: [{ source: 'STATUS_CODE', property: '', comparison: 'EQUALS', target: '200' }],
    },
    environmentVariables: [
      { key: 'REGION', value: 'eu', locked: false, secret: false },
      { key: 'API_TOKEN', value: `locked-check-token-${n}`, locked: true, secret: false },
      { key: 'DB_PASSWORD', value: `secret-check-password-${n}`, locked: false, secret: true },
    ],
    alertSettings: {
      escalationType: 'RUN_BASED',
      runBasedEscalation: { failedRunThreshold: 1 },
      timeBasedEscalation: { minutesFailingThreshold: 5 },
      reminders: { amount: 0, interval: 5 },
    },
    useGlobalAlertSettings: true,
    alertChannelSubscriptions: [{ alertChannelId: 1, activated: true }],
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: updatedAt,
  };
}

/** A check group with a locked variable. */
export function checklyCheckGroup(id: number): JsonRecord {
  return {
    id,
    name: `Group ${id}`,
    activated: true,
    muted: false,
    concurrency: 3,
    runtimeId: '2024.02',
    doubleCheck: true,
    locations: ['eu-central-1'],
    privateLocations: [],
    tags: ['production'],
    environmentVariables: [{ key: 'GROUP_SECRET', value: `locked-group-value-${id}`, locked: true, secret: false }],
    alertSettings: null,
    useGlobalAlertSettings: true,
    apiCheckDefaults: { url: 'https://api.example.com', headers: [{ key: 'Authorization', value: `Bearer group-header-${id}`, locked: true }] },
    alertChannelSubscriptions: [],
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-02-01T00:00:00.000Z',
  };
}

/** The current status of check `n`. */
export function checklyCheckStatus(n: number, failing = false): JsonRecord {
  return {
    checkId: checkId(n),
    name: `Check ${n}`,
    hasFailures: failing,
    hasErrors: false,
    isDegraded: false,
    longestRun: 812,
    shortestRun: 95,
    lastRunLocation: 'eu-central-1',
    lastCheckRunId: `run-${n}`,
    sslDaysRemaining: 60,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-05-01T00:00:00.000Z',
  };
}

/** Options of {@link checklyCheckResult}. */
export interface CheckResultOptions {
  failing?: boolean;
  /** `ATTEMPT` for a retry attempt of a run (kept only with `resultType=ATTEMPT` or `ALL`). */
  resultType?: 'FINAL' | 'ATTEMPT';
  /** A multi-step (Playwright) check's result instead of an API check's. */
  multiStep?: boolean;
}

/**
 * A raw result of check `n` started at `startedAt`, with the fields of the current schema
 * (https://www.checklyhq.com/docs/api-reference/check-results/lists-all-check-results-1 and the `CheckResult` type
 * of Checkly's CLI): API or multi-step sub-result, the other kinds' sub-results null, `isCancelled`, `traceId`,
 * `errorGroupIds`.
 */
export function checklyCheckResult(n: number, index: number, startedAt: string, options: CheckResultOptions | boolean = {}): JsonRecord {
  const { failing = false, resultType = 'FINAL', multiStep = false } = typeof options === 'boolean' ? { failing: options } : options;
  const started = Date.parse(startedAt);
  return {
    id: `result-${n}-${index}${resultType === 'ATTEMPT' ? '-attempt' : ''}`,
    checkId: checkId(n),
    name: `Check ${n}`,
    resultType,
    hasFailures: failing,
    hasErrors: false,
    isDegraded: false,
    isCancelled: false,
    overMaxResponseTime: false,
    runLocation: index % 2 ? 'us-east-1' : 'eu-central-1',
    responseTime: 100 + (index % 7) * 10,
    attempts: resultType === 'ATTEMPT' ? 1 : 2,
    checkRunId: index,
    sequenceId: `seq-${n}-${index}`,
    traceId: failing ? `trace-${n}-${index}` : null,
    errorGroupIds: failing ? [`error-group-${n}`] : [],
    startedAt,
    stoppedAt: new Date(started + 150).toISOString(),
    created_at: new Date(started + 2000).toISOString(),
    apiCheckResult: multiStep
      ? null
      : {
          assertions: [{ source: 'STATUS_CODE', comparison: 'EQUALS', target: 200 }],
          request: { method: 'GET', url: `https://api.example.com/health/${n}` },
          response: {
            status: failing ? 500 : 200,
            statusText: failing ? 'Internal Server Error' : 'OK',
            timings: { socket: 1, lookup: 2, connect: 5, response: 140, end: 150 },
            timingPhases: { wait: 1, dns: 1, tcp: 3, firstByte: 135, download: 10, total: 150 },
          },
          requestError: null,
          pcapDataUrl: null,
        },
    browserCheckResult: null,
    multiStepCheckResult: multiStep
      ? {
          errors: failing ? ['expect(received).toBe(expected)'] : [],
          startTime: started,
          endTime: started + 150,
          runtimeVersion: '2024.02',
          playwrightTestTraces: [`https://api.checklyhq.com/v1/assets/${n}/${index}/trace.zip`],
          playwrightTestJsonReportFile: null,
        }
      : null,
    playwrightCheckResult: null,
    grpcCheckResult: null,
    sslCheckResult: null,
    tracerouteCheckResult: null,
    agenticCheckResult: null,
  };
}

/** An alert channel of `type` with the secrets such a channel's config holds. */
export function checklyAlertChannel(id: number, type: 'EMAIL' | 'WEBHOOK' | 'OPSGENIE' | 'SLACK'): JsonRecord {
  const config: JsonRecord =
    type === 'EMAIL'
      ? { address: 'oncall@example.com' }
      : type === 'SLACK'
        ? { url: 'https://hooks.slack.com/services/T000/B000/slack-secret', channel: '#alerts' }
        : type === 'OPSGENIE'
          ? { name: 'Opsgenie', apiKey: 'opsgenie-secret-key', region: 'EU', priority: 'P3' }
          : {
              name: 'Webhook',
              url: 'https://hooks.example.com/alert',
              method: 'POST',
              webhookType: 'WEBHOOK_GENERIC',
              headers: [{ key: 'X-Token', value: 'webhook-secret-header', locked: true }],
            };
  return {
    id,
    type,
    config,
    subscriptions: [{ id: id * 10, checkId: checkId(1), groupId: null, activated: true }],
    sendRecovery: true,
    sendFailure: true,
    sendDegraded: false,
    sslExpiry: true,
    sslExpiryThreshold: 30,
    autoSubscribe: false,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-02T00:00:00.000Z',
  };
}

/** A public dashboard. */
export function checklyDashboard(id: number): JsonRecord {
  return {
    id,
    dashboardId: `dash-${id}`,
    customUrl: `status-${id}`,
    customDomain: null,
    logo: null,
    favicon: null,
    link: null,
    header: `Status ${id}`,
    description: null,
    width: 'FULL',
    refreshRate: 60,
    paginate: true,
    paginationRate: 30,
    checksPerPage: 15,
    useTagsAndOperator: false,
    hideTags: false,
    enableIncidents: false,
    expandChecks: false,
    showHeader: true,
    isPrivate: false,
    showP95: true,
    showP99: true,
    tags: ['production'],
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: null,
  };
}

/** A weekly maintenance window. */
export function checklyMaintenanceWindow(id: number): JsonRecord {
  return {
    id,
    name: `Maintenance ${id}`,
    tags: ['production'],
    startsAt: '2024-06-01T22:00:00.000Z',
    endsAt: '2024-06-01T23:00:00.000Z',
    repeatInterval: 1,
    repeatUnit: 'WEEK',
    repeatEndsAt: null,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
  };
}

/** A code snippet. */
export function checklySnippet(id: number): JsonRecord {
  return { id, name: `snippet-${id}`, script: `// setup ${id}\nconsole.log('hello')`, created_at: '2024-01-01T00:00:00.000Z', updated_at: null };
}

/** Sizes of the data {@link seedCheckly} creates. */
export interface ChecklySeedCounts {
  checks: number;
  /** Results per check, `minutesApart` apart, the last one at `lastResultAt`. */
  resultsPerCheck: number;
  minutesApart: number;
  lastResultAt: string;
}

/**
 * Fills the fake: `checks` checks (with statuses and results), two groups, one alert channel of each type,
 * dashboards, maintenance windows, snippets, and account variables (plain, locked, secret).
 */
export function seedCheckly(api: FakeChecklyApi, counts: ChecklySeedCounts): void {
  for (let n = 1; n <= counts.checks; n++) {
    api
      .items('checks')
      .push(n === 3 ? { ...checklyCheck(n), checkType: 'MULTI_STEP', request: null, script: 'await page.goto("https://example.com")' } : checklyCheck(n));
    api.items('check-statuses').push(checklyCheckStatus(n, n === 2));
    for (let i = 0; i < counts.resultsPerCheck; i++) {
      const at = new Date(Date.parse(counts.lastResultAt) - (counts.resultsPerCheck - 1 - i) * counts.minutesApart * 60_000).toISOString();
      api.addResult(checklyCheckResult(n, i, at, { failing: i % 5 === 4, multiStep: n === 3 }));
      // Check 2 double-checks: its failing runs were retried, and the first attempt is kept apart.
      if (n === 2 && i % 5 === 4) api.addResult(checklyCheckResult(n, i, at, { failing: true, resultType: 'ATTEMPT' }));
    }
  }
  api.items('check-groups').push(checklyCheckGroup(1), checklyCheckGroup(2));
  api
    .items('alert-channels')
    .push(checklyAlertChannel(1, 'EMAIL'), checklyAlertChannel(2, 'SLACK'), checklyAlertChannel(3, 'OPSGENIE'), checklyAlertChannel(4, 'WEBHOOK'));
  for (let id = 1; id <= 12; id++) api.items('dashboards').push(checklyDashboard(id));
  api.items('maintenance-windows').push(checklyMaintenanceWindow(1), checklyMaintenanceWindow(2));
  api.items('snippets').push(checklySnippet(1), checklySnippet(2));
  api
    .items('variables')
    .push(
      { key: 'BASE_URL', value: 'https://api.example.com', locked: false, secret: false },
      { key: 'LOCKED_TOKEN', value: 'locked-account-token', locked: true, secret: false },
      { key: 'SECRET_PASSWORD', value: 'secret-account-password', locked: false, secret: true },
    );
}
