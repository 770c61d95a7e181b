import { expect } from 'chai';
import { decideResume } from './resume-decision.js';

describe('decideResume (where a run resumes from)', () => {
  const bookmark = (id: number) => ({ bookmarks: { jobs: { id } } });
  it('the newer by sequence: the target after a crash between its commit and the save (the store is brought up to date)', () => {
    const decision = decideResume({ value: bookmark(10), sequence: 4, origin: 'target' }, { value: bookmark(20), sequence: 5, run_id: 'r1' }, 'r2');
    expect(decision).to.deep.include({ source: 'target', value: bookmark(20), sequence: 5 });
    expect(decision.storeUpdate).to.deep.equal({ value: bookmark(20), meta: { sequence: 5, origin: 'target', runId: 'r1', pending: false } });
  });
  it('the store when it is as new or newer, saying when the target lost its record', () => {
    expect(decideResume({ value: bookmark(10), sequence: 5, origin: 'target' }, { value: bookmark(10), sequence: 5 }, 'r')).to.deep.include({
      source: 'store',
      sequence: 5,
      reason: 'the store and the target agree',
    });
    expect(decideResume({ value: bookmark(10), sequence: 5, origin: 'target' }, { value: bookmark(1), sequence: 2 }, 'r').reason).to.match(
      /older than the store's \(5\)/,
    );
    expect(decideResume({ value: bookmark(10), sequence: 0, origin: 'legacy' }, undefined, 'r')).to.deep.include({ source: 'store', value: bookmark(10) });
  });
  it('a state set or cleared by hand, taken up with a sequence above both', () => {
    const set = decideResume({ value: bookmark(3), sequence: 6, origin: 'operator', pending: true }, { value: bookmark(20), sequence: 9 }, 'r3');
    expect(set).to.deep.include({ source: 'operator', value: bookmark(3), sequence: 10 });
    expect(set.storeUpdate!.meta).to.deep.equal({ sequence: 10, origin: 'operator', runId: 'r3', pending: false });
    const cleared = decideResume({ sequence: 7, origin: 'operator', pending: true, cleared: true }, { value: bookmark(20), sequence: 9 }, 'r3');
    expect(cleared).to.deep.include({ source: 'operator', value: undefined, sequence: 10 });
    expect(cleared.storeUpdate!.meta.cleared).to.equal(true);
    // Once taken up (no longer pending), a newer commit of the target wins again.
    expect(decideResume({ sequence: 10, origin: 'operator', cleared: true }, { value: bookmark(1), sequence: 11 }, 'r4').source).to.equal('target');
  });
  it('nothing anywhere: a full extraction', () => {
    expect(decideResume(undefined, undefined, 'r')).to.deep.include({ source: 'none', value: undefined, sequence: 0 });
  });
});
