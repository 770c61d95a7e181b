import { expect } from 'chai';
import { checkpointsOf, formatBranchBookmark, parseBranchBookmark } from './branch-bookmark.js';

const h = (c: string) => c.repeat(40);

describe('tap-git: branch bookmarks', () => {
  it('round-trips refs (even with = in the name) in name order', () => {
    const text = formatBranchBookmark(
      new Map([
        ['refs/heads/z', [h('1')]],
        ['refs/heads/a=b', [h('2'), h('3')]],
      ]),
    );
    expect(text).to.equal(`refs/heads/a=b=${h('2')},${h('3')} refs/heads/z=${h('1')}`);
    expect([...parseBranchBookmark(text)]).to.deep.equal([
      ['refs/heads/a=b', [h('2'), h('3')]],
      ['refs/heads/z', [h('1')]],
    ]);
    expect(parseBranchBookmark('').size).to.equal(0);
    expect(parseBranchBookmark(undefined).size).to.equal(0);
  });

  it('refuses a value tap-git did not write', () => {
    expect(() => parseBranchBookmark('2026-11-01T00:00:00Z')).to.throw(/not <ref>=<hash>/);
    expect(() => parseBranchBookmark(`refs/heads/main=${h('1')},xyz`)).to.throw(/not <ref>=<hash>/);
  });

  it('keeps the tip and the ancestors at distances 1, 4, 16, 64, 256 and 1024 that exist', () => {
    const history = Array.from({ length: 20 }, (_, i) => String(i));
    expect(checkpointsOf(history)).to.deep.equal(['0', '1', '4', '16']);
    expect(checkpointsOf(['only'])).to.deep.equal(['only']);
  });
});
