import { setting, type SettingsOf } from '@observes/protocol';

const URL_PATTERN = '^https?://';

/**
 * tap-dynamodb's settings, declared once (a JSON file; each setting can also come from `TAP_DYNAMODB_<SETTING>`): the
 * type {@link DynamoTapConfig}, validation, `--help`, `--about` and the README's table derive from it. Integer settings
 * may also be given as digit strings (what `${VAR}` interpolation in pipeline files yields).
 */
export const configSchema = setting.object({
  region: setting.string({ minLength: 1, description: 'AWS region of the tables; default AWS_REGION, else us-east-1' }),
  endpoint: setting.string({ pattern: URL_PATTERN, description: "DynamoDB endpoint (a local DynamoDB or dynalite); default AWS's" }),
  tables: setting.array(setting.string({ minLength: 3, maxLength: 255 }), {
    required: true,
    minItems: 1,
    uniqueItems: true,
    description: 'tables to extract; each becomes a stream of the same name',
    examples: [['customers']],
  }),
  total_segments: setting.integer({
    minimum: 1,
    maximum: 1_000_000,
    description: 'segments each table is scanned in (DynamoDB parallel scan); default OBSERVES_ARRAY_SIZE, else 1',
  }),
  segment: setting.integer({
    minimum: 0,
    description:
      'scan only this segment (one per process, for a phased pipeline); default OBSERVES_ARRAY_INDEX, else AWS_BATCH_JOB_ARRAY_INDEX, else every segment',
  }),
  concurrency: setting.integer({ minimum: 1, maximum: 1000, default: 4, description: 'segments scanned at the same time inside one process' }),
  page_size: setting.integer({ minimum: 1, description: "items per Scan page (Limit); default DynamoDB's 1 MB pages" }),
  schema_cache: setting.string({
    required: true,
    minLength: 1,
    description: 'schema cache URL, s3://bucket/prefix/ or file://dir, holding <table>.json (a SCHEMA message) for each table',
    examples: ['file://schemas'],
  }),
  schema_cache_endpoint: setting.string({
    pattern: URL_PATTERN,
    description: 'S3 endpoint of an s3:// schema cache (a local S3 server); default OBSERVES_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS',
  }),
  max_throttle_retries: setting.integer({
    minimum: 0,
    default: 10,
    description: "retries of a throttled request (on top of the AWS SDK's own), with full-jitter exponential backoff from 200 ms up to 20 s",
  }),
});

/** The validated settings of tap-dynamodb. */
export type DynamoTapConfig = SettingsOf<typeof configSchema>;
