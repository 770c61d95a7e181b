import { expect } from 'chai';
import { commitOf, formatCommittedState, nextSequence, parseCommittedState, pipelineId } from './commit-record.js';
import { ExactNumber } from './exact-number.js';

describe('commit records (the committed-state contract)', () => {
  it("numbers the next commit above the target's last one and the sequence the runner resumed from", () => {
    expect(nextSequence(undefined, {})).to.equal(1);
    expect(nextSequence(7, { OBSERVES_STATE_SEQUENCE: '3' })).to.equal(8);
    expect(nextSequence(7, { OBSERVES_STATE_SEQUENCE: '12' })).to.equal(13);
    expect(nextSequence(2, { OBSERVES_STATE_SEQUENCE: 'x' })).to.equal(3);
  });
  it('prints the bare value for a shell (`{}` when none) and the record for the runner, which parses it back exactly', () => {
    const committed = {
      value: { bookmarks: { id: new ExactNumber('123456789012345678901') } },
      sequence: 4,
      run_id: 'r',
      committed_at: '2026-12-01T00:00:00.000Z',
    };
    expect(formatCommittedState(committed, false)).to.equal('{"bookmarks":{"id":123456789012345678901}}\n');
    expect(formatCommittedState(undefined, false)).to.equal('{}\n');
    expect(formatCommittedState(undefined, true)).to.equal('null\n');
    expect(parseCommittedState(formatCommittedState(committed, true))).to.deep.equal(committed);
    expect(parseCommittedState('null\n')).to.equal(undefined);
    expect(() => parseCommittedState('{"value":{}}')).to.throw(/not a commit record/);
  });
  it('reads the commit info of an echoed STATE, ignoring a malformed one', () => {
    expect(commitOf({ commit: { sequence: 3, run_id: 'r' } })).to.deep.equal({ sequence: 3, run_id: 'r' });
    expect(commitOf({ commit: { sequence: 0 } })).to.equal(undefined);
    expect(commitOf({})).to.equal(undefined);
  });
  it("files commit records under state_id, else the runner's unit, else the fallback", () => {
    expect(pipelineId('custom', 'schema', { OBSERVES_PIPELINE: 'p' })).to.equal('custom');
    expect(pipelineId(undefined, 'schema', { OBSERVES_PIPELINE: 'p' })).to.equal('p');
    expect(pipelineId(undefined, 'schema', {})).to.equal('schema');
  });
});
