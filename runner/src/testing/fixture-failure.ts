import { ConfigError, createLogger, InputError, LoadError, logFailure, TransientError, type ErrorKind } from '@observes/protocol';

/** A failure a fixture program ends with, as every Observes program does: an error of the hierarchy, with causes. */
export interface FixtureFailure {
  kind: ErrorKind;
  message: string;
  /** The messages of its causes, outermost first (plain errors, but for `causeKind`). */
  causes?: string[];
  /** The kind of its first cause, when that cause is of the hierarchy too (a load refused because of a transient failure). */
  causeKind?: ErrorKind;
}

const CLASSES = { config: ConfigError, input: InputError, load: LoadError, transient: TransientError } as const;

/** Logs `failure` with `logFailure` (the JSON entry with kind, retryable and causes) and exits with the code it returns. */
export function exitWithFailure(name: string, failure: FixtureFailure): never {
  let cause: Error | undefined;
  const causes = failure.causes ?? [];
  for (const message of causes.slice(1).reverse()) cause = new Error(message, cause ? { cause } : undefined);
  if (causes.length > 0) cause = failure.causeKind ? new CLASSES[failure.causeKind](causes[0], { cause }) : new Error(causes[0], cause ? { cause } : undefined);
  const error = new CLASSES[failure.kind](failure.message, { cause });
  process.exit(logFailure(createLogger({ name, json: true }), error));
}
