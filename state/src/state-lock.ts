import { hostname } from 'node:os';
import type { StateBlobs } from './state-blobs.js';

/** Who holds a state's lock, as stored in `<state>.lock`. */
export interface LockInfo {
  /** The run holding it (`OBSERVES_RUN_ID`). */
  run_id: string;
  /** The unit (pipeline, or pipeline.step[.index]) it runs. */
  unit?: string;
  /** Host name of the machine (a container's name in AWS Batch). */
  host: string;
  /** Process id of the runner on that host. */
  pid: number;
  /** ISO time it was taken. */
  started_at: string;
  /** ISO time after which another run may take it over: the run's timeout and its grace are over. */
  expires_at: string;
}

/** What a run asks for when it locks a state. */
export interface LockRequest {
  /** The run's id. */
  runId: string;
  /** The unit it runs. */
  unit?: string;
  /** How long the lock holds if it is never released (a crashed run): the run's timeout plus its grace. */
  ttlMs: number;
  /** Clock, injectable for tests (default `Date.now`). */
  now?: () => number;
}

/** A lock taken. */
export interface HeldLock {
  /** What was stored. */
  info: LockInfo;
  /** An expired or dead run's lock this one replaced, if any. */
  tookOver?: LockInfo;
  /** Removes the lock if it is still ours; false when another run took it over after it expired. */
  release(): Promise<boolean>;
}

/** The state is locked by another run. */
export class LockHeldError extends Error {
  constructor(
    readonly url: string,
    readonly holder: LockInfo,
  ) {
    super(
      `${holder.unit ?? url} is being run by run ${holder.run_id} on host ${holder.host} (pid ${holder.pid}) since ${holder.started_at}; ` +
        `its lock ${url} expires at ${holder.expires_at} (if that run is dead, rerun with --force-unlock)`,
    );
    this.name = 'LockHeldError';
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as LockInfo;
    return typeof info.run_id === 'string' && typeof info.expires_at === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` of this machine is running (one owned by another user counts as running). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a lock may be taken over: it expired, or it was taken on this host by a process that is
 * gone (a crashed run on the same machine need not wait for its expiry). Unreadable locks count as
 * stale: nothing could release them.
 */
export function lockIsStale(info: LockInfo | undefined, now: number, host = hostname()): boolean {
  if (!info) return true;
  if (Date.parse(info.expires_at) <= now) return true;
  return info.host === host && info.pid !== process.pid && !processAlive(info.pid);
}

/**
 * Takes the lock at `key`: creates it only if absent; an existing lock that is stale is replaced
 * only if it is unchanged since it was read, so of two runs racing for a stale lock one wins.
 * @throws LockHeldError when a live run holds it
 */
export async function acquireLock(blobs: StateBlobs, key: string, url: string, request: LockRequest): Promise<HeldLock> {
  const now = request.now ?? Date.now;
  for (let attempt = 0; attempt < 5; attempt++) {
    const info: LockInfo = {
      run_id: request.runId,
      ...(request.unit ? { unit: request.unit } : {}),
      host: hostname(),
      pid: process.pid,
      started_at: new Date(now()).toISOString(),
      expires_at: new Date(now() + request.ttlMs).toISOString(),
    };
    const text = JSON.stringify(info) + '\n';
    const held = (tag: string, tookOver?: LockInfo): HeldLock => ({ info, ...(tookOver ? { tookOver } : {}), release: () => blobs.remove(key, tag) });
    const created = await blobs.create(key, text);
    if (created) return held(created);
    const existing = await blobs.get(key);
    if (!existing) continue; // released meanwhile
    if (existing.text === text) return held(existing.tag); // our own write, whose answer was lost and retried
    const holder = parseLock(existing.text);
    if (!lockIsStale(holder, now())) throw new LockHeldError(url, holder!);
    const replaced = await blobs.replace(key, text, existing.tag);
    if (replaced) return held(replaced, holder);
    // Another run replaced it first: read again (it now holds it).
  }
  throw new Error(`could not take the lock ${url}: it kept changing`);
}

/** The lock's holder, if any. */
export async function readLock(blobs: StateBlobs, key: string): Promise<LockInfo | undefined> {
  const existing = await blobs.get(key);
  return existing ? (parseLock(existing.text) ?? { run_id: '?', host: '?', pid: 0, started_at: '?', expires_at: '?' }) : undefined;
}

/** Removes the lock whoever holds it; returns what it held. */
export async function forceUnlock(blobs: StateBlobs, key: string): Promise<LockInfo | undefined> {
  const holder = await readLock(blobs, key);
  await blobs.remove(key);
  return holder;
}
