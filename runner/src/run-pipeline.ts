import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { backoffDelay } from '@observes/state';
import type { Pipeline } from './pipeline-config.js';
import { EXIT_CODES, type FailureKind, type PipelineResult, type UnitResult } from './run-result.js';
import { runUnit, StopRequest, type RunUnitOptions } from './run-unit.js';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends Omit<RunUnitOptions, 'baseDir' | 'signal'> {
  /** Aborting stops the pipeline (reason: a {@link StopRequest}). */
  signal?: AbortSignal;
  /** First retry's backoff cap in ms (default 5000); doubles per retry. */
  retryBaseDelayMs?: number;
}

/** Failures worth another attempt: the run may succeed from the last saved state. */
const RETRYABLE: FailureKind[] = ['tap', 'target', 'job', 'state'];

/**
 * Runs a pipeline: its phases in order (units of a phase concurrently when `parallel`), retrying the
 * failed units of a failed phase up to `resources.retries` times with backoff, each retry resuming
 * from the state the target last committed. `resources.timeout` stops the whole run when reached.
 */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions): Promise<PipelineResult> {
  const startedAt = new Date();
  const log = options.logger.child({ pipeline: pipeline.spec.name });
  const timeout = new AbortController();
  const timer = pipeline.timeoutSeconds
    ? setTimeout(() => timeout.abort(new StopRequest('timeout', `timed out after ${pipeline.timeoutSeconds}s (resources.timeout)`)), pipeline.timeoutSeconds * 1000)
    : undefined;
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const unitOptions: RunUnitOptions = { ...options, baseDir: dirname(pipeline.file), signal };
  let attempts = 1;
  const results = new Map<string, UnitResult>();
  try {
    for (const phase of pipeline.phases) {
      let pending = phase.units;
      for (;;) {
        const limit = pLimit(phase.parallel ? Math.max(1, pending.length) : 1);
        const outcomes = await Promise.all(pending.map((unit) => limit(() => (signal.aborted ? skipped(unit.name, unit.stateUrl) : runUnit(unit, unitOptions)))));
        for (const outcome of outcomes) results.set(outcome.name, outcome);
        const failed = outcomes.filter((o) => o.status === 'failed');
        if (failed.length === 0) break;
        const retryable = failed.every((o) => RETRYABLE.includes(o.failure!) && o.retryable !== false);
        if (!retryable || attempts > pipeline.retries || signal.aborted) return finish();
        const delay = backoffDelay(attempts, options.retryBaseDelayMs ?? 5000, 5 * 60_000);
        log.warn('retrying failed run', { attempt: attempts + 1, of: pipeline.retries + 1, units: failed.map((o) => o.name), delay_ms: delay });
        attempts++;
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        pending = phase.units.filter((u) => failed.some((o) => o.name === u.name));
      }
    }
    return finish();
  } finally {
    if (timer) clearTimeout(timer);
  }

  function skipped(name: string, stateUrl: string): UnitResult {
    const reason = signal.reason instanceof StopRequest ? signal.reason : new StopRequest('stopped', 'stopped');
    return { name, status: 'failed', failure: reason.kind, message: `not started: ${reason.message}`, stateUrl, stateFound: false, statesSaved: 0, stateSaved: false, records: {}, startedAt: new Date().toISOString(), durationMs: 0 };
  }

  function finish(): PipelineResult {
    const units = [...results.values()];
    const failure = units.find((u) => u.status === 'failed')?.failure;
    return {
      name: pipeline.spec.name,
      runId: pipeline.runId,
      file: pipeline.file,
      status: failure ? 'failed' : 'succeeded',
      failure,
      exitCode: failure ? EXIT_CODES[failure] : 0,
      attempts,
      units,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
    };
  }
}
