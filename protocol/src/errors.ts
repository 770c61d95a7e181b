/**
 * The one error hierarchy of every Observes program. Each failure is one of four kinds, and the kind
 * decides the exit code and whether a rerun may help:
 *
 * - {@link ConfigError}: bad settings or usage; a rerun as is cannot help (exit 2).
 * - {@link InputError}: bad input data (a line, a record, a file); the run stops with nothing of that batch applied (exit 1).
 * - {@link LoadError}: the warehouse or store refused what was sent; names the table or object (exit 1).
 * - {@link TransientError}: a timeout, a dropped connection, a throttled or failed server; a retry may succeed (exit 1).
 *
 * Wrap with `{ cause }` instead of copying `(error as Error).message`, so the chain reaches the log and the runner.
 */

/** What kind of failure an {@link ObservesError} is. */
export type ErrorKind = 'config' | 'input' | 'load' | 'transient';

/** Options of every {@link ObservesError}. */
export interface ObservesErrorOptions {
  /** The error this one explains. */
  cause?: unknown;
}

/** Base of the hierarchy: a kind, and whether retrying the same run may succeed. */
export abstract class ObservesError extends Error {
  abstract readonly kind: ErrorKind;
  /** Whether a retry of the same run may succeed. */
  get retryable(): boolean {
    return this.kind === 'transient';
  }
  constructor(message: string, options: ObservesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** Invalid settings or usage: lists every problem at once. */
export class ConfigError extends ObservesError {
  readonly kind = 'config' as const;
  /** Each problem, one per entry (a setting and what is wrong with it). */
  readonly problems: readonly string[];
  /** With a list of problems, the message lists them one per line under `invalid configuration:`. */
  constructor(problems: string | readonly string[], options?: ObservesErrorOptions) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(typeof problems === 'string' ? problems : `invalid configuration:\n  - ${list.join('\n  - ')}`, options);
    this.problems = list;
  }
}

/** Bad input data; the message names where (line, stream, key, column). */
export class InputError extends ObservesError {
  readonly kind = 'input' as const;
}

/** The warehouse or a store refused a write; the message names the table or object. */
export class LoadError extends ObservesError {
  readonly kind = 'load' as const;
}

/** A failure a retry may fix: a timeout, a dropped connection, throttling, a server error. */
export class TransientError extends ObservesError {
  readonly kind = 'transient' as const;
}

/** The messages of `error` and of each of its causes, outermost first (each once). */
export function causeChain(error: unknown): string[] {
  const messages: string[] = [];
  const seen = new Set<unknown>();
  for (let e = error; e !== undefined && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const message = e instanceof Error ? e.message : String(e);
    if (!messages.some((m) => m.includes(message))) messages.push(message);
  }
  return messages;
}
