import { split } from 'shlex';
import { ConfigError } from '@observes/protocol';

/** Words a shell would read as operators: a command with one would silently run something else without a shell. */
const SHELL_OPERATORS = new Set(['|', '||', '&', '&&', ';', '<', '>', '>>', '2>', '2>&1', '&>', '$(', '`']);

/**
 * Splits a command written as one string (`node mytap.mjs --flag "a b"`) into argv like a POSIX shell
 * would, quotes and backslashes respected, with no shell: nothing is expanded (`${VAR}` is left for the
 * runner's own interpolation). A list is kept as it is.
 * @throws ConfigError on an unterminated quote, or a shell operator (`|`, `>`, `&&`...): use a script or the list form
 */
export function splitCommand(command: string | readonly string[]): string[] {
  if (typeof command !== 'string') return [...command];
  let argv: string[];
  try {
    argv = split(command);
  } catch (error) {
    // The pipeline file's problem list reads only the message: it keeps the parser's words.
    throw new ConfigError(`cannot split ${JSON.stringify(command)}: ${(error as Error).message}`, { cause: error });
  }
  const operator = argv.find((word) => SHELL_OPERATORS.has(word));
  if (operator)
    throw new ConfigError(
      `${JSON.stringify(command)} holds the shell operator ${JSON.stringify(operator)}, but commands run without a shell: use a script, or the list form to pass it as an argument`,
    );
  if (argv.length === 0) throw new ConfigError('the command is empty');
  return argv;
}
