import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { errorText } from '@observes/protocol';
import { backoffDelay, openStateStore, type HeldLock } from '@observes/state';
import type { Pipeline, RunUnit } from './pipeline-config.js';
import { EXIT_CODES, type FailureKind, type PipelineResult, type UnitResult } from './run-result.js';
import { runUnit, StopRequest, type RunUnitOptions } from './run-unit.js';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends Omit<RunUnitOptions, 'baseDir' | 'signal'> {
  /** Aborting stops the pipeline (reason: a {@link StopRequest}). */
  signal?: AbortSignal;
  /** First retry's backoff cap in ms (default 5000); doubles per retry. */
  retryBaseDelayMs?: number;
  /** Remove the units' locks whoever holds them before taking them (an operator who knows that run is dead). */
  forceUnlock?: boolean;
}

/** How long a lock holds when its run dies without releasing it: the run's timeout (default a day), both kill graces and a minute. */
export function lockTtlMs(pipeline: Pipeline, killGraceMs = 10_000): number {
  return (pipeline.timeoutSeconds ?? 86_400) * 1000 + 2 * killGraceMs + 60_000;
}

/**
 * Takes the lock of every unit's state, all or none: one run per pipeline (or per unit, for a run of
 * one array copy) at a time. Returns the locks, or the failure naming the run that holds one.
 */
async function lockUnits(units: RunUnit[], pipeline: Pipeline, options: RunPipelineOptions): Promise<HeldLock[] | { unit: RunUnit; message: string }> {
  const log = options.logger.child({ pipeline: pipeline.spec.name });
  const held: HeldLock[] = [];
  const limit = pLimit(16);
  let refused: { unit: RunUnit; message: string } | undefined;
  await Promise.all(
    units.map((unit) =>
      limit(async () => {
        if (refused) return;
        try {
          const store = (options.openStore ?? ((url) => openStateStore(url, options.state)))(unit.stateUrl);
          if (options.forceUnlock) {
            const removed = await store.forceUnlock();
            if (removed) log.warn('removed a lock by --force-unlock', { unit: unit.name, holder: removed });
          }
          const lock = await store.lock({ runId: pipeline.runId, unit: unit.name, ttlMs: lockTtlMs(pipeline, options.killGraceMs) });
          if (lock.tookOver) log.warn('took over the lock of a run that expired or died', { unit: unit.name, holder: lock.tookOver });
          held.push(lock);
        } catch (error) {
          refused ??= { unit, message: errorText(error) };
        }
      }),
    ),
  );
  if (!refused) return held;
  await Promise.all(held.map((lock) => lock.release().catch(() => false)));
  return refused;
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
    ? setTimeout(
        () => timeout.abort(new StopRequest('timeout', `timed out after ${pipeline.timeoutSeconds}s (resources.timeout)`)),
        pipeline.timeoutSeconds * 1000,
      )
    : undefined;
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const state = pipeline.spec.state_history ? { ...options.state, history: pipeline.spec.state_history } : options.state;
  const unitOptions: RunUnitOptions = { ...options, state, baseDir: dirname(pipeline.file), signal, runId: pipeline.runId };
  let attempts = 1;
  const results = new Map<string, UnitResult>();
  // Steps sharing one state (Zoho CRM's prepare and load) share its lock.
  const byState = new Map(pipeline.phases.flatMap((phase) => phase.units).map((unit) => [unit.stateUrl, unit]));
  const locks = await lockUnits([...byState.values()], pipeline, options);
  if (!Array.isArray(locks)) {
    if (timer) clearTimeout(timer);
    log.error('not started: another run holds the pipeline', { unit: locks.unit.name, reason: locks.message });
    results.set(locks.unit.name, { ...skipped(locks.unit.name, locks.unit.stateUrl), failure: 'locked', message: locks.message });
    return finish();
  }
  try {
    for (const phase of pipeline.phases) {
      let pending = phase.units;
      for (;;) {
        const limit = pLimit(phase.parallel ? Math.max(1, pending.length) : 1);
        const outcomes = await Promise.all(
          pending.map((unit) => limit(() => (signal.aborted ? skipped(unit.name, unit.stateUrl) : runUnit(unit, unitOptions)))),
        );
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
    const lost = (await Promise.all(locks.map((lock) => lock.release().catch(() => false)))).filter((released) => !released).length;
    if (lost > 0) log.warn('some locks were taken over by another run before this one released them', { locks: lost });
  }

  function skipped(name: string, stateUrl: string): UnitResult {
    const reason = signal.reason instanceof StopRequest ? signal.reason : new StopRequest('stopped', 'stopped');
    return {
      name,
      status: 'failed',
      failure: reason.kind,
      message: `not started: ${reason.message}`,
      stateUrl,
      stateFound: false,
      statesSaved: 0,
      stateSaved: false,
      records: {},
      startedAt: new Date().toISOString(),
      durationMs: 0,
    };
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
