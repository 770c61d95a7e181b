import { expect } from 'chai';
import { keyFromState, keyToState } from './scan-key.js';
import { planTable } from './scan-state.js';

describe('scan state', () => {
  const key = { pk: { S: 'a' }, sk: { N: '12345678901234567890123456789012345678' } };

  it('starts every segment afresh without a bookmark', () => {
    expect(planTable(undefined, 3, [0, 1, 2])).to.deep.equal({
      fresh: true,
      bookmark: { total_segments: 3, segments: {} },
      plans: [0, 1, 2].map((segment) => ({ segment, skip: false, records: 0 })),
    });
  });

  it('resumes unfinished segments after their key and skips finished ones, keeping the version', () => {
    const state = { total_segments: 3, version: 7, segments: { '0': { done: true, records: 9 }, '1': { last_evaluated_key: key, records: 4 } } };
    const plan = planTable(state, 3, [0, 1, 2]);
    expect(plan.fresh).to.equal(false);
    expect(plan.bookmark.version).to.equal(7);
    expect(plan.plans).to.deep.equal([
      { segment: 0, skip: true, startKey: undefined, records: 9 },
      { segment: 1, skip: false, startKey: key, records: 4 },
      { segment: 2, skip: false, startKey: undefined, records: 0 },
    ]);
    // The plan's bookmark is a copy: updating it leaves the input state alone.
    plan.bookmark.segments['2'] = { done: true };
    expect(state.segments).to.not.have.property('2');
  });

  it('starts a new scan when every owned segment finished, keeping other processes’ segments', () => {
    const state = { total_segments: 2, version: 7, segments: { '0': { done: true }, '1': { last_evaluated_key: key } } };
    const plan = planTable(state, 2, [0]);
    expect(plan.fresh).to.equal(true);
    expect(plan.bookmark).to.deep.equal({ total_segments: 2, segments: { '1': { last_evaluated_key: key } } });
    expect(plan.plans).to.deep.equal([{ segment: 0, skip: false, records: 0 }]);
  });

  it('ignores positions taken with another number of segments', () => {
    const plan = planTable({ total_segments: 4, segments: { '0': { last_evaluated_key: key } } }, 2, [0, 1]);
    expect(plan.fresh).to.equal(true);
    expect(plan.plans.every((p) => p.startKey === undefined)).to.equal(true);
  });

  it('keeps keys in the state as JSON without loss, binary as base64', () => {
    const start = { pk: { S: 'a' }, n: { N: '12345678901234567890123456789012345678' }, b: { B: Buffer.from([0, 255]) } };
    const stored = JSON.parse(JSON.stringify(keyToState(start)));
    expect(stored).to.deep.equal({ pk: { S: 'a' }, n: { N: '12345678901234567890123456789012345678' }, b: { B: 'AP8=' } });
    expect(keyFromState(stored)).to.deep.equal(start);
    expect(() => keyFromState({ pk: { X: 1 } })).to.throw(/must be \{"S"\|"N"\|"B": string\}/);
  });
});
