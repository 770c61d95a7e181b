import type { JsonRecord, Logger } from '@observes/protocol';
import { defineStream, loadSchema } from '@observes/tap-sdk';
import { checkpointsOf, CHECKPOINT_DISTANCES, formatBranchBookmark, parseBranchBookmark, type BranchBookmark } from '../branch-bookmark.js';
import type { GitConfig } from '../config.js';
import type { GitCommit, GitTextField } from '../git-log-parser.js';
import type { GitOptions } from '../git-process.js';
import { branchTips, existingCommits, firstParentHistory, isAncestor, walkCommits } from '../git-repository.js';
import { checkUnique, findRepositories, type RepositoryLocation } from '../repositories.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Decodes a text field, refusing (or, with `invalid_utf8: replace`, replacing and reporting) bytes that are not UTF-8. */
function decodeText(commit: GitCommit, field: GitTextField, where: string, config: GitConfig, logger: Logger): string {
  const bytes = commit.text[field];
  try {
    return strict.decode(bytes);
  } catch {
    const detail = `${where}: commit ${commit.hash}: ${field} is not valid UTF-8 (bytes ${bytes.subarray(0, 64).toString('hex')})`;
    if (config.invalid_utf8 !== 'replace') throw new Error(`${detail}; set invalid_utf8 to "replace" to store it with U+FFFD`);
    logger.warn(`${detail}: stored with U+FFFD replacement characters`, { commit: commit.hash, field });
    return lenient.decode(bytes);
  }
}

/** The repositories of the config: those found under `repositories_dir`, then those listed. */
export function configuredRepositories(config: GitConfig): RepositoryLocation[] {
  return checkUnique([...(config.repositories_dir ? findRepositories(config.repositories_dir) : []), ...(config.repositories ?? [])]);
}

/** Logs what changed on each previously followed branch, naming history rewrites. */
async function reportRewrites(git: GitOptions, previous: BranchBookmark, tips: Map<string, string>, existing: Set<string>, logger: Logger): Promise<void> {
  for (const [ref, hashes] of previous) {
    const tip = tips.get(ref);
    if (tip === undefined) {
      logger.info('branch no longer exists (or no longer followed): its commits stay in the warehouse', { ref, last_tip: hashes[0] });
      continue;
    }
    if (tip === hashes[0]) continue;
    if (!existing.has(hashes[0])) {
      const surviving = hashes.find((h) => existing.has(h));
      logger.warn(
        'history rewritten: the last processed tip is gone (force-push, then garbage collection); re-walking from the newest processed commit still present',
        {
          ref,
          last_tip: hashes[0],
          tip,
          resumes_after: surviving ?? null,
        },
      );
    } else if (!(await isAncestor(git, hashes[0], tip))) {
      logger.warn('history rewritten (force-push): commits not reachable from the last processed tip are emitted', { ref, last_tip: hashes[0], tip });
    }
  }
}

/**
 * `commits`: one record per commit and repository, differential by the hashes processed per branch
 * (the bookmark of the repository's partition). See the README for the rules.
 */
export const commitsStream = defineStream<GitConfig, RepositoryLocation>({
  name: 'commits',
  schema: loadSchema('tap-git', 'commits'),
  keyProperties: ['namespace', 'repository', 'hash'],
  // The partition's bookmark is a set of processed hashes per branch (ctx.setBookmark), not the highest value of a field.
  replicationKey: 'hash',
  partitions: (ctx) => configuredRepositories(ctx.config),
  partitionId: (p) => `${p.namespace}/${p.repository}`,
  async *records(ctx) {
    const { namespace, repository, path } = ctx.partition!;
    const where = `${namespace}/${repository}`;
    const git: GitOptions = { git: ctx.config.git, path };
    const seenAt = ctx.now().toISOString();
    const previous = parseBranchBookmark(ctx.bookmark);
    const tips = await branchTips(git, ctx.config.branches);
    const existing = await existingCommits(git, [...previous.values()].flat());
    await reportRewrites(git, previous, tips, existing, ctx.logger);

    const changed = [...tips].filter(([ref, tip]) => previous.get(ref)?.[0] !== tip).map(([, tip]) => tip);
    let count = 0;
    if (changed.length > 0) {
      for await (const commit of walkCommits(git, changed, existing, ctx.config.start_date)) {
        const text = (field: GitTextField) => decodeText(commit, field, where, ctx.config, ctx.logger);
        const record: JsonRecord = {
          namespace,
          repository,
          hash: commit.hash,
          author_name: text('author_name'),
          author_email: text('author_email'),
          authored_at: commit.authoredAt,
          committer_name: text('committer_name'),
          committer_email: text('committer_email'),
          committed_at: commit.committedAt,
          summary: text('summary'),
          parent_count: commit.parents.length,
          files_changed: commit.stats?.filesChanged ?? null,
          insertions: commit.stats?.insertions ?? null,
          deletions: commit.stats?.deletions ?? null,
          seen_at: seenAt,
        };
        count++;
        yield record;
      }
    }

    const next: BranchBookmark = new Map();
    const depth = CHECKPOINT_DISTANCES[CHECKPOINT_DISTANCES.length - 1] + 1;
    for (const [ref, tip] of tips) {
      const kept = previous.get(ref);
      next.set(ref, kept?.[0] === tip ? kept : checkpointsOf(await firstParentHistory(git, tip, depth)));
    }
    ctx.logger.info('repository done', { commits: count, branches: tips.size, changed_branches: changed.length });
    ctx.setBookmark(formatBranchBookmark(next));
  },
});
