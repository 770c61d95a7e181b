/**
 * Reading `git log -z --numstat --format=<GIT_LOG_FORMAT>` output, already split at NUL bytes.
 *
 * Each commit is the 9 fields of the format, an empty token (the format's last `%x00` followed by the
 * NUL `-z` ends a commit header with), then one token per changed file: `<added>\t<deleted>\t<path>`
 * (`-` and `-` for a binary file; the first token of the list starts with a newline). Merges and empty
 * commits have no file tokens. The next commit starts right after the last file token, so a token is
 * a file when it has the numstat shape and the start of a commit otherwise (an object name never holds
 * a tab). Fields are NUL-free by construction: git cannot store NUL in names, e-mails or messages.
 */

/** The fields of {@link GIT_LOG_FORMAT}, in order. */
const FIELDS = ['hash', 'author_name', 'author_email', 'authored_at', 'committer_name', 'committer_email', 'committed_at', 'parents', 'summary'] as const;

/** Text fields that may hold any bytes a committer wrote: decoded (and checked) by the caller. */
export type GitTextField = 'author_name' | 'author_email' | 'committer_name' | 'committer_email' | 'summary';

/**
 * `--format` of the walk: object name, author name/e-mail/strict ISO date, committer
 * name/e-mail/strict ISO date, parents, subject, NUL-separated. `%an`/`%ae` are the raw identities
 * (`%aN` would apply a .mailmap found in the repository; compute-bills applies its own).
 */
export const GIT_LOG_FORMAT = '%H%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%P%x00%s%x00';

/** One commit as the walk reads it. Text fields are raw bytes; see {@link GitTextField}. */
export interface GitCommit {
  hash: string;
  authoredAt: string;
  committedAt: string;
  parents: string[];
  text: Record<GitTextField, Buffer>;
  /** Sum over the numstat lines; null for a merge (git shows no diff for merges by default). */
  stats: { filesChanged: number; insertions: number; deletions: number } | null;
}

/** git printed something this parser does not understand (a changed format, a truncated stream). */
export class GitLogFormatError extends Error {
  constructor(message: string) {
    super(`unexpected git log output: ${message}`);
    this.name = 'GitLogFormatError';
  }
}

const OBJECT_NAME = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const NUMSTAT = /^\n?(\d+|-)\t(\d+|-)\t/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;

function ascii(token: Buffer, what: string, check: RegExp): string {
  const text = token.toString('latin1');
  if (!check.test(text)) throw new GitLogFormatError(`${what} ${JSON.stringify(text.slice(0, 80))}`);
  return text;
}

/** Turns the NUL-split tokens of the walk into commits, in git's order. */
export async function* parseGitLog(tokens: AsyncIterable<Buffer>): AsyncGenerator<GitCommit> {
  const iterator = tokens[Symbol.asyncIterator]();
  let lookahead: Buffer | undefined;
  const next = async (): Promise<Buffer | undefined> => {
    if (lookahead !== undefined) {
      const token = lookahead;
      lookahead = undefined;
      return token;
    }
    const result = await iterator.next();
    return result.done ? undefined : result.value;
  };
  for (;;) {
    const first = await next();
    if (first === undefined) return;
    const values: Buffer[] = [first];
    for (let i = 1; i < FIELDS.length; i++) {
      const value = await next();
      if (value === undefined) throw new GitLogFormatError(`commit ${first.toString('latin1')} ends after ${i} of ${FIELDS.length} fields`);
      values.push(value);
    }
    const terminator = await next();
    if (terminator === undefined || terminator.length !== 0) throw new GitLogFormatError(`commit ${first.toString('latin1')}: no end of header`);
    const hash = ascii(values[0], 'object name', OBJECT_NAME);
    const parentsText = ascii(values[7], 'parents', /^(?:[0-9a-f]+(?: [0-9a-f]+)*)?$/);
    const parents = parentsText === '' ? [] : parentsText.split(' ');
    let files = 0;
    let insertions = 0;
    let deletions = 0;
    for (;;) {
      const token = await next();
      if (token === undefined) break;
      const match = NUMSTAT.exec(token.subarray(0, 48).toString('latin1'));
      if (!match) {
        lookahead = token;
        break;
      }
      files++;
      // Binary files show `-`: they count as a changed file with no lines.
      if (match[1] !== '-') insertions += Number(match[1]);
      if (match[2] !== '-') deletions += Number(match[2]);
    }
    yield {
      hash,
      authoredAt: ascii(values[3], `commit ${hash}: author date`, ISO_DATE),
      committedAt: ascii(values[6], `commit ${hash}: committer date`, ISO_DATE),
      parents,
      text: { author_name: values[1], author_email: values[2], committer_name: values[4], committer_email: values[5], summary: values[8] },
      stats: parents.length > 1 ? null : { filesChanged: files, insertions, deletions },
    };
  }
}
