import { readFileSync } from 'node:fs';
import { formatTable } from '@observes/runner/text-table';
import { createS3Client } from '@observes/state';
import { defineJob, JOB_EXIT } from '@observes/job-core';
import { billGroups, collectActivity } from './bill-builder.js';
import { billCsv, billFileName } from './bill-csv.js';
import { billFolders, resolveBillMonth } from './bill-month.js';
import { replaceFolder } from './bills-store.js';
import { Mailmap } from './mailmap.js';
import { PlatformOrganizations } from './platform-organizations.js';
import { computeBillsSettings, type ComputeBillsConfig } from './settings.js';
import { readMonthCommits } from './warehouse-commits.js';

/**
 * compute-bills: the month's commits from the warehouse → authors per group → `<group>.csv` in
 * `s3://<bills_bucket>/<prefix><YYYY>/<MM>/` and a dated copy in `<YYYY>/<MM>/<DD>/`. Rerunning a
 * month replaces its files (and removes those of groups no longer billed).
 */
export const computeBillsJob = defineJob<ComputeBillsConfig>({
  name: 'compute-bills',
  version: '0.1.0',
  description:
    'Writes one CSV per group of the authors who committed to it in a month (bots dropped, aliases merged), with the groups of the same organization each committed to, into the bills bucket.',
  settings: computeBillsSettings,
  async run({ config, logger, now, print }) {
    const month = resolveBillMonth(config.month, now());
    const aliasesText = config.aliases_file ? readFileSync(config.aliases_file, 'utf8') : '';
    const mailmap = new Mailmap(aliasesText, config.aliases_file);
    logger.info('reading commits', { month: month.month, table: `${config.commits_schema}.${config.commits_table}`, by: config.month_column });
    const activity = await collectActivity(
      readMonthCommits(
        {
          url: config.warehouse_url,
          host: config.warehouse_host,
          port: config.warehouse_port,
          user: config.warehouse_user,
          password: config.warehouse_password,
          database: config.warehouse_database,
          ssl: config.warehouse_ssl,
        },
        { schema: config.commits_schema, table: config.commits_table, column: config.month_column },
        month.start,
        month.end,
      ),
      mailmap,
      { hashes: config.exclude_hashes, authors: config.exclude_authors },
    );
    const platform = new PlatformOrganizations(config.platform_api_url, config.platform_token, logger);
    const organizations = await platform.organizationsOf(activity.groups);
    const { bills, withoutOrganization } = billGroups(activity, organizations, config.missing_organization);
    if (withoutOrganization.length > 0) {
      const billed = config.missing_organization === 'standalone';
      logger[billed ? 'warn' : 'error'](billed ? 'groups without an organization billed on their own' : 'groups without an organization are not billed', {
        groups: withoutOrganization,
      });
    }

    const folders = billFolders(month, config.bills_prefix);
    const files = new Map([...bills].map(([group, lines]) => [billFileName(group), billCsv(lines)]));
    let monthly = { written: [] as string[], removed: [] as string[] };
    let dated = monthly;
    if (files.size === 0) {
      // An empty month (a quiet first morning, or a warehouse that lost its rows) must not wipe bills already written.
      logger.warn("no billable commits: nothing written, the month's existing files left as they are", { month: month.month });
    } else {
      const s3 = createS3Client({ endpoint: config.s3_endpoint, region: config.s3_region });
      try {
        monthly = await replaceFolder(s3, config.bills_bucket, folders.monthly, files);
        dated = await replaceFolder(s3, config.bills_bucket, folders.dated, files);
      } finally {
        s3.destroy();
      }
    }

    print(
      formatTable(
        ['group', 'organization', 'authors', 'file'],
        [
          ...[...bills].map(([group, lines]) => [
            group,
            organizations.get(group) ?? '(none: billed alone)',
            lines.length,
            `s3://${config.bills_bucket}/${folders.monthly}${billFileName(group)}`,
          ]),
          ...(config.missing_organization === 'report' ? withoutOrganization.map((g) => [g, '(none: NOT BILLED)', 0, '']) : []),
        ],
      ),
    );
    logger.info('bills written', { month: month.month, as_of: month.asOf, groups: bills.size, commits: activity.commits, authors: activity.authors.size });
    const report = {
      month: month.month,
      as_of: month.asOf,
      billed_by: config.month_column,
      bucket: config.bills_bucket,
      folders,
      commits: activity.commits,
      excluded: activity.excluded,
      authors: activity.authors.size,
      groups: Object.fromEntries(
        [...bills].map(([group, lines]) => [group, { organization: organizations.get(group) ?? null, authors: lines.length, file: billFileName(group) }]),
      ),
      groups_without_organization: withoutOrganization,
      written: [...monthly.written, ...dated.written],
      removed: [...monthly.removed, ...dated.removed],
    };
    const unbilled = withoutOrganization.length > 0 && config.missing_organization === 'report';
    return { exitCode: unbilled ? JOB_EXIT.problems : JOB_EXIT.ok, report };
  },
});
