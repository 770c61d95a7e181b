/**
 * GitLab CI job statuses (https://docs.gitlab.com/ee/api/jobs.html, `Ci::HasStatus`): a job goes `created` →
 * (`waiting_for_resource` →) (`preparing` →) `pending` → `running` → `success` | `failed` | `canceled`, possibly
 * through `canceling`; `skipped`, `manual` (waiting to be played: a blocking manual job holds its pipeline's later
 * stages in `created`, for months if nobody plays it), `scheduled` (delayed), and `waiting_for_callback` (waiting
 * for an external service to report).
 */

/** Statuses of a job that will still change by itself. `manual` is not one: it waits for a person. */
export const UNFINISHED_JOB_STATUSES: readonly string[] = [
  'created',
  'waiting_for_resource',
  'preparing',
  'pending',
  'running',
  'canceling',
  'scheduled',
  'waiting_for_callback',
];

/** Pipeline statuses of a pipeline held by a job that waits for a person or a time: its `created` jobs are gated, not stuck. */
export const GATED_PIPELINE_STATUSES: readonly string[] = ['manual', 'scheduled'];
