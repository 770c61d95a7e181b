import type { JsonSchema } from '@observes/protocol';
import type { MonthColumn } from './commits-query.js';

/** The validated settings of compute-bills (see {@link computeBillsSettings} for each one's meaning). */
export interface ComputeBillsConfig {
  month: string;
  warehouse_url?: string;
  warehouse_host?: string;
  warehouse_port: number;
  warehouse_user?: string;
  warehouse_password?: string;
  warehouse_database?: string;
  warehouse_ssl: boolean;
  commits_schema: string;
  commits_table: string;
  month_column: MonthColumn;
  exclude_hashes: string[];
  exclude_authors: string[];
  aliases_file?: string;
  platform_api_url: string;
  platform_token: string;
  missing_organization: 'report' | 'standalone';
  bills_bucket: string;
  bills_prefix: string;
  s3_endpoint?: string;
  s3_region?: string;
}

/** The one declaration of compute-bills' settings: flags, `COMPUTE_BILLS_<SETTING>` variables, `--help`, `--about` and the README come from it. */
export const computeBillsSettings: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['platform_api_url', 'platform_token'],
  anyOf: [{ required: ['warehouse_url'] }, { required: ['warehouse_host', 'warehouse_user', 'warehouse_database'] }],
  properties: {
    month: { type: 'string', pattern: '^(current|previous|\\d{4}-(0[1-9]|1[0-2]))$', default: 'current', description: 'Month to bill: YYYY-MM, current or previous (UTC)' },
    warehouse_url: { type: 'string', minLength: 1, description: 'postgres://user:password@host:port/database of the warehouse, as its read user (or the warehouse_* parts)' },
    warehouse_host: { type: 'string', minLength: 1, description: 'Warehouse host' },
    warehouse_port: { type: 'integer', minimum: 1, maximum: 65535, default: 5439, description: 'Warehouse port' },
    warehouse_user: { type: 'string', minLength: 1, description: 'Warehouse read user (SELECT on the commits table only)' },
    warehouse_password: { type: 'string', description: 'Password of the read user' },
    warehouse_database: { type: 'string', minLength: 1, description: 'Warehouse database' },
    warehouse_ssl: { type: 'boolean', default: false, description: 'TLS to the warehouse (certificate verified)' },
    commits_schema: { type: 'string', minLength: 1, default: 'git', description: 'Schema of the commits table tap-git loads' },
    commits_table: { type: 'string', minLength: 1, default: 'commits', description: 'The commits table' },
    month_column: { type: 'string', enum: ['seen_at', 'authored_at', 'committed_at'], default: 'seen_at', description: 'Billing clock: seen_at bills each commit once, in the month it reached the platform; author dates can be set at will' },
    exclude_hashes: { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$' }, default: [], description: 'Commits never billed (sentinel or fixture commits)' },
    exclude_authors: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: ['\\[bot\\]', '^project_\\d+_bot', '<project_\\d+_bot'],
      description: 'Regular expressions (case-insensitive) on "Name <email>": bot accounts, never billed',
    },
    aliases_file: { type: 'string', minLength: 1, description: 'Mailmap-style file merging accounts of one person (see README)' },
    platform_api_url: { type: 'string', format: 'uri', description: 'Base URL of the platform API that maps groups to organizations' },
    platform_token: { type: 'string', minLength: 1, description: 'Token of the platform API (Authorization: Bearer)' },
    missing_organization: {
      type: 'string',
      enum: ['report', 'standalone'],
      default: 'report',
      description: 'A group the platform gives no organization: report (not billed, exit 3) or standalone (billed as its own organization, warned)',
    },
    bills_bucket: { type: 'string', minLength: 3, default: 'observes.bills', description: 'Bucket of the bills' },
    bills_prefix: { type: 'string', default: '', description: 'Key prefix of the bills inside the bucket' },
    s3_endpoint: { type: 'string', format: 'uri', description: 'S3-compatible endpoint (tests); default OBSERVES_S3_ENDPOINT, else AWS' },
    s3_region: { type: 'string', minLength: 1, description: 'Region of the bucket; default AWS_REGION, else us-east-1' },
  },
} as JsonSchema;
