import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordMessage, StateMessage } from '@observes/protocol';
import { runTapCaptured } from '@observes/tap-sdk/testing';
import { parseBranchBookmark } from './branch-bookmark.js';
import { tap } from './tap.js';
import { TestRepository } from './testing/test-repository.js';

/** One run of tap-git in-process: its records, last state and logs. */
interface Run {
  code: number;
  records: Record<string, unknown>[];
  state: unknown;
  stderr: string;
}

describe('tap-git: commits differential per repository and branch', function () {
  this.timeout(60_000);
  let dir: string;
  let web: TestRepository;
  let tools: TestRepository;
  let state: unknown;
  let runs = 0;

  async function sync(settings: Record<string, unknown> = {}, from: unknown = state): Promise<Run> {
    const file = join(dir, `config-${++runs}.json`);
    writeFileSync(file, JSON.stringify({ repositories_dir: join(dir, 'repos'), ...settings }));
    const args = ['--config', file];
    if (from !== undefined) {
      writeFileSync(join(dir, `state-${runs}.json`), JSON.stringify(from));
      args.push('--state', join(dir, `state-${runs}.json`));
    }
    const run = await runTapCaptured(tap, args, { env: { ...process.env, OBSERVES_FROZEN_TIME: `2026-11-${String(10 + runs).padStart(2, '0')}T12:00:00Z` } });
    const records = run.messages.filter((m): m is RecordMessage => m.type === 'RECORD').map((m) => m.record);
    const states = run.messages.filter((m): m is StateMessage => m.type === 'STATE');
    return { code: run.code, records, state: states.at(-1)?.value, stderr: run.stderr };
  }

  const hashes = (run: Run, repository?: string) =>
    run.records
      .filter((r) => !repository || r.repository === repository)
      .map((r) => r.hash as string)
      .sort();
  const bookmarkOf = (value: unknown, partition: string) =>
    parseBranchBookmark(
      (value as { bookmarks: { commits: { partitions: Record<string, { replication_key_value: string }> } } }).bookmarks.commits.partitions[partition]
        .replication_key_value,
    );

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-git-'));
    web = TestRepository.init(join(dir, 'repos/acme/web'));
    tools = TestRepository.init(join(dir, 'repos/beta/platform/tools'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('emits every commit of every branch once, with its identities, zoned dates and diff stats', async () => {
    const ana = { name: 'Ana Núñez', email: 'Ana@Example.com' };
    const root = web.commit({ message: 'init', files: { 'a.txt': 'one\ntwo\n' }, author: ana, date: '2026-10-30T23:30:00-03:00' });
    const second = web.commit({
      message: 'Fix 😀 «quotes»\ttab and "double"',
      files: { 'a.txt': 'one\n2\n3\n', 'logo.bin': Buffer.from([0, 1, 2, 0, 255]) },
      date: '2026-11-02T10:00:00+02:00',
    });
    web.branch('feature');
    const feature = web.commit({ message: 'feature work' });
    web.checkout('main');
    const third = web.commit({ message: 'main work' });
    const merge = web.merge('feature', 'Merge feature');
    tools.commit({ message: 'tools init' });

    const run = await sync({}, undefined);
    expect(run.code, run.stderr).to.equal(0);
    expect(hashes(run, 'web')).to.deep.equal([root, second, feature, third, merge].sort());
    expect(hashes(run, 'tools')).to.have.length(1);
    const byHash = new Map(run.records.map((r) => [r.hash, r]));
    expect(byHash.get(root)).to.deep.equal({
      namespace: 'acme',
      repository: 'web',
      hash: root,
      author_name: 'Ana Núñez',
      author_email: 'Ana@Example.com',
      authored_at: '2026-10-30T23:30:00-03:00',
      committer_name: 'Ana Núñez',
      committer_email: 'Ana@Example.com',
      committed_at: '2026-10-30T23:30:00-03:00',
      summary: 'init',
      parent_count: 0,
      files_changed: 1,
      insertions: 2,
      deletions: 0,
      seen_at: '2026-11-11T12:00:00.000Z',
    });
    // a.txt: 2 lines changed into 3 (two added, one removed); the binary file counts as a file with no lines.
    expect(byHash.get(second)).to.include({
      summary: 'Fix 😀 «quotes»\ttab and "double"',
      authored_at: '2026-11-02T10:00:00+02:00',
      files_changed: 2,
      insertions: 2,
      deletions: 1,
    });
    expect(byHash.get(merge)).to.include({ parent_count: 2, files_changed: null, insertions: null, deletions: null, author_email: 'merger@example.com' });
    expect(run.records.find((r) => r.repository === 'tools')).to.include({ namespace: 'beta/platform' });
    expect([...bookmarkOf(run.state, 'acme/web').keys()]).to.deep.equal(['refs/heads/feature', 'refs/heads/main']);
    expect(bookmarkOf(run.state, 'acme/web').get('refs/heads/main')![0]).to.equal(merge);
    state = run.state;
  });

  it('emits nothing new when nothing changed, and keeps the same state', async () => {
    const run = await sync();
    expect(run.code, run.stderr).to.equal(0);
    expect(run.records).to.deep.equal([]);
    expect(run.state).to.deep.equal(state);
  });

  it('emits only the commits added since, on existing and new branches; a deleted branch is forgotten', async () => {
    const onMain = web.commit({ message: 'after the first run' });
    web.branch('hotfix');
    const onHotfix = web.commit({ message: 'hotfix' });
    web.checkout('main');
    web.deleteBranch('feature');
    const run = await sync();
    expect(run.code, run.stderr).to.equal(0);
    expect(hashes(run)).to.deep.equal([onMain, onHotfix].sort());
    expect(run.stderr).to.match(/branch no longer exists/);
    expect([...bookmarkOf(run.state, 'acme/web').keys()]).to.deep.equal(['refs/heads/hotfix', 'refs/heads/main']);
    state = run.state;
  });

  it('after a force-push, emits the rewritten commits only (the old tip is still in the repository)', async () => {
    const before = web.head();
    web.resetHard('HEAD~1');
    const rewritten = web.commit({ message: 'after the first run, amended' });
    const run = await sync();
    expect(run.code, run.stderr).to.equal(0);
    expect(hashes(run)).to.deep.equal([rewritten]);
    expect(run.stderr)
      .to.match(/history rewritten \(force-push\)/)
      .and.to.include(before);
    state = run.state;
  });

  it('after a force-push and a gc removed the old tip, re-walks from the newest processed commit still present', async () => {
    web.checkout('main');
    const line: string[] = [];
    for (let i = 0; i < 6; i++) line.push(web.commit({ message: `line ${i}` }));
    let run = await sync();
    expect(hashes(run)).to.deep.equal([...line].sort());
    state = run.state;
    // Checkpoints of main: tip, tip~1, tip~4. Rewrite the last three commits, then collect garbage:
    // the tip and tip~1 are gone, tip~4 (line[1]) survives.
    expect(bookmarkOf(state, 'acme/web').get('refs/heads/main')!.slice(0, 3)).to.deep.equal([line[5], line[4], line[1]]);
    web.resetHard(line[2]);
    const fresh = [web.commit({ message: 'rewritten 1' }), web.commit({ message: 'rewritten 2' })];
    web.pruneUnreachable();
    run = await sync();
    expect(run.code, run.stderr).to.equal(0);
    // line[2] was emitted before; being past the surviving checkpoint it comes again (merged by key downstream).
    expect(hashes(run)).to.deep.equal([...fresh, line[2]].sort());
    expect(run.stderr)
      .to.match(/history rewritten: the last processed tip is gone/)
      .and.to.include(line[1]);
    state = run.state;
  });

  it("refuses a name that is not UTF-8, naming the repository, commit and field, and keeps that repository's bookmark", async () => {
    const bad = tools.rawCommit(Buffer.from([0x42, 0xe9, 0x6c, 0x61, 0x20, 0x3c, 0x62, 0x40, 0x78, 0x2e, 0x69, 0x6f, 0x3e]), Buffer.from('latin-1 author'));
    const run = await sync();
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include(`beta/platform/tools: commit ${bad}: author_name is not valid UTF-8 (bytes 42e96c61)`);
    // Whatever STATE came before the failure still holds the old bookmark of the failing repository.
    const toolsPartition = (value: unknown) =>
      (value as { bookmarks: { commits: { partitions: Record<string, unknown> } } }).bookmarks.commits.partitions['beta/platform/tools'];
    expect(toolsPartition(run.state ?? state)).to.deep.equal(toolsPartition(state));
  });

  it('with invalid_utf8: replace, stores U+FFFD and warns; control characters in a subject are kept', async () => {
    const subject = Buffer.from('tabs\tand \u001f unit \u001e record separators, ✓', 'utf8');
    const odd = tools.rawCommit(Buffer.from('Ok Name <ok@x.io>'), subject);
    const run = await sync({ invalid_utf8: 'replace' });
    expect(run.code, run.stderr).to.equal(0);
    const byHash = new Map(run.records.map((r) => [r.hash, r]));
    expect(byHash.size).to.equal(2);
    expect([...byHash.values()].find((r) => r.hash !== odd)).to.include({ author_name: 'B\ufffdla', author_email: 'b@x.io' });
    expect(byHash.get(odd)).to.include({ summary: subject.toString('utf8'), author_name: 'Ok Name' });
    expect(run.stderr).to.match(/author_name is not valid UTF-8 .*stored with U\+FFFD/);
  });

  it('fails clearly on a listed path that is not a repository', async () => {
    const run = await sync({ repositories_dir: undefined, repositories: [{ namespace: 'x', repository: 'y', path: join(dir, 'nowhere') }] });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/git for-each-ref .* failed \(exit 128\): fatal: cannot change to '[^']*nowhere'/);
  });
});
