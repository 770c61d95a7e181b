import { spawn } from 'node:child_process';

/** How tap-git runs git: which executable, in which repository. */
export interface GitOptions {
  /** The git executable (default `git` on PATH). */
  git: string;
  /** The repository: a bare mirror or a work tree. */
  path: string;
}

/** git failed: the command, its exit and the start of what it wrote on stderr. */
export class GitError extends Error {
  /** git's own exit code (not named `exitCode`: that would become the tap's exit code, see `exitCodeFor`). */
  readonly gitExitCode: number | null;
  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(`git ${args.join(' ')} failed (exit ${exitCode ?? 'by signal'}): ${stderr.trim().split('\n').slice(0, 5).join(' | ') || 'no message'}`);
    this.name = 'GitError';
    this.gitExitCode = exitCode;
  }
}

/**
 * The fixed part of every git command line: the repository, and settings that make the output
 * independent of the machine's configuration. `safe.directory` is given for this one path because
 * mirrors are often owned by another user than the ETL, and git refuses those otherwise (only
 * command-line and global configuration may set it).
 */
function baseArgs(options: GitOptions): string[] {
  return ['-C', options.path, '-c', `safe.directory=${options.path}`, '-c', 'log.showSignature=false', '-c', 'diff.renames=false'];
}

/** English messages, no pager, no prompt for credentials: the output is parsed, and nothing may wait for a human. */
const GIT_ENV = { LC_ALL: 'C', LANG: 'C', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };

function start(options: GitOptions, args: readonly string[]) {
  const child = spawn(options.git, [...baseArgs(options), ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...GIT_ENV } });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return { child, exit, stderrText: () => Buffer.concat(stderr).toString('utf8') };
}

/**
 * Runs git to completion and returns its stdout.
 * @param input - written to git's stdin (then closed)
 * @param okCodes - exit codes that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`)
 */
export async function runGit(
  options: GitOptions,
  args: readonly string[],
  input = '',
  okCodes: readonly number[] = [0],
): Promise<{ code: number; stdout: Buffer }> {
  const { child, exit, stderrText } = start(options, args);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin.on('error', () => undefined); // git may exit before reading everything: its exit code says why
  child.stdin.end(input);
  const code = await exit;
  if (code === null || !okCodes.includes(code)) throw new GitError(args, code, stderrText());
  return { code, stdout: Buffer.concat(chunks) };
}

/**
 * Runs git and yields its stdout split at NUL bytes, as raw bytes (decoded by the caller: a NUL
 * never occurs inside a UTF-8 sequence, so splitting before decoding cannot cut a character).
 * Reading is paced by the consumer; a failing git throws after its last token.
 */
export async function* gitTokens(options: GitOptions, args: readonly string[], input = ''): AsyncGenerator<Buffer> {
  const { child, exit, stderrText } = start(options, args);
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  let pending: Buffer = Buffer.alloc(0);
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let at: number;
      while ((at = data.indexOf(0)) !== -1) {
        yield data.subarray(0, at);
        data = data.subarray(at + 1);
      }
      pending = Buffer.from(data);
    }
    const code = await exit;
    if (code !== 0) throw new GitError(args, code, stderrText());
    if (pending.length > 0) yield pending;
    finished = true;
  } finally {
    // The consumer stopped early (or failed): do not leave git writing into a pipe nobody reads.
    if (!finished && child.exitCode === null) child.kill('SIGTERM');
  }
}
