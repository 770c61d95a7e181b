import type { JobDetail } from '@aws-sdk/client-batch';
import type { ListedJob } from './batch-listing.js';

/** What is wrong (or worth knowing) about one job. */
export type FindingKind = 'failed' | 'stuck' | 'overdue' | 'recovered' | 'retried';

/** Problems make the check fail; warnings are reported only. */
export const SEVERITY: Record<FindingKind, 'problem' | 'warning'> = {
  failed: 'problem',
  stuck: 'problem',
  overdue: 'problem',
  recovered: 'warning',
  retried: 'warning',
};

/** One attempt of a job as the report shows it. */
export interface AttemptSummary {
  exit_code: number | null;
  status_reason: string | null;
  reason: string | null;
  log_stream: string | null;
}

/** A job the report names, and why. */
export interface Finding {
  kind: FindingKind;
  severity: 'problem' | 'warning';
  job_id: string;
  job_name: string;
  queue: string;
  status: string;
  /** One line saying what happened: status reason, exit code, attempts, how long. */
  reason: string;
  created_at: string | null;
  started_at: string | null;
  stopped_at: string | null;
  attempts: AttemptSummary[];
  /** Whether an attempt ended because its instance went away (`Host EC2 ... terminated`: Spot reclaim, host failure). */
  host_terminated: boolean;
  /** For `recovered`: the later job of the same pipeline that succeeded. */
  recovered_by?: string;
}

/** The findings of one pipeline (job definition). */
export interface PipelineAssessment {
  pipeline: string;
  job_definition: string;
  status: 'failing' | 'warning' | 'healthy';
  succeeded: number;
  findings: Finding[];
}

/** Thresholds of the check. */
export interface AssessmentOptions {
  now: Date;
  lookbackHours: number;
  stuckMinutes: number;
  timeoutMarginSeconds: number;
  runningLimitHours: number;
  /** Removed from job definition names to name pipelines. */
  jobDefinitionPrefix: string;
}

