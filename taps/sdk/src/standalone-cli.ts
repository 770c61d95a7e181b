import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { aboutDocument, createLogger, logFailure, settingsHelp, UsageError, type SettingSchema } from '@observes/protocol';
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
 * The version in a package's `package.json`, for `--version`: pass `new URL('../package.json', import.meta.url)`
 * from a package's `src/cli.ts`.
 */
export function packageVersion(packageJsonUrl: URL): string {
  return (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version: string }).version;
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
    .alias('h', 'help')
    .version(version)
    .fail((message, error) => {
      // yargs passes a failed check's text as `error` too: only a real Error is a run failure.
      process.exit(logFailure(logger, error instanceof Error ? error : new UsageError(`${message} (see ${name} --help)`)));
    });
  if (!about) return parser;
  const prefix = about.envPrefix ?? envPrefix(name);
  const document = aboutDocument({ name, version, description: about.description, capabilities: about.capabilities ?? ['about'], settings: about.settings, envPrefix: prefix });
  return parser
    .epilogue(settingsHelp(about.settings, prefix))
    .option('about', { type: 'boolean', default: false, describe: 'Print what the program is and its settings, as JSON, then exit' })
    .middleware((args) => {
      // Like --version: answered before any command runs or checks its options.
      if (!args.about) return;
      process.stdout.write(JSON.stringify(document, null, 2) + '\n');
      process.exit(0);
    }, true);
}
