import type { Logger } from './logger.js';
import { causeChain, ConfigError, ObservesError } from './errors.js';
import { redact } from './secret-redaction.js';

/**
 * Exit codes every Observes program (tap, target, job) uses, so that a runner or a shell can tell a failure a
 * rerun may fix from one it cannot. The `observes` runner adds its own codes above these (see its README).
 */
export const EXIT_CODE = {
  /** Success. */
  ok: 0,
  /** A failure a rerun may fix: a network error, a timeout, a server error, bad input data. */
  failed: 1,
  /** Bad configuration or usage, refused credentials, a request the server refuses (4xx other than 408/429): rerunning as is cannot help. */
  config: 2,
} as const;

/** A command-line usage error (unknown option, missing argument): exit {@link EXIT_CODE.config}. */
export class UsageError extends ConfigError {}

interface ErrorShape {
  name?: string;
  exitCode?: unknown;
  problems?: unknown;
  /** HTTP status (the tap SDK's `HttpError`). */
  status?: unknown;
  /** PostgreSQL SQLSTATE. */
  code?: unknown;
  /** AWS SDK errors. */
  $metadata?: { httpStatusCode?: number };
}

const refused = (status: unknown) => typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * Whether rerunning unchanged cannot fix what `error` reports: a `ConfigError` or {@link UsageError}, an HTTP
 * or AWS status 4xx other than 408 and 429 (authentication, permissions, not found), PostgreSQL's refused
 * authorization (SQLSTATE class 28) or unknown database (3D000).
 */
export function isPermanentError(error: unknown): boolean {
  if (error instanceof ObservesError) return error.kind === 'config';
  const e = (error ?? {}) as ErrorShape;
  if (e.name === 'ConfigError' || e.name === 'UsageError') return true;
  if (refused(e.status) || refused(e.$metadata?.httpStatusCode)) return true;
  return typeof e.code === 'string' && /^(28...|3D000)$/.test(e.code);
}

/** The exit code of a program that failed with `error`: its own `exitCode` if it has one, else 2 for a permanent error, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  const own = (error as ErrorShape | undefined)?.exitCode;
  if (typeof own === 'number' && Number.isInteger(own) && own > 0) return own;
  return isPermanentError(error) ? EXIT_CODE.config : EXIT_CODE.failed;
}

/**
 * Whether a rerun may succeed after `error`: it, or one of its causes, is retryable (a batch the warehouse did not
 * take because the connection dropped is worth another attempt). Never for a config error: it exits 2.
 */
function mayRetry(error: ObservesError): boolean {
  if (error.kind === 'config') return false;
  const seen = new Set<unknown>();
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e instanceof ObservesError && e.retryable) return true;
  }
  return false;
}

/**
 * Logs the error that ends a program as one `error` entry (message redacted; a config error's problems
 * joined into its first line and listed as `problems`) and returns the exit code to end with ({@link exitCodeFor}).
 * The entry also says what the runner needs to decide on a retry and to explain the failure: for an
 * {@link ObservesError}, its `kind` and `retryable` (whether it or one of its causes is retryable); when the error has causes, their messages as `causes`
 * (outermost first, each redacted). The `observes` runner shows the message and its causes as the child's last
 * error in its summary and report, and retries an exit code 1 only when the entry does not say `retryable: false`.
 */
export function logFailure(logger: Logger, error: unknown): number {
  const e = error as (Error & ErrorShape) | undefined;
  const code = exitCodeFor(error);
  const problems = Array.isArray(e?.problems) ? e.problems.map((p) => redact(String(p))) : undefined;
  const message = e?.message ?? String(error);
  // A config error's message lists its problems on lines of their own: one line in a log entry.
  const text =
    problems && !(problems.length === 1 && problems[0] === message) ? `${message.split('\n')[0].replace(/:$/, '')}: ${problems.join('; ')}` : message;
  const causes = causeChain(error).slice(1).map(redact);
  const kind = error instanceof ObservesError ? { kind: error.kind, retryable: mayRetry(error) } : {};
  logger.error(redact(text), {
    error: e?.name ?? typeof error,
    exit_code: code,
    ...kind,
    ...(problems ? { problems } : {}),
    ...(causes.length > 0 ? { causes } : {}),
  });
  return code;
}
