/**
 * The bookmark of one repository: for each branch followed, the last processed tip and a few of its
 * first-parent ancestors (checkpoints), written as one string so it fits a Singer bookmark value:
 *
 * ```
 * refs/heads/main=<tip>,<tip~1>,<tip~4>,<tip~16>,... refs/heads/dev=<tip>,...
 * ```
 *
 * Entries are separated by spaces and sorted by ref name (a ref name cannot hold a space; it may
 * hold `=`, so the hashes start after the last one). Every commit reachable from a recorded hash
 * has been emitted; the checkpoints are what is left to exclude when a force-push and a garbage
 * collection removed the tip itself (see the README, "History rewrites").
 */

/** Processed hashes per ref name: the tip first, then its checkpoints. */
export type BranchBookmark = Map<string, string[]>;

/** First-parent distances from the tip kept as checkpoints: re-walking after a lost tip re-emits fewer than 4× the rewritten depth. */
export const CHECKPOINT_DISTANCES = [1, 4, 16, 64, 256, 1024] as const;

const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Reads a bookmark string; an empty or missing one is a first run. */
export function parseBranchBookmark(value: string | number | undefined): BranchBookmark {
  const bookmark: BranchBookmark = new Map();
  if (value === undefined || value === '') return bookmark;
  for (const entry of String(value).split(' ')) {
    const at = entry.lastIndexOf('=');
    const hashes = at > 0 ? entry.slice(at + 1).split(',') : [];
    if (at <= 0 || hashes.length === 0 || !hashes.every((h) => HASH.test(h))) {
      throw new Error(`bookmark entry "${entry.slice(0, 200)}" is not <ref>=<hash>[,<hash>...]: the state was not written by tap-git`);
    }
    bookmark.set(entry.slice(0, at), hashes);
  }
  return bookmark;
}

/** Writes a bookmark string (refs in name order, so equal bookmarks are equal strings). */
export function formatBranchBookmark(bookmark: BranchBookmark): string {
  return [...bookmark.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ref, hashes]) => `${ref}=${hashes.join(',')}`)
    .join(' ');
}

/** Picks the checkpoints from a first-parent history listing (`git rev-list --first-parent`, tip first). */
export function checkpointsOf(firstParentHistory: readonly string[]): string[] {
  return [firstParentHistory[0], ...CHECKPOINT_DISTANCES.filter((d) => d < firstParentHistory.length).map((d) => firstParentHistory[d])];
}
