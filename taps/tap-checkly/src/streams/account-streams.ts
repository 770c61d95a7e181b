import { defineStream, loadSchema, type StreamDefinition } from '@observes/tap-sdk';
import type { JsonRecord } from '@observes/protocol';
import type { ChecklyConfig } from '../config.js';
import { checklyChecks, checklyPaginator } from '../checkly-checks.js';
import { maskAlertChannel, maskCheckSecrets, maskVariable } from '../mask-secrets.js';

/**
 * A full-table stream of an account-level listing (`GET /v1/<path>` with `limit`/`page`); Checkly has no change
 * filter for them, and they are small.
 * @param transform - applied to every item before it is emitted (secret masking)
 */
export function accountStream(
  name: string,
  path: string,
  keyProperties: string[],
  transform: (item: JsonRecord) => JsonRecord = (item) => item,
): StreamDefinition<ChecklyConfig> {
  return defineStream<ChecklyConfig>({
    name,
    schema: loadSchema('tap-checkly', name),
    keyProperties,
    async *records(ctx) {
      for await (const item of ctx.http.paginate<JsonRecord>(`v1/${path}`, { paginator: checklyPaginator(ctx.config) })) yield transform(item);
    },
  });
}

/** `checks`, locked and secret variable values masked; listed once per run and shared with `check_results`. */
export const checksStream = defineStream<ChecklyConfig>({
  name: 'checks',
  schema: loadSchema('tap-checkly', 'checks'),
  keyProperties: ['id'],
  async *records(ctx) {
    for (const check of await checklyChecks(ctx.http, ctx.config)) yield maskCheckSecrets(check);
  },
});

/** `check_statuses`: one current status per check (the endpoint is not paginated). */
export const checkStatusesStream = defineStream<ChecklyConfig>({
  name: 'check_statuses',
  schema: loadSchema('tap-checkly', 'check_statuses'),
  keyProperties: ['checkId'],
  async *records(ctx) {
    yield* await ctx.http.get<JsonRecord[]>('v1/check-statuses');
  },
});

/** `check_groups`, locked and secret values masked. */
export const checkGroupsStream = accountStream('check_groups', 'check-groups', ['id'], maskCheckSecrets);
/** `alert_channels`, credentials masked. */
export const alertChannelsStream = accountStream('alert_channels', 'alert-channels', ['id'], maskAlertChannel);
/** `dashboards`. */
export const dashboardsStream = accountStream('dashboards', 'dashboards', ['id']);
/** `maintenance_windows`. */
export const maintenanceWindowsStream = accountStream('maintenance_windows', 'maintenance-windows', ['id']);
/** `environment_variables`: `value` is null when the variable is locked or secret. */
export const environmentVariablesStream = accountStream('environment_variables', 'variables', ['key'], maskVariable);
/** `snippets`. */
export const snippetsStream = accountStream('snippets', 'snippets', ['id']);
