import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import type { CommandModule } from 'yargs';
import { createLogger, errorText, redact, redactFields } from '@observes/protocol';
import { openStateStore } from '@observes/state';
import { LiveStderr } from './live-stderr.js';
import { loadPipelines, type Pipeline } from './pipeline-config.js';
import { ProgressReporter } from './progress-reporter.js';
import { formatRunSummary } from './run-summary.js';
import { runPipeline } from './run-pipeline.js';
import type { PipelineResult, RunReport } from './run-result.js';
import { StopRequest } from './run-unit.js';
import { loadSopsSecrets, SECRETS_OPTION } from './sops-secrets.js';
import { selectSteps, sharedRunId, stepSelection, STEP_OPTIONS } from './step-selection.js';
import { removeAbandonedPrivateDirs } from './private-dir.js';

/** Arguments of `observes run`. */
export interface RunArgs {
  /** Pipeline files. */
  pipelines: string[];
  /** Pipelines run at once (default 1). */
  concurrency: number;
  /** Print what would run, run nothing. */
  'dry-run': boolean;
  /** Write the JSON run report here. */
  report?: string;
  /** Seconds between progress log lines when stderr is not a TTY. */
  'progress-interval': number;
  /** Seconds a child gets between SIGTERM and SIGKILL. */
  'kill-grace': number;
  /** First retry's backoff cap in seconds. */
  'retry-delay': number;
  /** Remove the pipelines' locks before running (the run holding them is known to be dead). */
  'force-unlock': boolean;
  /** Run only these steps of each pipeline (see step-selection.ts). */
  step?: string[];
  /** With one step: run only this copy of it (default `AWS_BATCH_JOB_ARRAY_INDEX`). */
  'array-index'?: number;
  /** SOPS files decrypted into the environment first. */
  secrets?: string[];
}

/**
 * What `--dry-run` prints for a pipeline: each unit's commands (run in the pipeline file's directory) and
 * state (whether a local one exists). Secrets redacted: fields named like secrets, URL credentials, and
 * every registered secret value.
 */
export async function describePipeline(pipeline: Pipeline): Promise<string> {
  const lines = [
    `pipeline ${pipeline.spec.name} run ${pipeline.runId} (${pipeline.file})${pipeline.spec.schedule ? ` schedule "${pipeline.spec.schedule}"` : ''}, retries ${pipeline.retries}${pipeline.timeoutSeconds ? `, timeout ${pipeline.timeoutSeconds}s` : ''}`,
    `  runs in: ${dirname(pipeline.file)}`,
  ];
  for (const phase of pipeline.phases) {
    if (pipeline.phases.length > 1 || pipeline.spec.steps)
      lines.push(`  step ${phase.name}: ${phase.units.length} unit(s)${phase.parallel ? ', parallel' : ', one at a time'}`);
    for (const unit of phase.units) {
      // Only local state is looked at: a dry run stays off the network.
      let state = 'not read in a dry run';
      if (!unit.stateUrl.startsWith('s3://')) {
        try {
          state = (await openStateStore(unit.stateUrl).read()) === undefined ? 'none yet: full extraction' : 'found: resumes';
        } catch (error) {
          state = `unreadable: ${errorText(error)}`;
        }
      }
      lines.push(`  ${unit.name}`);
      const config = (c: Record<string, unknown> | undefined) => (c ? ` --config <${JSON.stringify(redactFields(c))}>` : '');
      if (unit.job) lines.push(`    job:    ${unit.job.argv.join(' ')}${config(unit.job.config)}`);
      else {
        const selection = unit.tap.select ? ` (--discover, select ${unit.tap.select.join(',')})` : '';
        lines.push(
          `    tap:    ${unit.tap.argv.join(' ')}${config(unit.tap.config)}${unit.tap.catalog ? ' --catalog <file>' : ''}${selection}`,
          `    target: ${unit.target.argv.join(' ')}${config(unit.target.config)}`,
        );
      }
      lines.push(`    state:  ${unit.stateUrl} (${state})`);
    }
  }
  return redact(lines.join('\n') + '\n');
}