/** The whole check, as data: what the JSON report holds and the table and alert are made from. */
export interface StabilityAssessment {
  checked_at: string;
  window: { since: string; until: string };
  thresholds: { stuck_minutes: number; timeout_margin_seconds: number; running_limit_hours: number };
  /** Jobs looked at: finished within the window, or still waiting or running. */
  jobs_checked: number;
  healthy: boolean;
  totals: Record<FindingKind | 'succeeded', number>;
  pipelines: PipelineAssessment[];
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const HOST_TERMINATED = /^Host EC2/i;

/** `job-definition/observes-gitlab:3` → `observes-gitlab`: jobs of every revision belong to one pipeline. */
export function jobDefinitionName(arnOrName: string | undefined): string {
  if (!arnOrName) return '(unknown)';
  return arnOrName.replace(/^.*:job-definition\//, '').replace(/:\d+$/, '');
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

function attemptsOf(detail: JobDetail | undefined): AttemptSummary[] {
  return (detail?.attempts ?? []).map((a) => ({
    exit_code: a.container?.exitCode ?? null,
    status_reason: a.statusReason ?? null,
    reason: a.container?.reason ?? null,
    log_stream: a.container?.logStreamName ?? null,
  }));
}

/** `attempt 1: Host EC2 (...) terminated. (no exit code)` for each attempt. */
function attemptsText(attempts: AttemptSummary[]): string[] {
  return attempts.map((a, i) => {
    const what = [a.status_reason, a.reason].filter(Boolean).join(', ') || 'no reason given';
    return `attempt ${i + 1}: ${what} (${a.exit_code === null ? 'no exit code' : `exit code ${a.exit_code}`})`;
  });
}

/** `statusReason; exit code N; container reason; attempt 1: ...`: what a person needs first. */
function failureReason(job: ListedJob, attempts: AttemptSummary[], detail: JobDetail | undefined): string {
  const parts: string[] = [];
  const statusReason = detail?.statusReason ?? job.statusReason;
  if (statusReason) parts.push(statusReason);
  const exitCode = job.container?.exitCode ?? detail?.container?.exitCode;
  if (exitCode !== undefined) parts.push(`exit code ${exitCode}`);
  const reason = job.container?.reason ?? detail?.container?.reason;
  if (reason) parts.push(reason);
  parts.push(...attemptsText(attempts));
  return parts.join('; ') || 'no reason given';
}

/** Whether a job is looked at: finished since `since`, or not finished. */
function isInWindow(job: ListedJob, since: number): boolean {
  if (job.status !== 'FAILED' && job.status !== 'SUCCEEDED') return true;
  return (job.stoppedAt ?? job.createdAt ?? 0) >= since;
}

/** The jobs whose details the assessment needs (attempts, timeouts): those it looks at. */
export function jobsToDescribe(listed: readonly ListedJob[], now: Date, lookbackHours: number): string[] {
  const since = now.getTime() - lookbackHours * 3_600_000;
  return listed.filter((job) => isInWindow(job, since)).map((job) => job.jobId!);
}

/**
 * Assesses the listed jobs. Pure.
 * - FAILED, stopped within the window: a problem, unless a later job of the same pipeline succeeded
 *   (then a `recovered` warning: the pipeline's next run or resubmission caught up).
 * - SUCCEEDED within the window after more than one attempt: a `retried` warning (Batch retried it,
 *   e.g. after a Host EC2 termination).
 * - RUNNABLE or STARTING for longer than `stuckMinutes` since submission: `stuck`.
 * - RUNNING for longer than its pipeline's timeout (the attempt timeout minus the infra margin, or
 *   `runningLimitHours` without one): `overdue`, the runner should have stopped it.
 */
export function assessJobs(listed: readonly ListedJob[], details: ReadonlyMap<string, JobDetail>, options: AssessmentOptions): StabilityAssessment {
  const now = options.now.getTime();
  const since = now - options.lookbackHours * 3_600_000;
  const stoppedInWindow = (job: ListedJob) => isInWindow(job, since);
  const byDefinition = new Map<string, ListedJob[]>();
  for (const job of listed) {
    const name = jobDefinitionName(job.jobDefinition ?? details.get(job.jobId!)?.jobDefinition);
    const list = byDefinition.get(name);
    if (list) list.push(job);
    else byDefinition.set(name, [job]);
  }
  const totals: StabilityAssessment['totals'] = { failed: 0, stuck: 0, overdue: 0, recovered: 0, retried: 0, succeeded: 0 };
  let checked = 0;
  const pipelines: PipelineAssessment[] = [];
  for (const [definition, jobs] of [...byDefinition].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const findings: Finding[] = [];
    const successes = jobs.filter((j) => j.status === 'SUCCEEDED').sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
    let succeeded = 0;
    const finding = (kind: FindingKind, job: ListedJob, reason: string, extra: Partial<Finding> = {}) => {
      const detail = details.get(job.jobId!);
      const attempts = attemptsOf(detail);
      findings.push({
        kind,
        severity: SEVERITY[kind],
        job_id: job.jobId!,
        job_name: job.jobName ?? '',
        queue: job.queue,
        status: job.status ?? 'UNKNOWN',
        reason,
        created_at: iso(job.createdAt),
        started_at: iso(job.startedAt),
        stopped_at: iso(job.stoppedAt),
        attempts,
        host_terminated: attempts.some((a) => HOST_TERMINATED.test(a.status_reason ?? '')) || HOST_TERMINATED.test(job.statusReason ?? ''),
        ...extra,
      });
      totals[kind]++;
    };
    for (const job of jobs) {
      const detail = details.get(job.jobId!);
      switch (job.status) {
        case 'FAILED': {
          if (!stoppedInWindow(job)) break;
          checked++;
          const reason = failureReason(job, attemptsOf(detail), detail);
          const later = successes.find((s) => (s.createdAt ?? 0) > (job.createdAt ?? 0));
          if (later) finding('recovered', job, `${reason}; then job ${later.jobId} succeeded`, { recovered_by: later.jobId });
          else finding('failed', job, reason);
          break;
        }
        case 'SUCCEEDED': {
          if (!stoppedInWindow(job)) break;
          checked++;
          succeeded++;
          totals.succeeded++;
          const attempts = attemptsOf(detail);
          if (attempts.length > 1) finding('retried', job, [`succeeded on attempt ${attempts.length}`, ...attemptsText(attempts.slice(0, -1))].join('; '));
          break;
        }
        case 'RUNNABLE':
        case 'STARTING': {
          checked++;
          const waited = now - (job.createdAt ?? now);
          if (waited > options.stuckMinutes * 60_000)
            finding('stuck', job, `${job.status} for ${duration(waited)} since submission${job.statusReason ? `: ${job.statusReason}` : ''}`);
          break;
        }
        case 'RUNNING': {
          checked++;
          const ran = now - (job.startedAt ?? detail?.startedAt ?? now);
          const attemptSeconds = detail?.timeout?.attemptDurationSeconds;
          const limitMs = attemptSeconds !== undefined ? (attemptSeconds - options.timeoutMarginSeconds) * 1000 : options.runningLimitHours * 3_600_000;
          const limitText =
            attemptSeconds !== undefined
              ? `its pipeline's timeout of ${duration(limitMs)} (Batch attempt timeout ${attemptSeconds} s)`
              : `the ${options.runningLimitHours} h limit for jobs without a timeout`;
          if (ran > limitMs) finding('overdue', job, `RUNNING for ${duration(ran)}, past ${limitText}`);
          break;
        }
      }
    }
    const status = findings.some((f) => f.severity === 'problem') ? 'failing' : findings.length > 0 ? 'warning' : 'healthy';
    if (findings.length > 0 || succeeded > 0)
      pipelines.push({
        pipeline: definition.startsWith(options.jobDefinitionPrefix) ? definition.slice(options.jobDefinitionPrefix.length) : definition,
        job_definition: definition,
        status,
        succeeded,
        findings,
      });
  }
  return {
    checked_at: options.now.toISOString(),
    window: { since: new Date(since).toISOString(), until: options.now.toISOString() },
    thresholds: { stuck_minutes: options.stuckMinutes, timeout_margin_seconds: options.timeoutMarginSeconds, running_limit_hours: options.runningLimitHours },
    jobs_checked: checked,
    healthy: totals.failed + totals.stuck + totals.overdue === 0,
    totals,
    pipelines,
  };
}
