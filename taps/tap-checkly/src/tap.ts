import { defineTap } from '@observes/tap-sdk';
import { checklyConfigSchema, type ChecklyConfig } from './config.js';
import {
  alertChannelsStream,
  checkGroupsStream,
  checksStream,
  checkStatusesStream,
  dashboardsStream,
  environmentVariablesStream,
  maintenanceWindowsStream,
  snippetsStream,
} from './streams/account-streams.js';
import { checkResultsStream } from './streams/check-results.js';
import { reportsStream } from './streams/reports.js';

/** tap-checkly: the Checkly public API; check results (v2) and reports incremental, the rest full table. */
export const tap = defineTap<ChecklyConfig>({
  name: 'checkly',
  version: '0.1.0',
  description: 'Checkly public API tap: checks, groups, statuses, raw results (v2, by time window), daily reports, alert channels, dashboards and more',
  configSchema: checklyConfigSchema,
  http: (config) => ({
    baseUrl: config.api_url,
    headers: { Authorization: `Bearer ${config.api_key}`, 'X-Checkly-Account': config.account_id },
    requestsPerSecond: config.requests_per_second,
    routeLimits: [{ path: /^\/v2\/check-results\//, requestsPerSecond: config.check_results_requests_per_second }],
    // Checkly's 429s never say when to come back: keep backing off for a whole 60 s window, and more.
    retryBudgetMs: config.retry_budget_seconds * 1000,
  }),
  streams: [
    checksStream,
    checkGroupsStream,
    checkStatusesStream,
    checkResultsStream,
    alertChannelsStream,
    dashboardsStream,
    maintenanceWindowsStream,
    environmentVariablesStream,
    snippetsStream,
    reportsStream,
  ],
});
