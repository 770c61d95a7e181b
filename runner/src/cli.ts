import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { aboutDocument, createLogger, errorText, exitCodeFor, logFailure, packageVersion, redact, settingsHelp, UsageError } from '@observes/protocol';
import { PIPELINE_SCHEMA } from './pipeline-schema.js';
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

const version = packageVersion(new URL('../package.json', import.meta.url));
const about = aboutDocument({
  name: 'observes',
  version,
  description: 'Runs pipeline files (a tap piped into a target, or phases of steps) with state, retries and a report; validates them and manages their state.',
  capabilities: ['run', 'validate', 'state', 'schema', 'demo', 'job', 'about'],
  settings: PIPELINE_SCHEMA,
});

// `--version` and `--about` of the program itself, answered before the commands (whose own options may reuse the
// names: `observes state show <pipeline> --version <id>`).
const argv = hideBin(process.argv);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '--about')) {
  process.stdout.write(argv[0] === '--version' ? `${version}\n` : JSON.stringify(about, null, 2) + '\n');
  process.exit(0);
}

/**
 * The `observes` CLI. Exit codes: 0 success, 1 failure (invalid stream, failed run), 2 usage or
 * configuration error; `observes run` has its own (see the README).
 */
await yargs(argv)
  .scriptName('observes')
  .usage('$0 <command> [options]\n$0 --version | --about')
  .option('about', { type: 'boolean', global: false, describe: 'Print what the program is, what it can do and the keys of a pipeline file, as JSON' })
  .epilogue(settingsHelp(PIPELINE_SCHEMA, undefined, 'Pipeline file keys (YAML):'))
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
