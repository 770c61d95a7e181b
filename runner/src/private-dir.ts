import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '@observes/state';

/**
 * The runner's private directories: each unit's run writes its children's configs (secrets included),
 * state and link socket into one, made mode 0700 by `mkdtemp` and removed when the run ends. A runner
 * killed by SIGKILL cannot remove its own, so every run first removes those of runners that are gone:
 * the directory's name carries its runner's process id.
 */
const PREFIX = 'observes-run-';

/** Creates this process's private directory for one run of a unit. */
export function createPrivateDir(root = tmpdir()): Promise<string> {
  return mkdtemp(join(root, `${PREFIX}${process.pid}-`));
}

/**
 * Removes the private directories left by runners on this machine that are no longer running (killed
 * before they could clean up), so that no config holding a secret outlives its run. Returns what it removed.
 * A directory of a live runner (this one or another) is left alone.
 */
export async function removeAbandonedPrivateDirs(root = tmpdir()): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = /^observes-run-(\d+)-/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || processAlive(Number(pid))) continue;
    await rm(join(root, name), { recursive: true, force: true });
    removed.push(join(root, name));
  }
  return removed;
}
