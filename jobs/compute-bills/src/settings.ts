import { setting, type SettingsOf } from '@observes/protocol';
import type { MonthColumn } from './commits-query.js';

const MONTH_COLUMNS = ['seen_at', 'authored_at', 'committed_at'] as const satisfies readonly MonthColumn[];

/** The one declaration of compute-bills' settings: type, flags, `COMPUTE_BILLS_<SETTING>` variables, `--help`, `--about` and the README come from it. */
export const computeBillsSettings = setting.object(
  {
    month: setting.string({
      pattern: '^(current|previous|\\d{4}-(0[1-9]|1[0-2]))$',
      default: 'current',
      description: 'Month to bill: YYYY-MM, current or previous (UTC)',
    }),
    warehouse_url: setting.string({
      minLength: 1,
      secret: true,
      description: 'postgres://user:password@host:port/database of the warehouse, as its read user (or the warehouse_* parts)',
      examples: ['postgres://bills:password@warehouse:5439/observes'],
    }),
    warehouse_host: setting.string({ minLength: 1, description: 'Warehouse host' }),
    warehouse_port: setting.integer({ minimum: 1, maximum: 65535, default: 5439, description: 'Warehouse port' }),
    warehouse_user: setting.string({ minLength: 1, description: 'Warehouse read user (SELECT on the commits table only)' }),
    warehouse_password: setting.string({ secret: true, description: 'Password of the read user' }),
    warehouse_database: setting.string({ minLength: 1, description: 'Warehouse database' }),
    warehouse_ssl: setting.boolean({ default: false, description: 'TLS to the warehouse (certificate verified)' }),
    commits_schema: setting.string({ minLength: 1, default: 'git', description: 'Schema of the commits table tap-git loads' }),
    commits_table: setting.string({ minLength: 1, default: 'commits', description: 'The commits table' }),
    month_column: setting.enum(MONTH_COLUMNS, {
      default: 'seen_at',
      description: 'Billing clock: seen_at bills each commit once, in the month it reached the platform; author dates can be set at will',
    }),
    exclude_hashes: setting.array(setting.string({ pattern: '^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$' }), {
      default: [],
      description: 'Commits never billed (sentinel or fixture commits)',
    }),
    exclude_authors: setting.array(setting.string({ minLength: 1 }), {
      default: ['\\[bot\\]', '^project_\\d+_bot', '<project_\\d+_bot'],
      description: 'Regular expressions (case-insensitive) on "Name <email>": bot accounts, never billed',
    }),
    aliases_file: setting.string({ minLength: 1, description: 'Mailmap-style file merging accounts of one person (see README)' }),
    platform_api_url: setting.string({ required: true, format: 'uri', description: 'Base URL of the platform API that maps groups to organizations' }),
    platform_token: setting.string({ required: true, secret: true, minLength: 1, description: 'Token of the platform API (Authorization: Bearer)' }),
    missing_organization: setting.enum(['report', 'standalone'] as const, {
      default: 'report',
      description: 'A group the platform gives no organization: report (not billed, exit 3) or standalone (billed as its own organization, warned)',
    }),
    bills_bucket: setting.string({ minLength: 3, default: 'observes.bills', description: 'Bucket of the bills' }),
    bills_prefix: setting.string({ default: '', description: 'Key prefix of the bills inside the bucket' }),
    s3_endpoint: setting.string({ format: 'uri', description: 'S3-compatible endpoint (tests); default OBSERVES_S3_ENDPOINT, else AWS' }),
    s3_region: setting.string({ minLength: 1, description: 'Region of the bucket; default AWS_REGION, else us-east-1' }),
  },
  {
    anyOf: [{ required: ['warehouse_url'] }, { required: ['warehouse_host', 'warehouse_user', 'warehouse_database'] }],
    errorMessage: { anyOf: '${path}: give "warehouse_url", or "warehouse_host", "warehouse_user" and "warehouse_database"' },
  },
);

/** The validated settings of compute-bills (see {@link computeBillsSettings} for each one's meaning). */
export type ComputeBillsConfig = SettingsOf<typeof computeBillsSettings>;
