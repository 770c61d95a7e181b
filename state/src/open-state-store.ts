import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStateStore } from './file-state-store.js';
import { parseS3Url } from './s3-client.js';
import { S3StateStore, type S3StateStoreOptions } from './s3-state-store.js';
import type { HistoryRetention, StateStore } from './state-store.js';

/** Directory of the local default state files, relative to the working directory. */
export const DEFAULT_STATE_DIR = '.observes/state';

/** Options of {@link openStateStore}. */
export interface OpenStateStoreOptions {
  /** Options for `s3://` stores. */
  s3?: S3StateStoreOptions;
  /** Directory relative paths resolve against (default the working directory). */
  cwd?: string;
  /** How many earlier values to keep (default 100 versions, 90 days). */
  history?: HistoryRetention;
}

/** Default state URL of a pipeline: `file://<cwd>/.observes/state/<pipeline>.json`. */
export function defaultStateUrl(pipeline: string, cwd = process.cwd()): string {
  if (!/^[\w.-]+$/.test(pipeline)) throw new Error(`pipeline name ${JSON.stringify(pipeline)} may only hold letters, digits, '_', '.' and '-'`);
  return `file://${join(resolve(cwd), DEFAULT_STATE_DIR, `${pipeline}.json`)}`;
}

/**
 * Opens a state store by URL: `s3://bucket/key`, `file:///abs/path`, `file:relative/path`, or a
 * plain path (relative to `cwd`).
 */
export function openStateStore(url: string, options: OpenStateStoreOptions = {}): StateStore {
  if (url.startsWith('s3://')) return new S3StateStore(parseS3Url(url), { ...options.s3, history: options.history });
  let path: string;
  if (url.startsWith('file://')) path = fileURLToPath(url);
  else if (url.startsWith('file:')) path = url.slice('file:'.length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`unsupported state URL ${url} (use s3://bucket/key or file://path)`);
  else path = url;
  return new FileStateStore(isAbsolute(path) ? path : resolve(options.cwd ?? process.cwd(), path), options.history);
}
