import { expect } from 'chai';
import { selectStreams } from './catalog-selection.js';
import { interpolateEnv } from './interpolate-env.js';
import { previousMonth } from './pipeline-config.js';
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

  it('interpolateEnv takes a default from another variable: ${A:-${B}}', () => {
    const month = '${BACKUP_MONTH:-${OBSERVES_PREVIOUS_MONTH}}';
    expect(interpolateEnv({ month }, { OBSERVES_PREVIOUS_MONTH: '2026-10' }).value).to.deep.equal({ month: '2026-10' });
    expect(interpolateEnv({ month }, { BACKUP_MONTH: '2026-03', OBSERVES_PREVIOUS_MONTH: '2026-10' }).value).to.deep.equal({ month: '2026-03' });
    // Neither set: the inner variable is what is missing (the outer one has a default).
    expect(interpolateEnv({ month }, {}, 'tap.config').missing).to.deep.equal([{ path: 'tap.config.month', name: 'OBSERVES_PREVIOUS_MONTH' }]);
  });

  it('previousMonth is the UTC month before, across a year boundary', () => {
    expect(previousMonth(new Date('2027-01-01T00:30:00Z'))).to.equal('2026-12');
    expect(previousMonth(new Date('2026-03-31T23:59:59Z'))).to.equal('2026-02');
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
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['ab', 1],
          ['c', 100],
        ],
      ),
    ).to.equal('name    n\n----  ---\nab      1\nc     100\n');
  });

  it('formatProgress shows records and rates per stream', () => {
    expect(
      formatProgress(
        'gitlab',
        new Map([
          ['jobs', 300],
          ['users', 10],
        ]),
        new Map([['jobs', 100]]),
        2,
      ),
    ).to.equal('gitlab: jobs 300 (100/s), users 10 (5/s)');
    expect(formatProgress('x', new Map(), new Map(), 1)).to.equal('x: waiting for records');
  });
});
