import { createClock, loadConfig, type TapDefinition } from '@observes/tap-sdk';
import { timedoctorConfigSchema, type TimedoctorConfig } from './config.js';
import { tap, tapFor } from './tap.js';

/** The `--config` file named on a command line (`--config f` or `--config=f`), if any. */
function configPath(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') return argv[i + 1];
    if (argv[i].startsWith('--config=')) return argv[i].slice('--config='.length);
  }
  return undefined;
}

/**
 * The definition a command line runs, by the config it names (file and `TAP_TIMEDOCTOR_*` overrides, read as the SDK
 * reads them): a full refresh with `month` or `backups`, incremental otherwise. A config that does not load picks the
 * incremental definition, whose run then reports every problem of the config.
 */
export function tapForArgs(argv: readonly string[], env: NodeJS.ProcessEnv): TapDefinition<TimedoctorConfig> {
  try {
    const config = loadConfig({ path: configPath(argv), tapName: 'timedoctor', schema: timedoctorConfigSchema, env });
    const clock = createClock(env.OBSERVES_FROZEN_TIME || undefined);
    return tapFor(config, () => clock.now());
  } catch {
    return tap;
  }
}
