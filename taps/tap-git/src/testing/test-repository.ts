import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** An author (or committer) of a test commit. */
export interface TestIdentity {
  name: string;
  email: string;
}

/** A commit to make: files to write (path → content), who, when. */
export interface TestCommit {
  message: string;
  files?: Record<string, string | Buffer>;
  author?: TestIdentity;
  /** Author and committer date, e.g. `2026-11-03T10:00:00+02:00`. */
  date?: string;
}

const DEFAULT_AUTHOR: TestIdentity = { name: 'Test Author', email: 'author@example.com' };

/**
 * A git work tree the tests build commit by commit with the real git, with fixed identities and
 * dates so object names are reproducible. Synchronous: git answers in milliseconds.
 */
export class TestRepository {
  private clock = Date.parse('2026-11-01T08:00:00Z');

  private constructor(readonly path: string) {}

  /** `git init` at `path` (parents created) with `main` as the first branch. */
  static init(path: string): TestRepository {
    mkdirSync(path, { recursive: true });
    const repo = new TestRepository(path);
    repo.git(['init', '--quiet', '--initial-branch=main']);
    repo.git(['config', 'commit.gpgSign', 'false']);
    return repo;
  }

  /** Runs git in the work tree and returns its stdout, trimmed. */
  git(args: string[], env: Record<string, string> = {}, input?: Buffer | string): string {
    return execFileSync('git', ['-C', this.path, ...args], {
      env: { ...process.env, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', HOME: this.path, ...env },
      input,
      encoding: 'buffer',
    })
      .toString('utf8')
      .trim();
  }

  /** Writes the files, stages everything and commits; returns the new commit's object name. */
  commit(commit: TestCommit): string {
    for (const [file, content] of Object.entries(commit.files ?? { [`file-${this.clock}.txt`]: `${commit.message}\n` })) {
      mkdirSync(dirname(join(this.path, file)), { recursive: true });
      writeFileSync(join(this.path, file), content);
    }
    this.git(['add', '--all']);
    const date = commit.date ?? new Date((this.clock += 60_000)).toISOString();
    const who = commit.author ?? DEFAULT_AUTHOR;
    this.git(['commit', '--quiet', '--allow-empty', '-m', commit.message], {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_COMMITTER_DATE: date,
    });
    return this.head();
  }

  /**
   * Writes a commit object with exactly these header bytes (names and e-mails that are not UTF-8,
   * control characters) on top of the current branch, the way another tool could have stored it.
   */
  rawCommit(author: Buffer, subject: Buffer): string {
    const tree = this.git(['rev-parse', 'HEAD^{tree}']);
    const parent = this.head();
    const object = Buffer.concat([
      Buffer.from(`tree ${tree}\nparent ${parent}\nauthor `),
      author,
      Buffer.from(' 1793520000 +0000\ncommitter '),
      author,
      Buffer.from(' 1793520000 +0000\n\n'),
      subject,
      Buffer.from('\n'),
    ]);
    const hash = this.git(['hash-object', '-t', 'commit', '-w', '--literally', '--stdin'], {}, object);
    this.git(['update-ref', 'HEAD', hash]);
    return hash;
  }

  /** The current commit. */
  head(): string {
    return this.git(['rev-parse', 'HEAD']);
  }

  /** Creates a branch at the current commit and checks it out. */
  branch(name: string): void {
    this.git(['checkout', '--quiet', '-b', name]);
  }

  checkout(name: string): void {
    this.git(['checkout', '--quiet', name]);
  }

  /** Merges `branch` into the current branch with a merge commit; returns it. */
  merge(branch: string, message: string): string {
    this.git(['merge', '--quiet', '--no-ff', '-m', message, branch], {
      GIT_COMMITTER_NAME: 'Merger',
      GIT_COMMITTER_EMAIL: 'merger@example.com',
      GIT_AUTHOR_NAME: 'Merger',
      GIT_AUTHOR_EMAIL: 'merger@example.com',
    });
    return this.head();
  }

  /** Moves the current branch back (what a force-push does to the mirror's branch). */
  resetHard(revision: string): void {
    this.git(['reset', '--quiet', '--hard', revision]);
  }

  deleteBranch(name: string): void {
    this.git(['branch', '--quiet', '-D', name]);
  }

  /** Drops every unreachable object now, as a mirror's `git gc` eventually does after a force-push. */
  pruneUnreachable(): void {
    this.git(['reflog', 'expire', '--expire=now', '--all']);
    this.git(['gc', '--quiet', '--prune=now']);
  }

  /** The commits reachable from `revision` and not from `exclude`, newest first. */
  revList(revision: string, ...exclude: string[]): string[] {
    return this.git(['rev-list', revision, ...exclude.map((e) => `^${e}`)])
      .split('\n')
      .filter(Boolean);
  }
}
