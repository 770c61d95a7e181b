import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import type { S3ManifestFile } from '@observes/target-core';
import { startS3Server, targetSuite, type S3Server, type TargetFixture } from '@observes/testkit';
import { readCsvFile, readJsonLinesFile, readManifest } from './manifest-reader.js';

const BIN = fileURLToPath(new URL('../bin/target-s3.js', import.meta.url));
let server: S3Server | undefined;
let fixtures = 0;

before(async () => {
  server = await startS3Server({ buckets: ['suite'] });
});
after(async () => {
  await server?.stop();
});

/** Rows of a CSV file keyed by the manifest's columns; an unquoted `\N` is NULL. */
async function csvRows(s3: S3Server, file: S3ManifestFile): Promise<Record<string, unknown>[]> {
  const cells = parse(await readCsvFile(s3.client, file), {
    cast: (value: string, context: { quoting: boolean }) => (!context.quoting && value === '\\N' ? null : value),
  }) as unknown[][];
  return cells.map((row) => Object.fromEntries(file.columns.map((column, i) => [column, row[i]])));
}

/** A fresh prefix of the suite bucket, read back through the manifests target-s3 wrote there. */
async function fixture(format: 'jsonl' | 'csv'): Promise<TargetFixture> {
  const s3 = server!;
  const prefix = `suite-${++fixtures}`;
  const files = async () => {
    // The manifests, not the commit heads under _manifests/_head/.
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'suite', Prefix: `${prefix}/_manifests/`, Delimiter: '/' }));
    const manifests = await Promise.all((listed.Contents ?? []).map((o) => readManifest(s3.client, `s3://suite/${o.Key}`)));
    return manifests.flatMap((m) => Object.values(m.streams).flatMap((s) => s.files));
  };
  return {
    config: { bucket: 'suite', prefix, format, endpoint: s3.endpoint },
    env: { AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey, AWS_REGION: 'us-east-1' },
    async rows(table) {
      const rows: Record<string, unknown>[] = [];
      for (const file of await files()) {
        if (file.table.toLowerCase() !== table.toLowerCase()) continue;
        rows.push(...(format === 'csv' ? await csvRows(s3, file) : await readJsonLinesFile(s3.client, file)));
      }
      return rows;
    },
    async tables() {
      return [...new Set((await files()).map((f) => f.table.toLowerCase()))];
    },
    async teardown() {},
  };
}

targetSuite({
  name: 'target-s3 (jsonl)',
  bin: BIN,
  capabilities: { mergesByKey: false, flattens: false, activatesVersions: false },
  setup: () => fixture('jsonl'),
});

targetSuite({
  name: 'target-s3 (csv)',
  bin: BIN,
  capabilities: { mergesByKey: false, flattens: true, activatesVersions: false },
  setup: () => fixture('csv'),
});
