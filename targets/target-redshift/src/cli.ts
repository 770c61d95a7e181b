import { setFlagsFromString } from 'node:v8';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createLogger, logFailure, UsageError } from '@observes/protocol';
import { loadConfig } from './config.js';
import { runTarget } from './target.js';

// Between full collections V8 lets the heap grow to up to 4 times the live data. A target's live data is
// its batches, all of it garbage once a batch is loaded, so the heap of a long load peaked at about 4
// batches' worth. Growing by 50% at most keeps peak memory near the live data (full collections of a
// ~50 MB heap take milliseconds). V8 reads this flag at every collection, so setting it now takes effect.
setFlagsFromString('--heap-growing-percent=50');

const log = createLogger({ name: 'target-redshift' });

const argv = await yargs(hideBin(process.argv))
  .scriptName('target-redshift')
  .usage('$0 --config config.json < singer-messages\n\nLoads a Singer stream into Amazon Redshift or PostgreSQL (see README.md). Every setting may also come from TARGET_REDSHIFT_<SETTING>.')
  .option('config', { type: 'string', describe: 'JSON config file (see README for the settings)' })
  .option('from-s3', { type: 'string', describe: 'Load what target-s3 wrote: the s3://bucket/key URL of its manifest (stdin is not read)' })
  .strict()
  .help()
  .version(false)
  .fail((message, error) => {
    // Exit 2 and one log entry, like every program's usage or config error.
    process.exit(logFailure(log, error ?? new UsageError(`${message} (see target-redshift --help)`)));
  })
  .parseAsync();

try {
  const config = loadConfig(argv.config);
  if (argv.fromS3) {
    const { loadFromS3 } = await import('./from-s3.js');
    await loadFromS3({ config, manifestUrl: argv.fromS3, output: process.stdout, log });
  } else {
    await runTarget({ config, input: process.stdin, output: process.stdout, log });
  }
} catch (error) {
  // 2 for a bad config, refused credentials or a dialect the server cannot run; 1 otherwise.
  process.exitCode = logFailure(log, error);
}
