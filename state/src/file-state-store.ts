import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeState, encodeState } from './state-json.js';
import { historyStamp, stampTime, type StateStore, type StateVersion } from './state-store.js';

/**
 * Writes `text` to `path` atomically: a temporary file in the same directory, fsynced, renamed over
 * the target, then the directory fsynced so the rename itself survives a crash.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A {@link StateStore} in a local file; history as timestamped copies in `<file>.history/`. */
export class FileStateStore implements StateStore {
  readonly url: string;
  private readonly historyDir: string;
  private archived = false;

  /** @param path - absolute or relative path of the state file */
  constructor(readonly path: string) {
    this.url = pathToFileURL(path).href;
    this.historyDir = `${path}.history`;
  }

  async read(): Promise<unknown> {
    const text = await readIfExists(this.path);
    return text === undefined ? undefined : decodeState(text, this.url);
  }

  async write(value: unknown): Promise<void> {
    if (!this.archived) await this.archive();
    await writeFileAtomic(this.path, encodeState(value));
  }

  async clear(): Promise<void> {
    await this.archive();
    await rm(this.path, { force: true });
  }

  async history(): Promise<StateVersion[]> {
    let names: string[];
    try {
      names = await readdir(this.historyDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const versions = await Promise.all(
      names
        .filter((name) => name.endsWith('.json'))
        .map(async (name) => {
          const id = name.slice(0, -'.json'.length);
          return { id, time: stampTime(id), bytes: (await stat(join(this.historyDir, name))).size };
        }),
    );
    return versions.sort((a, b) => (a.id < b.id ? 1 : -1));
  }

  async readVersion(id: string): Promise<unknown> {
    if (!/^[\w.-]+$/.test(id)) throw new Error(`bad history id ${JSON.stringify(id)}`);
    const text = await readIfExists(join(this.historyDir, `${id}.json`));
    if (text === undefined) throw new Error(`no history version ${id} for ${this.url}`);
    return decodeState(text, `${this.url} (history ${id})`);
  }

  /** Copies the current value, if any, into the history. */
  private async archive(): Promise<void> {
    this.archived = true;
    const text = await readIfExists(this.path);
    if (text !== undefined) await writeFileAtomic(join(this.historyDir, `${historyStamp()}.json`), text);
  }
}
