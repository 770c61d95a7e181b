import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  commitOf,
  ConfigError,
  errorText,
  EXIT_CODE,
  InputError,
  listenRunnerLink,
  parseCommittedState,
  parseMessage,
  readLineBatches,
  redact,
  STATE_SEQUENCE_ENV,
  type CommittedState,
  type Logger,
  type RunnerLinkServer,
} from '@observes/protocol';
import { openStateStore, type OpenStateStoreOptions, type StateRecord, type StateStore } from '@observes/state';
import { selectStreams } from './catalog-selection.js';
import { ChildOutput } from './child-output.js';
import { describeExit, forwardLines, startChild, stopChild, type ChildExit } from './child-process.js';
import type { ResolvedProgram, RunUnit } from './pipeline-config.js';
import { programCapabilities } from './program-capabilities.js';
import type { ProgressReporter } from './progress-reporter.js';
import { RecordCounter } from './record-counter.js';
import { resolveCommand } from './resolve-command.js';
import { decideResume } from './resume-decision.js';
import type { FailureKind, UnitResult } from './run-result.js';
import { StateSaver } from './state-saver.js';
import { createPrivateDir } from './private-dir.js';

/** Why a run is being stopped, as the abort reason of {@link RunUnitOptions.signal}. */
export class StopRequest extends Error {
  constructor(
    readonly kind: 'stopped' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link runUnit}. */
export interface RunUnitOptions {
  /** Directory commands and relative paths resolve against (the pipeline file's); the children run in it. */
  baseDir: string;
  /** Logger; the unit name is added to each line. */
  logger: Logger;
  /** Aborting stops both children (SIGTERM, then SIGKILL after the grace); the reason should be a {@link StopRequest}. */
  signal?: AbortSignal;
  /** Time a child gets between SIGTERM and SIGKILL, in ms (default 10 000). */
  killGraceMs?: number;
  /** Reports records per second while running. */
  progress?: ProgressReporter;
  /** Receives each line the children write on stderr, secrets masked, wrapped in a JSON entry naming the unit and the child (default: our stderr). */
  stderr?: (line: string) => void;
  /** Forward child lines as JSON entries (default) or, when false, as readable `[unit] tap: …` text (a TTY). */
  json?: boolean;
  /** Base environment of the children (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Options of the state store. */
  state?: OpenStateStoreOptions;
  /** Opens the state store (default {@link openStateStore}); tests inject a faulty one. */
  openStore?: (url: string) => StateStore;
  /** The run's id, recorded with each saved state (default: the programs' `OBSERVES_RUN_ID`). */
  runId?: string;
}

/** The executable and fixed arguments of a program; a command that cannot be found is a config error. */
function resolveArgv(program: ResolvedProgram, role: string, baseDir: string): [string, string[]] {
  try {
    return [resolveCommand(program.argv[0], baseDir), program.argv.slice(1)];
  } catch (error) {
    throw new ConfigError(role, { cause: error });
  }
}

/** Writes a JSON file readable only by us: configs hold secrets. */
async function writePrivateJson(dir: string, name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value), { mode: 0o600 });
  return path;
}

/**
 * Whether a rerun may fix what ended a child: never after exit code 2 (bad config, refused credentials or request),
 * nor after an exit code 1 whose last error entry says `retryable: false` (bad input, a refused load: the same data
 * fails again); otherwise yes (a crash, a signal, a transient failure, a child that says nothing).
 */
function mayRetry(exit: ChildExit, output: ChildOutput): boolean {
  return exit.code !== EXIT_CODE.config && output.lastErrorRetryable !== false;
}

/** A program run by {@link printedBy} failed: says how, and whether a rerun may help. */
class PrintFailed extends Error {
  readonly retryable: boolean;
  constructor(what: string, exit: ChildExit & { error?: Error }, output: ChildOutput) {
    super(`${what} failed: ${describeExit(exit)}${output.reason}`);
    this.retryable = mayRetry(exit, output);
  }
}

