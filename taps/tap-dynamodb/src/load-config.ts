import { readFileSync } from 'node:fs';
import { parseJsonLossless } from '@observes/protocol';
import { applyEnvOverrides, ConfigError, validateConfig } from '@observes/tap-sdk/config';
import { configSchema, type DynamoTapConfig } from './tap-config.js';

/** Integer settings given as digit strings (`"8"`, what `${VAR}` interpolation yields) as numbers. */
function integersFromText(config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const [setting, schema] of Object.entries(configSchema.properties!)) {
    const value = out[setting];
    if (schema.type === 'integer' && typeof value === 'string' && /^\d+$/.test(value.trim())) out[setting] = Number(value);
  }
  return out;
}

/**
 * Reads the JSON config file (optional when the environment gives every setting), applies
 * `TAP_DYNAMODB_<SETTING>` environment overrides and defaults, and validates it.
 * @throws ConfigError listing every problem
 */
export function loadTapConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): DynamoTapConfig {
  let fromFile: unknown = {};
  if (path) {
    try {
      fromFile = parseJsonLossless(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigError([`cannot read config file ${path}: ${(error as Error).message}`]);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new ConfigError([`config file ${path} must hold a JSON object`]);
  }
  const config = integersFromText(applyEnvOverrides(fromFile as Record<string, unknown>, 'dynamodb', configSchema, env));
  return validateConfig(config, configSchema) as unknown as DynamoTapConfig;
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
export function chooseSegments(config: DynamoTapConfig, flags: { segment?: number; totalSegments?: number }, env: NodeJS.ProcessEnv = process.env): SegmentChoice {
  const segment = flags.segment ?? config.segment ?? envIndex(env, 'OBSERVES_ARRAY_INDEX') ?? envIndex(env, 'AWS_BATCH_JOB_ARRAY_INDEX');
  const totalSegments = flags.totalSegments ?? config.total_segments ?? envIndex(env, 'OBSERVES_ARRAY_SIZE') ?? 1;
  if (totalSegments < 1) throw new Error(`the number of segments must be at least 1, got ${totalSegments}`);
  if (segment !== undefined && segment >= totalSegments) {
    throw new Error(`segment ${segment} is out of range: the table is scanned in ${totalSegments} segments (0 to ${totalSegments - 1})`);
  }
  return { segment, totalSegments };
}
