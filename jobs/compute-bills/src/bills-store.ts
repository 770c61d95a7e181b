import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The files of one folder after {@link replaceFolder}. */
export interface FolderResult {
  /** Keys written. */
  written: string[];
  /** Keys of bills that were there and are no longer (a group without commits this time). */
  removed: string[];
}

/**
 * Makes `folder` hold exactly `files` among its direct `.csv` children: every file is put (a put
 * replaces an object whole, so a reader sees the old bill or the new one), then the bills of groups
 * no longer billed are deleted. Subfolders (the dated copies) are left alone.
 */
export async function replaceFolder(s3: S3Client, bucket: string, folder: string, files: Map<string, string>): Promise<FolderResult> {
  const written: string[] = [];
  for (const [name, body] of files) {
    const key = folder + name;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/csv; charset=utf-8' }));
    written.push(key);
  }
  const stale: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, Delimiter: '/', ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const key = object.Key!;
      if (key.endsWith('.csv') && !files.has(key.slice(folder.length))) stale.push(key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  // One by one: stale bills are rare, and DeleteObjects needs a checksum header S3 stand-ins refuse.
  for (const key of stale) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  return { written, removed: stale };
}
