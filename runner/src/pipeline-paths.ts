import { isAbsolute, resolve } from 'node:path';

/**
 * A state URL as written in a pipeline file, made absolute: `s3://` and `file:///abs` stay, a relative
 * `file:path` or plain path is the pipeline file's directory's, so the same state is found whatever the
 * working directory.
 * @throws Error for a URL scheme state stores do not know
 */
export function resolveStateUrl(url: string, baseDir: string): string {
  if (url.startsWith('s3://') || url.startsWith('file://')) return url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`unsupported state URL ${url} (use s3://bucket/key, file://path or a path)`);
  const path = url.startsWith('file:') ? url.slice('file:'.length) : url;
  // Spelled like @observes/state's defaultStateUrl (the path as is), so both read the same in logs.
  return `file://${isAbsolute(path) ? path : resolve(baseDir, path)}`;
}
