import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseJsonLossless } from '@observes/protocol';
import { parseS3Url } from '@observes/state';
import type { S3Manifest, S3ManifestFile } from '@observes/target-core';

async function getBytes(client: S3Client, url: string): Promise<Buffer> {
  const { bucket, key } = parseS3Url(url);
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** Reads a manifest by its `s3://` URL (numbers a double cannot hold, in its state, as `ExactNumber`). */
export async function readManifest(client: S3Client, url: string): Promise<S3Manifest> {
  return parseJsonLossless((await getBytes(client, url)).toString('utf8')) as S3Manifest;
}

/**
 * The records of a `jsonl.gz` file (numbers a double cannot hold as `ExactNumber`), for checks and
 * small loads; big loads should stream instead.
 */
export async function readJsonLinesFile(client: S3Client, file: S3ManifestFile): Promise<Record<string, unknown>[]> {
  const text = gunzipSync(await getBytes(client, file.url)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => parseJsonLossless(line) as Record<string, unknown>);
}

/** The text of a `csv.gz` file (no header; its columns are in the manifest). */
export async function readCsvFile(client: S3Client, file: S3ManifestFile): Promise<string> {
  return gunzipSync(await getBytes(client, file.url)).toString('utf8');
}
