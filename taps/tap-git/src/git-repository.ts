import { GIT_LOG_FORMAT, parseGitLog, type GitCommit } from './git-log-parser.js';
import { gitTokens, runGit, type GitOptions } from './git-process.js';

/**
 * The questions tap-git asks a repository, each one git command. Refs, object names and dates are
 * ASCII; only the walk's text fields can hold arbitrary bytes.
 */

/** Tips of the followed branches: ref name → commit object name (symbolic refs and refs to non-commits skipped). */
export async function branchTips(git: GitOptions, patterns: readonly string[]): Promise<Map<string, string>> {
  const { stdout } = await runGit(git, ['for-each-ref', '--format=%(objectname) %(objecttype) %(symref) %(refname)', ...patterns]);
  const tips = new Map<string, string>();
  for (const line of stdout.toString('latin1').split('\n')) {
    if (line === '') continue;
    const [hash, type, symref, ...ref] = line.split(' ');
    if (type === 'commit' && symref === '') tips.set(ref.join(' '), hash);
  }
  return tips;
}

/** Which of `hashes` are commits the repository still has (a force-push plus a gc removes the old ones). */
export async function existingCommits(git: GitOptions, hashes: Iterable<string>): Promise<Set<string>> {
  const unique = [...new Set(hashes)];
  if (unique.length === 0) return new Set();
  const { stdout } = await runGit(git, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], unique.join('\n') + '\n');
  const found = new Set<string>();
  for (const line of stdout.toString('latin1').split('\n')) {
    const [hash, type] = line.split(' ');
    if (type === 'commit') found.add(hash);
  }
  return found;
}

/** Whether `ancestor` is reachable from `descendant` (false after a force-push that dropped it). */
export async function isAncestor(git: GitOptions, ancestor: string, descendant: string): Promise<boolean> {
  const { code } = await runGit(git, ['merge-base', '--is-ancestor', ancestor, descendant], '', [0, 1]);
  return code === 0;
}

/** The first-parent history of `tip`, newest first, at most `count` commits. */
export async function firstParentHistory(git: GitOptions, tip: string, count: number): Promise<string[]> {
  const { stdout } = await runGit(git, ['rev-list', '--first-parent', `--max-count=${count}`, tip]);
  return stdout.toString('latin1').split('\n').filter(Boolean);
}

/**
 * Every commit reachable from `tips` and from none of `exclude` (git's `tips --not exclude`), with its
 * numstat, in git's order. Revisions go through stdin, so thousands of them do not hit the
 * command-line limit.
 */
export function walkCommits(git: GitOptions, tips: readonly string[], exclude: Iterable<string>, since?: string): AsyncGenerator<GitCommit> {
  const args = ['log', '--stdin', '-z', '--numstat', '--no-renames', '--diff-merges=off', '--no-ext-diff', '--no-color', `--format=${GIT_LOG_FORMAT}`];
  if (since) args.push(`--since=${since}`);
  const input = [...tips, ...[...exclude].map((hash) => `^${hash}`)].join('\n') + '\n';
  return parseGitLog(gitTokens(git, args, input));
}