/** Runs a program that prints something and exits (`--discover`, `--commit-record`); returns its stdout, or throws {@link PrintFailed} naming `what`. */
async function printedBy(what: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, output: ChildOutput): Promise<string> {
  const started = startChild(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
  const chunks: Buffer[] = [];
  started.child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const [exit] = await Promise.all([started.exit, forwardLines(started.child.stderr, (line) => output.line(line))]);
  if (exit.code !== 0) throw new PrintFailed(what, exit, output);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `tap --config … --discover` and returns the catalog it prints. */
async function discover(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, output: ChildOutput): Promise<unknown> {
  const text = await printedBy('tap --discover', command, [...args, '--discover'], env, cwd, output);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError('tap --discover printed no JSON catalog', { cause: error });
  }
}

/** Runs `<target> --config … --commit-record` and returns the committed state it prints. */
async function readCommittedState(
  role: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  output: ChildOutput,
): Promise<CommittedState | undefined> {
  return parseCommittedState(await printedBy(role, command, [...args, '--commit-record'], env, cwd, output));
}

/**
 * Runs one unit. A pipe unit: loads the state, starts the tap with `--config`, `--state` and
 * `--catalog` (private temporary files, removed after) and the target with `--config`, pipes the
 * tap's stdout into the target, and saves each STATE the target echoes as it arrives (never the
 * tap's own). If the tap fails, the target is stopped before its input ends, so a full refresh
 * waiting for ACTIVATE_VERSION is never swapped in. If the target fails, the tap is stopped.
 * A job unit runs its one program with `--config` (and `--state` when it says `pass_state`), saving
 * the STATEs it prints. Before starting, a target (or job) that reports its committed state is asked
 * for it, and the run resumes from the newer of it and the store's ({@link decideResume}); the target
 * gets a runner link (`@observes/protocol` runner-link) so that it never completes a load when this
 * process dies. Never throws: failures are in the result.
 */
export async function runUnit(unit: RunUnit, options: RunUnitOptions): Promise<UnitResult> {
  const startedAt = new Date();
  const log = options.logger.child({ unit: unit.name });
  const grace = options.killGraceMs ?? 10_000;
  const forward = options.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const counter = new RecordCounter();
  let failure: { kind: FailureKind; message: string; retryable: boolean } | undefined;
  const fail = (kind: FailureKind, message: string, retryable = true) => {
    if (!failure) {
      failure = { kind, message, retryable };
      log.error('run failing', { failure: kind, reason: message });
    }
  };
  let stateFound = false;
  let saver: StateSaver | undefined;
  let tapExit: string | undefined;
  let targetExit: string | undefined;
  let tmp: string | undefined;
  let link: RunnerLinkServer | undefined;
  let tapOutput: ChildOutput | undefined;
  let targetOutput: ChildOutput | undefined;
  let untrack = () => undefined as void;

  try {
    if (options.signal?.aborted) throw options.signal.reason;
    let store: StateStore;
    let record: StateRecord | undefined;
    try {
      store = (options.openStore ?? ((url) => openStateStore(url, options.state)))(unit.stateUrl);
      record = await store.readRecord();
    } catch (error) {
      fail('state', `cannot read the state at ${unit.stateUrl}: ${errorText(error)}`);
      return result();
    }
    // A job step has no tap: the job plays the target's part (its stdout may echo STATE) with no input.
    const consumerRole = unit.job ? 'job' : 'target';
    const consumerProgram = unit.job ?? unit.target;
    let tapCommand = '';
    let tapArgs: string[] = [];
    let targetCommand: string;
    let targetArgs: string[];
    try {
      if (unit.tap) [tapCommand, tapArgs] = resolveArgv(unit.tap, 'tap', options.baseDir);
      [targetCommand, targetArgs] = resolveArgv(consumerProgram, consumerRole, options.baseDir);
    } catch (error) {
      fail('config', errorText(error), false);
      return result();
    }
    const baseEnv = options.env ?? process.env;
    const runId = options.runId ?? consumerProgram.env.OBSERVES_RUN_ID ?? 'unknown';
    const targetEnv: NodeJS.ProcessEnv = { ...baseEnv, ...consumerProgram.env, OBSERVES_PIPELINE: unit.stateId };
    const json = options.json ?? true;
    tapOutput = new ChildOutput({ unit: unit.name, role: 'tap', json, write: forward });
    targetOutput = new ChildOutput({ unit: unit.name, role: consumerRole, json, write: forward });
    const consumerOutput = targetOutput;

    tmp = await createPrivateDir();
    if (consumerProgram.config) targetArgs.push('--config', await writePrivateJson(tmp, `${consumerRole}-config.json`, consumerProgram.config));

    // Resume from the truth: the target's own commit record may be newer than the store (a crash
    // between its commit and our save), or the store may hold a state set by hand.
    let committed: CommittedState | undefined;
    if (consumerProgram.committedState ?? programCapabilities(targetCommand, targetArgs).has('committed-state')) {
      try {
        committed = await readCommittedState(consumerRole, targetCommand, targetArgs, targetEnv, options.baseDir, consumerOutput);
      } catch (error) {
        // A target that cannot say what it committed (a bad config, an unreachable warehouse) fails the run as if it had started.
        const message = error instanceof PrintFailed ? error.message : `${consumerRole} printed no commit record: ${errorText(error)}`;
        fail(unit.job ? 'job' : 'target', redact(message), !(error instanceof PrintFailed) || error.retryable);
        return result();
      }
    }
    const decision = decideResume(record, committed, runId);
    log.info('resume point', {
      from: decision.source,
      sequence: decision.sequence,
      store_sequence: record?.sequence,
      target_sequence: committed?.sequence,
      reason: decision.reason,
    });
    if (decision.storeUpdate) {
      try {
        await store.write(decision.storeUpdate.value, decision.storeUpdate.meta);
      } catch (error) {
        fail('state', `cannot bring the state at ${unit.stateUrl} up to date: ${redact(errorText(error))}`);
        return result();
      }
    }
    const state = decision.value;
    stateFound = state !== undefined;
    targetEnv[STATE_SEQUENCE_ENV] = String(decision.sequence);
    link = await listenRunnerLink(join(tmp, 'link.sock'));
    Object.assign(targetEnv, link.env);
    const stateFile = state === undefined ? undefined : await writePrivateJson(tmp, 'state.json', state);
    if (unit.job?.passState && stateFile) targetArgs.push('--state', stateFile);
    let tapEnv: NodeJS.ProcessEnv = {};
    if (unit.tap) {
      tapEnv = { ...baseEnv, ...unit.tap.env, OBSERVES_PIPELINE: unit.stateId };
      if (unit.tap.config) tapArgs.push('--config', await writePrivateJson(tmp, 'tap-config.json', unit.tap.config));
      let catalog = unit.tap.catalog;
      if (unit.tap.select) {
        try {
          catalog = selectStreams(catalog ?? (await discover(tapCommand, tapArgs, tapEnv, options.baseDir, tapOutput)), unit.tap.select);
        } catch (error) {
          fail('tap', errorText(error), !(error instanceof PrintFailed) || error.retryable);
          return result();
        }
      }
      if (stateFile) tapArgs.push('--state', stateFile);
      if (catalog !== undefined) tapArgs.push('--catalog', await writePrivateJson(tmp, 'catalog.json', catalog));
    }

    saver = new StateSaver(store, runId, decision.sequence, (error) =>
      log.error('could not save state', { url: unit.stateUrl, error: redact(errorText(error)) }),
    );
    log.info('starting', {
      ...(unit.tap ? { tap: unit.tap.argv.join(' ') } : {}),
      [consumerRole]: consumerProgram.argv.join(' '),
      state: unit.stateUrl,
      resuming: stateFound,
    });
    const target = startChild(targetCommand, targetArgs, { stdio: [unit.tap ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: targetEnv, cwd: options.baseDir });
    const tap = unit.tap ? startChild(tapCommand, tapArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: tapEnv, cwd: options.baseDir }) : undefined;
    untrack = options.progress?.track(unit.name, counter) ?? untrack;

    const stopBoth = () => {
      if (tap) stopChild(tap, grace);
      stopChild(target, grace);
    };
    const onAbort = () => {
      const reason = options.signal?.reason;
      fail(reason instanceof StopRequest ? reason.kind : 'stopped', reason instanceof Error ? reason.message : 'stopped');
      stopBoth();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // The pipe, by hand: the target's stdin must only end when the tap succeeded.
    const targetIn = target.child.stdin;
    if (tap && targetIn) {
      targetIn.on('error', () => undefined); // EPIPE when the target dies first: its exit tells why
      const tapOut = tap.child.stdout!;
      tapOut.on('data', (chunk: Buffer) => {
        counter.push(chunk);
        if (!targetIn.destroyed && !targetIn.write(chunk)) {
          tapOut.pause();
          targetIn.once('drain', () => tapOut.resume());
        }
      });
    }

    const runnerLink = link;
    const tapDone = tap?.exit.then(async (exit) => {
      counter.end();
      tapExit = describeExit(exit);
      if (exit.code === 0 && !failure) {
        // The target may complete the load only on this word: an input that ends without it is an orphaned pipe.
        await runnerLink.inputComplete();
        targetIn!.end();
      } else {
        // Exit 2: bad config, refused credentials or request; a rerun cannot help. Nor can one after bad input.
        fail('tap', `tap failed: ${tapExit}${tapOutput!.reason}`, mayRetry(exit, tapOutput!));
        stopChild(target, grace); // before its input ends: no full refresh is completed
      }
    });
    const targetDone = target.exit.then((exit) => {
      targetExit = describeExit(exit);
      if (exit.code !== 0) fail(unit.job ? 'job' : 'target', `${consumerRole} failed: ${targetExit}${targetOutput!.reason}`, mayRetry(exit, targetOutput!));
      else if (tap && !tap.ended()) fail('target', 'target exited before the end of its input');
      if (tap) stopChild(tap, grace);
    });
    const readStates = (async () => {
      try {
        for await (const lines of readLineBatches(target.child.stdout!)) {
          for (const { text, line } of lines) {
            try {
              const message = parseMessage(text, line);
              if (message.type === 'STATE') saver!.save(message.value, commitOf(message as { commit?: unknown }));
            } catch {
              log.warn('target wrote a line that is not a Singer message on stdout', { line, text: redact(text.slice(0, 200)) });
            }
          }
        }
      } catch (error) {
        log.warn('stopped reading the target output', { error: errorText(error) });
        target.child.stdout!.resume();
      }
    })();
    await Promise.all([
      tapDone,
      targetDone,
      readStates,
      forwardLines(tap?.child.stderr ?? null, (line) => tapOutput!.line(line)),
      forwardLines(target.child.stderr, (line) => targetOutput!.line(line)),
    ]);
    options.signal?.removeEventListener('abort', onAbort);
    await saver.flush();
    if (saver.error) fail('state', `could not save the last state to ${unit.stateUrl}: ${redact(errorText(saver.error))}`);
  } catch (error) {
    if (error instanceof StopRequest) fail(error.kind, error.message);
    else fail('config', redact(errorText(error)), false);
  } finally {
    untrack();
    await link?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
  return result();

  function result(): UnitResult {
    const r: UnitResult = {
      name: unit.name,
      status: failure ? 'failed' : 'succeeded',
      failure: failure?.kind,
      message: failure?.message,
      ...(failure ? { retryable: failure.retryable } : {}),
      stateUrl: unit.stateUrl,
      stateFound,
      statesSaved: saver?.saved ?? 0,
      stateSaved: saver !== undefined && saver.saved > 0 && saver.upToDate,
      records: Object.fromEntries(counter.counts),
      ...(targetOutput?.recordsLoaded ? { recordsLoaded: targetOutput.recordsLoaded } : {}),
      tapExit,
      targetExit,
      ...(tapOutput?.lastError ? { tapError: tapOutput.lastError } : {}),
      ...(targetOutput?.lastError ? { targetError: targetOutput.lastError } : {}),
      ...(tapOutput?.lastErrorCauses ? { tapCauses: tapOutput.lastErrorCauses } : {}),
      ...(targetOutput?.lastErrorCauses ? { targetCauses: targetOutput.lastErrorCauses } : {}),
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
    };
    log.info(r.status === 'succeeded' ? 'run succeeded' : 'run failed', { records: counter.total(), states_saved: r.statesSaved, duration_ms: r.durationMs });
    return r;
  }
}
