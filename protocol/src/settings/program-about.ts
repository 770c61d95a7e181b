import { readFileSync } from 'node:fs';
import type { SettingSchema } from './setting-builder.js';
import { settingRows, settingsHelp, type SettingRow } from './settings-docs.js';

/** What every program's `--about` prints (Singer-style: name, version, description, capabilities, settings). */
export interface AboutDocument {
  name: string;
  version: string;
  description: string;
  /** What the program can do, e.g. `['catalog', 'discover', 'state', 'about']` for a tap. */
  capabilities: string[];
  /** Each setting with its environment variable, type, default, and whether it is required or secret. */
  settings: SettingRow[];
  /** The settings' JSON Schema, as declared. */
  settings_schema: SettingSchema;
  [extra: string]: unknown;
}

/** Options of {@link aboutDocument}. */
export interface AboutOptions {
  name: string;
  version: string;
  description: string;
  capabilities: string[];
  settings: SettingSchema;
  /** Prefix of the settings' environment variables; none for programs that do not read the environment (the runner's pipeline file). */
  envPrefix?: string;
  /** Heading of the settings in `--help`. */
  settingsTitle?: string;
  /** More fields (a tap's streams and commands). */
  extra?: Record<string, unknown>;
}

/** The `--about` document of a program, derived from its settings declaration. */
export function aboutDocument(options: AboutOptions): AboutDocument {
  return {
    name: options.name,
    version: options.version,
    description: options.description,
    capabilities: options.capabilities,
    settings: settingRows(options.settings, options.envPrefix),
    settings_schema: options.settings,
    ...options.extra,
  };
}

/**
 * The version in a package's `package.json`, for `--version` and `--about`: pass `new URL('../package.json', import.meta.url)`
 * from a package's `src/cli.ts`.
 */
export function packageVersion(packageJsonUrl: URL): string {
  return (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version: string }).version;
}

/** The parts of a yargs parser {@link withProgramFlags} uses (kept structural: protocol does not depend on yargs). */
export interface FlagsParser {
  epilogue(text: string): unknown;
  version(version: string): unknown;
  alias(short: string, long: string): unknown;
  option(name: string, options: { type: 'boolean'; describe: string }): unknown;
  middleware(callback: (args: Record<string, unknown>) => void, applyBeforeValidation: boolean): unknown;
}

/** Options of {@link withProgramFlags}. */
export interface ProgramFlagsOptions extends AboutOptions {
  /** Where `--about` writes; default stdout. */
  write?: (text: string) => void;
  /** What `--about` does after writing; default `process.exit(0)` (like yargs' `--version`). */
  exit?: () => void;
}

/**
 * The flags every program has, agreeing with each other: `--help`/`-h` (ending with the settings, their variables and
 * defaults, and an example config), `--version` and `--about` (the JSON of {@link aboutDocument}), all from the
 * settings declaration and the package version.
 */
export function withProgramFlags<P extends FlagsParser>(parser: P, options: ProgramFlagsOptions): P {
  const document = aboutDocument(options);
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const exit = options.exit ?? (() => process.exit(0));
  parser.epilogue(settingsHelp(options.settings, options.envPrefix, options.settingsTitle));
  parser.version(options.version);
  parser.alias('h', 'help');
  parser.option('about', { type: 'boolean', describe: 'print what the program is, what it can do and its settings, as JSON, and exit' });
  // Like --version: answered before any command runs or checks its options.
  parser.middleware((args) => {
    if (!args.about) return;
    write(JSON.stringify(document, null, 2) + '\n');
    exit();
  }, true);
  return parser;
}
