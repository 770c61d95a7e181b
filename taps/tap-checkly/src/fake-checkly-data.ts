import type { JsonRecord } from '@observes/protocol';
import type { FakeChecklyApi } from './fake-checkly-api.js';

/** Shapes of Checkly public API v1 items, as its reference shows them, for seeding {@link FakeChecklyApi}. */

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
    alertSettings: { escalationType: 'RUN_BASED', runBasedEscalation: { failedRunThreshold: 1 }, timeBasedEscalation: { minutesFailingThreshold: 5 }, reminders: { amount: 0, interval: 5 } },
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

/** A raw API-check result of check `n` started at `startedAt`. */
export function checklyCheckResult(n: number, index: number, startedAt: string, failing = false): JsonRecord {
  const started = Date.parse(startedAt);
  return {
    id: `result-${n}-${index}`,
    checkId: checkId(n),
    name: `Check ${n}`,
    resultType: 'FINAL',
    hasFailures: failing,
    hasErrors: false,
    isDegraded: false,
    overMaxResponseTime: false,
    runLocation: index % 2 ? 'us-east-1' : 'eu-central-1',
    responseTime: 100 + (index % 7) * 10,
    attempts: 1,
    checkRunId: index,
    sequenceId: `seq-${n}-${index}`,
    startedAt,
    stoppedAt: new Date(started + 150).toISOString(),
    created_at: new Date(started + 2000).toISOString(),
    apiCheckResult: {
      assertions: [{ source: 'STATUS_CODE', target: 200 }],
      request: { method: 'GET', url: `https://api.example.com/health/${n}` },
      response: { status: failing ? 500 : 200, statusText: failing ? 'Internal Server Error' : 'OK', timings: { total: 150 }, timingPhases: { total: 150 } },
      requestError: null,
    },
    browserCheckResult: null,
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
          : { name: 'Webhook', url: 'https://hooks.example.com/alert', method: 'POST', webhookType: 'WEBHOOK_GENERIC', headers: [{ key: 'X-Token', value: 'webhook-secret-header', locked: true }] };
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
    api.items('checks').push(checklyCheck(n));
    api.items('check-statuses').push(checklyCheckStatus(n, n === 2));
    for (let i = 0; i < counts.resultsPerCheck; i++) {
      const at = new Date(Date.parse(counts.lastResultAt) - (counts.resultsPerCheck - 1 - i) * counts.minutesApart * 60_000).toISOString();
      api.addResult(checklyCheckResult(n, i, at, i % 5 === 4));
    }
  }
  api.items('check-groups').push(checklyCheckGroup(1), checklyCheckGroup(2));
  api.items('alert-channels').push(
    checklyAlertChannel(1, 'EMAIL'),
    checklyAlertChannel(2, 'SLACK'),
    checklyAlertChannel(3, 'OPSGENIE'),
    checklyAlertChannel(4, 'WEBHOOK'),
  );
  for (let id = 1; id <= 12; id++) api.items('dashboards').push(checklyDashboard(id));
  api.items('maintenance-windows').push(checklyMaintenanceWindow(1), checklyMaintenanceWindow(2));
  api.items('snippets').push(checklySnippet(1), checklySnippet(2));
  api.items('variables').push(
    { key: 'BASE_URL', value: 'https://api.example.com', locked: false, secret: false },
    { key: 'LOCKED_TOKEN', value: 'locked-account-token', locked: true, secret: false },
    { key: 'SECRET_PASSWORD', value: 'secret-account-password', locked: false, secret: true },
  );
}
