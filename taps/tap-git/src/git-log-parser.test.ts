import { expect } from 'chai';
import { GitLogFormatError, parseGitLog, type GitCommit } from './git-log-parser.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

/** The tokens git writes for one commit header (9 fields, then the empty end-of-header token). */
const header = (hash: string, parents: string, subject = 's') => [
  hash,
  'N',
  'n@x',
  '2026-11-01T10:00:00+02:00',
  'C',
  'c@x',
  '2026-11-01T10:00:00Z',
  parents,
  subject,
  '',
];

async function parse(tokens: string[]): Promise<GitCommit[]> {
  async function* source() {
    for (const t of tokens) yield Buffer.from(t, 'utf8');
  }
  const out: GitCommit[] = [];
  for await (const commit of parseGitLog(source())) out.push(commit);
  return out;
}

describe('tap-git: git log -z --numstat parser', () => {
  it('sums numstat lines, counts binary files, gives merges no stats and empty commits zeros', async () => {
    const commits = await parse([
      ...header(A, B),
      '\n3\t1\tsrc/a.ts',
      '-\t-\tlogo.png',
      '10\t0\tpath with\ttab',
      ...header(B, `${C} ${A}`, 'merge'),
      ...header(C, ''),
    ]);
    expect(commits.map((c) => [c.hash, c.parents, c.stats])).to.deep.equal([
      [A, [B], { filesChanged: 3, insertions: 13, deletions: 1 }],
      [B, [C, A], null],
      [C, [], { filesChanged: 0, insertions: 0, deletions: 0 }],
    ]);
    expect(commits[0].authoredAt).to.equal('2026-11-01T10:00:00+02:00');
    expect(commits[0].text.summary.toString()).to.equal('s');
  });

  it('reads 64-digit (SHA-256) object names', async () => {
    const long = 'd'.repeat(64);
    expect((await parse(header(long, '')))[0].hash).to.equal(long);
  });

  it('refuses output it does not understand', async () => {
    await parse(header(A, '').slice(0, 5)).then(
      () => expect.fail('parsed a truncated commit'),
      (error) =>
        expect(error)
          .to.be.instanceOf(GitLogFormatError)
          .with.property('message')
          .that.matches(/ends after 5 of 9 fields/),
    );
    await parse(['not-a-hash', ...header(A, '').slice(1)]).then(
      () => expect.fail('parsed a bad object name'),
      (error) => expect(error.message).to.match(/object name "not-a-hash"/),
    );
    await parse([...header(A, '').slice(0, 9), 'x']).then(
      () => expect.fail('parsed without an end of header'),
      (error) => expect(error.message).to.match(/no end of header/),
    );
  });
});
