import { writeFileSync } from 'node:fs';
import { ConfigError, createLogger, flagName, flagType, loadSettings, redact } from '@observes/protocol';
import { createClock, standaloneTapCli } from '@observes/tap-sdk';
import { JOB_EXIT, jobEnvPrefix, jobSettings, type JobDefinition } from './job-definition.js';

/** Where a job run writes; the process's by default. Tests pass their own. */
export interface RunJobOptions {
  /** Arguments after the program name; default `process.argv.slice(2)`. */
  argv?: string[];
  /** Environment (settings, `OBSERVES_FROZEN_TIME`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** stderr; default `process.stderr`. */
  stderr?: (text: string) => void;
  /** stdout (for `--report -`); default `process.stdout`. */
  stdout?: (text: string) => void;
}

/**
 * Runs a job's command line: `--config <file>` (JSON), a flag per scalar setting, `--report <file>`,
 * `--about`, `--version`, `--help`. Exit codes are {@link JOB_EXIT}: 2 for a usage or config error
 * (every problem listed), 1 when the job failed, else what the job returned.
 * @returns the exit code (also set as `process.exitCode` when running for real)
 */
export async function runJob<Config>(job: JobDefinition<Config>, options: RunJobOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const writeErr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const writeOut = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const logger = createLogger({ name: job.name, write: writeErr });
  const settings = jobSettings(job as JobDefinition<unknown>);
  const properties = settings.properties ?? {};
  const prefix = jobEnvPrefix(job.name);
  let code: number = JOB_EXIT.ok;

  let parser = standaloneTapCli({
    name: job.name,
    version: job.version,
    argv: options.argv ?? process.argv.slice(2),
    about: { description: job.description, settings, envPrefix: prefix },
  })
    .usage(`$0 [options]\n\n${job.description}\n\nSettings come from --config, then ${prefix}<SETTING> variables, then these flags.`)
    .option('config', { type: 'string', describe: 'JSON file of settings' })
    .option('report', { type: 'string', nargs: 1, describe: 'Write the JSON report to this file (- for stdout)' })
    // The runner hands a job step its saved state; jobs keep none.
    .option('state', { type: 'string', hidden: true })
    .exitProcess(false);
  for (const [setting, schema] of Object.entries(properties)) {
    const type = flagType(schema);
    if (type)
      parser = parser.option(flagName(setting), {
        type,
        describe: String(schema.description ?? ''),
        ...(schema.enum ? { choices: schema.enum as string[] } : {}),
      });
  }
  parser = parser.fail((message, error) => {
    throw error ?? new ConfigError([message]);
  });

  try {
    const args = await parser.parseAsync();
    if (args.help || args.version || args.about) return code;
    const overrides: Record<string, unknown> = {};
    for (const setting of Object.keys(properties)) {
      const value = args[flagName(setting)];
      if (value !== undefined) overrides[setting] = value;
    }
    const config = loadSettings(settings, { path: args.config as string | undefined, envPrefix: prefix, env, overrides }) as Config;
    const clock = createClock(env.OBSERVES_FROZEN_TIME || undefined);
    const outcome = await job.run({ config, logger, now: () => clock.now(), print: writeErr });
    if (typeof args.report === 'string') {
      const text = redact(JSON.stringify(outcome.report, null, 2)) + '\n';
      if (args.report === '-') writeOut(text);
      else writeFileSync(args.report, text);
    }
    code = outcome.exitCode;
  } catch (error) {
    if (error instanceof ConfigError) {
      code = JOB_EXIT.usage;
      logger.error(redact(`invalid settings: ${error.problems.join('; ')}`), { problems: error.problems.map(redact) });
    } else {
      code = JOB_EXIT.error;
      logger.error(redact((error as Error)?.message ?? String(error)), { error: (error as Error)?.name });
    }
  }
  if (!options.stderr) process.exitCode = code;
  return code;
}
