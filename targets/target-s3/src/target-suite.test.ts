import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3Server, targetSuite, type S3Server } from '@observes/testkit';
import { readJsonLinesFile, readManifest } from './manifest-reader.js';

const BIN = fileURLToPath(new URL('../bin/target-s3.js', import.meta.url));
let server: S3Server | undefined;
let fixtures = 0;

before(async () => {
  server = await startS3Server({ buckets: ['suite'] });
});
after(async () => {
  await server?.stop();
});

targetSuite({
  name: 'target-s3 (jsonl)',
  bin: BIN,
  capabilities: { mergesByKey: false, flattens: false, activatesVersions: false },
  async setup() {
    const s3 = server!;
    const prefix = `suite-${++fixtures}`;
    const manifests = async () => {
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'suite', Prefix: `${prefix}/_manifests/` }));
      return Promise.all((listed.Contents ?? []).map((o) => readManifest(s3.client, `s3://suite/${o.Key}`)));
    };
    return {
      config: { bucket: 'suite', prefix, endpoint: s3.endpoint },
      env: { AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey, AWS_REGION: 'us-east-1' },
      async rows(table) {
        const rows: Record<string, unknown>[] = [];
        for (const manifest of await manifests()) {
          for (const stream of Object.values(manifest.streams)) {
            for (const file of stream.files) if (file.table.toLowerCase() === table.toLowerCase()) rows.push(...(await readJsonLinesFile(s3.client, file)));
          }
        }
        return rows;
      },
      async tables() {
        const names = new Set<string>();
        for (const manifest of await manifests()) for (const [stream, s] of Object.entries(manifest.streams)) if (s.files.length) names.add(stream.toLowerCase());
        return [...names];
      },
      async teardown() {},
    };
  },
});
