import { setFlagsFromString } from 'node:v8';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { connectRunnerLink, createLogger, formatCommittedState, logFailure, packageVersion, UsageError, withProgramFlags } from '@observes/protocol';
import { ENV_PREFIX, loadConfig, targetSettings } from './config.js';
import { dialectFor } from './dialects/registry.js';
import { runTarget, stateTableOf } from './target.js';
import { openWarehouse } from './warehouse.js';

// Between full collections V8 lets the heap grow to up to 4 times the live data. A target's live data is
// its batches, all of it garbage once a batch is loaded, so the heap of a long load peaked at about 4
// batches' worth. Growing by 50% at most keeps peak memory near the live data (full collections of a
// ~50 MB heap take milliseconds). V8 reads this flag at every collection, so setting it now takes effect.
setFlagsFromString('--heap-growing-percent=50');

const log = createLogger({ name: 'target-redshift' });

const DESCRIPTION =
  'Loads a Singer stream into Amazon Redshift or PostgreSQL (see README.md); also what target-s3 wrote (--from-s3) and files pushed under an S3 prefix (--from-s3-prefix).';

const parser = yargs(hideBin(process.argv))
  .scriptName('target-redshift')
  .usage(`$0 --config config.json < singer-messages\n\n${DESCRIPTION} Every setting may also come from ${ENV_PREFIX}<SETTING>.`)
  .option('config', { type: 'string', describe: 'JSON config file (settings below)' })
  .option('from-s3', { type: 'string', describe: 'Load what target-s3 wrote: the s3://bucket/key URL of its manifest (stdin is not read)' })
  .option('from-s3-prefix', {
    type: 'string',
    describe:
      'Load the files a third party pushes under s3://bucket/prefix/ (CSV with a header, JSON lines; gzip or not), each once: needs --stream and --schema-cache',
  })
  .option('stream', { type: 'string', describe: 'With --from-s3-prefix: the stream (root table) the files load into' })
  .option('schema-cache', { type: 'string', describe: "With --from-s3-prefix: the schema cache (s3://... or file://...) holding the stream's SCHEMA" })
  .option('state', { type: 'string', describe: 'With --from-s3 or --from-s3-prefix: the state it echoed before (what it lists as loaded is skipped)' })
  .option('committed-state', {
    type: 'boolean',
    describe: 'Print the last committed state ({} when none) and exit: tap --state <(target-redshift --config c.json --committed-state)',
  })
  .option('commit-record', { type: 'boolean', describe: 'Print the last committed state with its sequence and run as JSON (null when none) and exit' })
  .check((args) =>
    args.state === undefined || args.fromS3 !== undefined || args.fromS3Prefix !== undefined
      ? true
      : '--state is only for --from-s3 and --from-s3-prefix (a target reads no state; its committed state is in _sdc_state)',
  )
  .check((args) =>
    args.fromS3Prefix === undefined || (args.stream !== undefined && args.schemaCache !== undefined)
      ? true
      : '--from-s3-prefix needs --stream and --schema-cache',
  )
  .conflicts('from-s3', 'from-s3-prefix')
  .strict()
  .help()
  .fail((message, error) => {
    // Exit 2 and one log entry, like every program's usage or config error.
    process.exit(logFailure(log, error ?? new UsageError(`${message} (see target-redshift --help)`)));
  });
const argv = await withProgramFlags(parser, {
  name: 'target-redshift',
  version: packageVersion(new URL('../package.json', import.meta.url)),
  description: DESCRIPTION,
  capabilities: ['committed-state', 'activate-version', 'hard-delete', 'from-s3', 'about'],
  settings: targetSettings,
  envPrefix: ENV_PREFIX,
}).parseAsync();

const reporting = Boolean(argv.committedState || argv.commitRecord);
// First thing: under a runner that is already gone, no load is completed.
const link = reporting ? undefined : connectRunnerLink();
try {
  const config = loadConfig(argv.config);
  if (reporting) {
    const warehouse = await openWarehouse(config);
    try {
      const dialect = dialectFor(warehouse.dialect).defaultSql;
      process.stdout.write(formatCommittedState(await stateTableOf(warehouse, () => dialect, config).read(), Boolean(argv.commitRecord)));
    } finally {
      await warehouse.close();
    }
  } else if (argv.fromS3Prefix) {
    const { loadFromS3Prefix } = await import('./from-s3-prefix.js');
    await loadFromS3Prefix({
      config,
      prefixUrl: argv.fromS3Prefix,
      stream: argv.stream!,
      schemaCache: argv.schemaCache!,
      stateFile: argv.state,
      output: process.stdout,
      log,
    });
  } else if (argv.fromS3) {
    const { loadFromS3 } = await import('./from-s3.js');
    await loadFromS3({ config, manifestUrl: argv.fromS3, stateFile: argv.state, output: process.stdout, log });
  } else {
    await runTarget({ config, input: process.stdin, output: process.stdout, log, inputComplete: link!.inputComplete });
  }
} catch (error) {
  // 2 for a bad config, refused credentials or a dialect the server cannot run; 1 otherwise.
  process.exitCode = logFailure(log, error);
}
