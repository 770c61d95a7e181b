import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createLogger, logFailure, UsageError, withProgramFlags, type SettingSchema } from '@observes/protocol';

export { packageVersion } from '@observes/protocol';
import { envPrefix } from './config.js';

/** Options of {@link standaloneTapCli}. */
export interface StandaloneTapCliOptions {
  /** The executable's name, used in usage lines and as the prefix of error messages. */
  name: string;
  /** Printed by `--version`. */
  version: string;
  /** Arguments to parse; default `process.argv` without node and the script. */
  argv?: string[];
  /**
   * What `--about` prints (the JSON of `aboutDocument`: name, version, description, capabilities and the settings
   * of the declaration, then exit 0) and the settings part of `--help`; without it there is no `--about`.
   */
  about?: {
    description: string;
    /** The settings declaration. */
    settings: SettingSchema;
    /** Prefix of the settings' environment variables; default `TAP_<NAME>_`. */
    envPrefix?: string;
    /** Default `['about']`; a tap adds `discover`, `state`... */
    capabilities?: string[];
  };
}

/**
 * A yargs parser with the CLI conventions of taps that do not run through {@link runTap} (tap-json,
 * tap-dynamodb): strict options, `--help`/`-h`, `--version`, `--about`, and a failure logged as one entry
 * on stderr (JSON when not a TTY, secrets redacted) with exit code 2 for a usage or config error (or another
 * failure a rerun cannot fix, see `exitCodeFor`), 1 for any other. Declare the options and commands on it,
 * then `parseAsync()`.
 */
export function standaloneTapCli(options: StandaloneTapCliOptions): Argv {
  const { name, version, about } = options;
  const logger = createLogger({ name });
  const parser = yargs(options.argv ?? hideBin(process.argv))
    .scriptName(name)
    .strict()
    .help()
    .version(version)
    .fail((message, error) => {
      // yargs passes a failed check's text as `error` too: only a real Error is a run failure.
      process.exit(logFailure(logger, error instanceof Error ? error : new UsageError(`${message} (see ${name} --help)`)));
    });
  if (!about) return parser.alias('h', 'help');
  return withProgramFlags(parser, {
    name,
    version,
    description: about.description,
    capabilities: about.capabilities ?? ['about'],
    settings: about.settings,
    envPrefix: about.envPrefix ?? envPrefix(name),
  });
}
