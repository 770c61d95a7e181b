import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { redact } from '@observes/protocol';
import { CliError } from './cli-error.js';
import { demoCommand } from './demo-command.js';
import { jobCommand } from './job-command.js';
import { runCommand } from './run-command.js';
import { schemaCommand } from './schema-command.js';
import { stateCommand } from './state-command.js';
import { validateCommand } from './validate-command.js';

/**
 * The `observes` CLI. Exit codes: 0 success, 1 failure (invalid stream, failed run), 2 usage or
 * configuration error.
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
  .fail((message, error) => {
    if (error) {
      process.stderr.write(`observes: ${redact(error.message)}\n`);
      process.exit(error instanceof CliError ? error.exitCode : 1);
    }
    process.stderr.write(`observes: ${message}\n(see observes --help)\n`);
    process.exit(2);
  })
  .parseAsync();
