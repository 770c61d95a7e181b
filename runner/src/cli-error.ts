/** An error the CLI reports as one line on stderr, exiting with {@link CliError.exitCode}. */
export class CliError extends Error {
  /** Process exit code: 2 for usage and configuration errors, 1 for failures. */
  readonly exitCode: number;

  /** `options.cause`: the error this one explains, kept for the log's cause chain. */
  constructor(message: string, exitCode = 2, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
