import { loadSettings } from '@observes/protocol';
import { envPrefix } from '@observes/tap-sdk/config';
import { configSchema, type DynamoTapConfig } from './tap-config.js';

/**
 * Reads the JSON config file (optional when the environment gives every setting), applies
 * `TAP_DYNAMODB_<SETTING>` environment overrides and defaults, and validates it. Digit strings are taken for
 * integers: `${VAR}` interpolation in pipeline files yields them.
 * @throws ConfigError listing every problem
 */
export function loadTapConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): DynamoTapConfig {
  return loadSettings(configSchema, { path, envPrefix: envPrefix('dynamodb'), env, coerceTypes: true });
}

/** Which segments a process scans. */
export interface SegmentChoice {
  /** The one segment this process scans; undefined: all of them. */
  segment: number | undefined;
  totalSegments: number;
}

function envIndex(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * The segment a process owns and the number of segments: flags first, then the config, then the
 * array job's environment (`OBSERVES_ARRAY_INDEX`/`OBSERVES_ARRAY_SIZE` from `observes run`,
 * `AWS_BATCH_JOB_ARRAY_INDEX` from AWS Batch), else every segment of a 1-segment scan.
 */
export function chooseSegments(
  config: DynamoTapConfig,
  flags: { segment?: number; totalSegments?: number },
  env: NodeJS.ProcessEnv = process.env,
): SegmentChoice {
  const segment = flags.segment ?? config.segment ?? envIndex(env, 'OBSERVES_ARRAY_INDEX') ?? envIndex(env, 'AWS_BATCH_JOB_ARRAY_INDEX');
  const totalSegments = flags.totalSegments ?? config.total_segments ?? envIndex(env, 'OBSERVES_ARRAY_SIZE') ?? 1;
  if (totalSegments < 1) throw new Error(`the number of segments must be at least 1, got ${totalSegments}`);
  if (segment !== undefined && segment >= totalSegments) {
    throw new Error(`segment ${segment} is out of range: the table is scanned in ${totalSegments} segments (0 to ${totalSegments - 1})`);
  }
  return { segment, totalSegments };
}
