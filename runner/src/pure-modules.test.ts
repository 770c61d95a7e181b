import { expect } from 'chai';
import { selectStreams } from './catalog-selection.js';
import { interpolateEnv } from './interpolate-env.js';
import { formatProgress } from './progress-reporter.js';
import { RecordCounter } from './record-counter.js';
import { formatTable } from './text-table.js';

describe('runner pure modules', () => {
  it('RecordCounter counts RECORD lines per stream across split chunks and multi-byte characters', () => {
    const counter = new RecordCounter();
    const text = [
      '{"type":"SCHEMA","stream":"a","schema":{},"key_properties":[]}',
      '{"type":"RECORD","stream":"a","record":{"x":"é☕"}}',
      '{"type": "RECORD", "stream": "b\\"q", "record": {}}',
      '{"type":"STATE","value":{"stream":"a"}}',
      '{"record":{"n":1},"stream":"a","type":"RECORD"}',
    ].join('\r\n');
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 7) counter.push(bytes.subarray(i, i + 7));
    counter.end();
    expect(Object.fromEntries(counter.counts)).to.deep.equal({ a: 2, 'b"q': 1 });
    expect(counter.total()).to.equal(3);
  });

  it('interpolateEnv replaces ${VAR} and ${VAR:-default}, keeps $${ literal, lists what is missing and which values are secret', () => {
    const result = interpolateEnv(
      { token: '${GITLAB_TOKEN}', url: 'https://${HOST:-gitlab.com}/api', literal: '$${HOME}', list: ['${MISSING}'], n: 3 },
      { GITLAB_TOKEN: 'glpat-123456', HOST: '' },
      'tap.config',
    );
    expect(result.value).to.deep.equal({ token: 'glpat-123456', url: 'https://gitlab.com/api', literal: '${HOME}', list: ['${MISSING}'], n: 3 });
    expect(result.missing).to.deep.equal([{ path: 'tap.config.list[0]', name: 'MISSING' }]);
    expect(result.secrets).to.deep.equal(['glpat-123456']);
  });

  it('selectStreams marks the chosen streams selected and names unknown ones', () => {
    const catalog = { streams: [{ tap_stream_id: 'jobs', metadata: [{ breadcrumb: [], metadata: { inclusion: 'available' } }] }, { tap_stream_id: 'users' }] };
    expect(selectStreams(catalog, ['users'])).to.deep.equal({
      streams: [
        { tap_stream_id: 'jobs', metadata: [{ breadcrumb: [], metadata: { inclusion: 'available', selected: false } }] },
        { tap_stream_id: 'users', metadata: [{ breadcrumb: [], metadata: { selected: true } }] },
      ],
    });
    expect(() => selectStreams(catalog, ['nope'])).to.throw('select names streams the tap does not have: nope (it has: jobs, users)');
  });

  it('formatTable aligns text left and numbers right', () => {
    expect(formatTable(['name', 'n'], [['ab', 1], ['c', 100]])).to.equal('name    n\n----  ---\nab      1\nc     100\n');
  });

  it('formatProgress shows records and rates per stream', () => {
    expect(formatProgress('gitlab', new Map([['jobs', 300], ['users', 10]]), new Map([['jobs', 100]]), 2)).to.equal('gitlab: jobs 300 (100/s), users 10 (5/s)');
    expect(formatProgress('x', new Map(), new Map(), 1)).to.equal('x: waiting for records');
  });
});
