import { createHash } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlobStateStore } from './blob-state-store.js';
import type { Blob, StateBlobs } from './state-blobs.js';
import type { HistoryRetention } from './state-store.js';

const tempName = (path: string, what: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.${what}`);

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `text` to a new file beside `path`, fsynced; returns its name. */
async function writeTemp(path: string, text: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempName(path, 'tmp');
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same directory, fsynced, renamed over
 * the target, then the directory fsynced so the rename itself survives a crash.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = await writeTemp(path, text);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dirname(path));
}

const tagOf = (text: string) => createHash('sha256').update(text).digest('hex');
const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Links `from` to `to` if `to` does not exist (atomic, exclusive); false when it exists. */
async function linkExclusive(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (code(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Moves `path` aside if it still holds the text tagged `tag`: rename is atomic, so of two processes
 * only one moves a given file; one that moved a file changed since it was read puts it back.
 * Returns the moved file's name, or undefined when `path` changed or is gone.
 */
async function moveAsideIfUnchanged(path: string, tag: string): Promise<string | undefined> {
  const moved = tempName(path, 'old');
  try {
    await rename(path, moved);
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
  if (tagOf(await readFile(moved, 'utf8')) === tag) return moved;
  await linkExclusive(moved, path);
  await unlink(moved);
  return undefined;
}

/** {@link StateBlobs} in local files: keys are paths; exclusive creation is `link(2)` of a complete file. */
export class FileBlobs implements StateBlobs {
  async get(key: string): Promise<Blob | undefined> {
    const text = await readIfExists(key);
    return text === undefined ? undefined : { text, tag: tagOf(text) };
  }

  put(key: string, text: string): Promise<void> {
    return writeFileAtomic(key, text);
  }

  async create(key: string, text: string): Promise<string | undefined> {
    const temp = await writeTemp(key, text);
    try {
      if (!(await linkExclusive(temp, key))) return undefined;
      await syncDir(dirname(key));
      return tagOf(text);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async replace(key: string, text: string, tag: string): Promise<string | undefined> {
    const moved = await moveAsideIfUnchanged(key, tag);
    if (!moved) return undefined;
    try {
      return await this.create(key, text);
    } finally {
      await rm(moved, { force: true });
    }
  }

  async remove(key: string, tag?: string): Promise<boolean> {
    if (tag === undefined) {
      try {
        await unlink(key);
        return true;
      } catch (error) {
        if (code(error) === 'ENOENT') return false;
        throw error;
      }
    }
    const moved = await moveAsideIfUnchanged(key, tag);
    if (moved) await unlink(moved);
    return moved !== undefined;
  }

  async list(prefix: string): Promise<Array<{ name: string; bytes: number }>> {
    let names: string[];
    try {
      names = await readdir(prefix);
    } catch (error) {
      if (code(error) === 'ENOENT') return [];
      throw error;
    }
    const visible = names.filter((name) => !name.startsWith('.'));
    return Promise.all(visible.map(async (name) => ({ name, bytes: (await stat(join(prefix, name))).size })));
  }
}

/** A state store in a local file; history as copies in `<file>.history/`, the lock in `<file>.lock`. */
export class FileStateStore extends BlobStateStore {
  /** @param path - absolute or relative path of the state file */
  constructor(
    readonly path: string,
    retention?: HistoryRetention,
  ) {
    super(pathToFileURL(path).href, new FileBlobs(), path, retention);
  }
}
