import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** How a child process ended. */
export interface ChildExit {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Signal that killed it, if any. */
  signal: NodeJS.Signals | null;
}

/** A started child with a promise of its end (after its output streams closed too). */
export interface StartedChild {
  child: ChildProcess;
  /** Resolves once the process exited and its stdio closed; failure to start resolves with code 127. */
  exit: Promise<ChildExit & { error?: Error }>;
  /** Whether the process has ended. */
  ended(): boolean;
}

/** Spawns a child; never throws (a missing executable shows as exit code 127 with an error). */
export function startChild(command: string, args: string[], options: SpawnOptions): StartedChild {
  const child = spawn(command, args, options);
  let done = false;
  const exit = new Promise<ChildExit & { error?: Error }>((resolve) => {
    child.once('error', (error) => {
      if (child.pid === undefined) {
        done = true;
        resolve({ code: 127, signal: null, error });
      }
    });
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  return { child, exit, ended: () => done };
}

/**
 * Stops a child: SIGTERM, then SIGKILL if it is still running after `graceMs`. The grace lets a
 * target roll back or finish committing what it already received.
 */
export function stopChild(started: StartedChild, graceMs: number): void {
  if (started.ended()) return;
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!started.ended()) started.child.kill('SIGKILL');
  }, graceMs);
  timer.unref();
  void started.exit.then(() => clearTimeout(timer));
}

/** Calls `onLine` for each line of a stream; resolves when it ends. */
export function forwardLines(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
  return new Promise((resolve) => lines.once('close', resolve));
}

/** Describes an exit for messages: `exit code 3` or `signal SIGKILL`. */
export function describeExit(exit: ChildExit & { error?: Error }): string {
  if (exit.error) return `could not start: ${exit.error.message}`;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
