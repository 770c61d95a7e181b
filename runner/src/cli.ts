import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createLogger, errorText, exitCodeFor, logFailure, redact, UsageError } from '@observes/protocol';
import { demoCommand } from './demo-command.js';
import { jobCommand } from './job-command.js';
import { runCommand } from './run-command.js';
import { schemaCommand } from './schema-command.js';
import { stateCommand } from './state-command.js';
import { validateCommand } from './validate-command.js';

const logger = createLogger({ name: 'observes' });

/** Reports what ended the CLI: one JSON entry when stderr is not a TTY; on a TTY the whole message with its causes, every problem on its own line. */
function exitWith(error: Error): never {
  if (!process.stderr.isTTY) process.exit(logFailure(logger, error));
  process.stderr.write(`observes: ${redact(errorText(error))}\n`);
  process.exit(exitCodeFor(error));
}

/**
 * The `observes` CLI. Exit codes: 0 success, 1 failure (invalid stream, failed run), 2 usage or
 * configuration error; `observes run` has its own (see the README).
 */
await yargs(hideBin(process.argv))
  .scriptName('observes')
  .usage('$0 <command> [options]')
  .command(validateCommand)
  .command(runCommand)
  .command(stateCommand)
  .command(schemaCommand)
  .command(demoCommand)
  .command(jobCommand)
  .demandCommand(1, 'Give a command; see --help')
  .strict()
  .help()
  .alias('h', 'help')
  .version(false)
  .fail((message, error) => exitWith(error ?? new UsageError(`${message} (see observes --help)`)))
  .parseAsync();