/** Exit code of several pipelines: 0 when all succeeded, else the first failed pipeline's. */
export function combinedExitCode(results: PipelineResult[]): number {
  return results.find((r) => r.exitCode !== 0)?.exitCode ?? 0;
}

/** `observes run <pipeline.yaml>...` */
export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <pipelines..>',
  describe: 'Run pipelines: tap | target, saving the state the target commits',
  builder: (yargs) =>
    yargs
      .positional('pipelines', { type: 'string', array: true, describe: 'Pipeline YAML files', demandOption: true })
      .option('concurrency', { alias: 'c', type: 'number', default: 1, describe: 'Pipelines run at once' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print what would run and exit' })
      .option('report', { type: 'string', describe: 'Write a JSON run report to this file' })
      .option('progress-interval', { type: 'number', default: 30, describe: 'Seconds between progress log lines when stderr is not a TTY' })
      .option('kill-grace', { type: 'number', default: 10, describe: 'Seconds a child gets between SIGTERM and SIGKILL' })
      .option('retry-delay', { type: 'number', default: 5, describe: 'Backoff cap of the first retry in seconds (doubles per retry)' })
      .option('force-unlock', {
        type: 'boolean',
        default: false,
        describe: 'Remove the locks another run of these pipelines holds (only when that run is known to be dead)',
      })
      .options({ ...STEP_OPTIONS, ...SECRETS_OPTION }) as never,
  handler: async (args) => {
    process.exitCode = await runPipelines(args);
  },
};

/** Runs `observes run`; returns the exit code. Configuration errors of any pipeline stop everything before anything runs. */
export async function runPipelines(args: RunArgs): Promise<number> {
  if (args.secrets) await loadSopsSecrets(args.secrets);
  const selection = stepSelection(args);
  const pipelines = (await loadPipelines(args.pipelines, { runId: sharedRunId() })).map((pipeline) =>
    selectSteps(pipeline, selection.steps, selection.arrayIndex),
  );
  if (args['dry-run']) {
    for (const pipeline of pipelines) process.stdout.write(await describePipeline(pipeline));
    return 0;
  }
  const terminal = new LiveStderr();
  const live = terminal.tty;
  const logger = createLogger({ name: 'observes', json: !live, write: (line) => terminal.line(line) });
  const progress = new ProgressReporter({ live, logger, terminal, intervalMs: live ? 1000 : args['progress-interval'] * 1000 });
  const stop = new AbortController();
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) return;
    stopSignal = signal;
    logger.warn('stopping: children get SIGTERM, the last committed state is kept', { signal });
    stop.abort(new StopRequest('stopped', `stopped by ${signal}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const startedAt = new Date().toISOString();
  const abandoned = await removeAbandonedPrivateDirs();
  if (abandoned.length > 0) logger.warn('removed the private directories of runners that were killed', { directories: abandoned });
  try {
    const limit = pLimit(Math.max(1, args.concurrency));
    const results = await Promise.all(
      pipelines.map((pipeline) =>
        limit(() =>
          runPipeline(pipeline, {
            logger,
            progress,
            json: !live,
            stderr: (line) => terminal.line(line),
            signal: stop.signal,
            killGraceMs: args['kill-grace'] * 1000,
            retryBaseDelayMs: args['retry-delay'] * 1000,
            forceUnlock: args['force-unlock'],
          }),
        ),
      ),
    );
    progress.stop();
    let exitCode = combinedExitCode(results);
    if (exitCode === 143 && stopSignal === 'SIGINT') exitCode = 130;
    const report: RunReport = { startedAt, finishedAt: new Date().toISOString(), exitCode, pipelines: results };
    process.stdout.write(redact(formatRunSummary(report)));
    if (args.report)
      await writeFile(args.report, JSON.stringify(report, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value), 2) + '\n');
    return exitCode;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
