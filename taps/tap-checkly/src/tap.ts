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

/** tap-checkly: the Checkly public API v1; check results and reports incremental, the rest full table. */
export const tap = defineTap<ChecklyConfig>({
  name: 'checkly',
  version: '0.1.0',
  description: 'Checkly public API v1 tap: checks, groups, statuses, results (by time window), alert channels, dashboards and more',
  configSchema: checklyConfigSchema,
  secrets: ['api_key'],
  http: (config) => ({
    baseUrl: config.api_url,
    headers: { Authorization: `Bearer ${config.api_key}`, 'X-Checkly-Account': config.account_id },
    requestsPerSecond: config.requests_per_second,
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
