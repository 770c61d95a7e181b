import { formatTable } from '@observes/runner/text-table';
import type { FindingKind, StabilityAssessment } from './job-assessment.js';

const KINDS: FindingKind[] = ['failed', 'stuck', 'overdue', 'recovered', 'retried'];

/**
 * The check for people: one row per pipeline (its status and counts), then one line per job found,
 * problems first, with its reason. Pure.
 */
export function formatAssessment(assessment: StabilityAssessment): string {
  const head = `AWS Batch jobs ${assessment.window.since} .. ${assessment.window.until}: ${assessment.jobs_checked} checked, ${assessment.healthy ? 'healthy' : 'PROBLEMS'}`;
  const table = formatTable(
    ['pipeline', 'status', 'succeeded', ...KINDS],
    assessment.pipelines.map((p) => [p.pipeline, p.status, p.succeeded, ...KINDS.map((k) => p.findings.filter((f) => f.kind === k).length)]),
  );
  const findings = assessment.pipelines
    .flatMap((p) => p.findings.map((f) => ({ pipeline: p.pipeline, ...f })))
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'problem' ? -1 : 1))
    .map((f) => `${f.severity === 'problem' ? 'PROBLEM' : 'warning'} ${f.kind} ${f.pipeline} job ${f.job_id} (${f.job_name}, ${f.status}): ${f.reason}`);
  return [head, '', table, ...findings].join('\n').trimEnd() + '\n';
}

/** A short subject (SNS allows 100 characters): `Observes Batch: 2 failed, 1 stuck, 1 overdue`. */
export function alertSubject(assessment: StabilityAssessment): string {
  const counts = KINDS.filter((k) => assessment.totals[k] > 0).map((k) => `${assessment.totals[k]} ${k}`);
  return `Observes Batch: ${counts.length > 0 ? counts.join(', ') : 'healthy'}`.slice(0, 100);
}
