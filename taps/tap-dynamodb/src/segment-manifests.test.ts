import { expect } from 'chai';
import type { S3Manifest } from '@observes/target-core';
import { combineSegmentManifests, segmentManifestUrl, segmentProblem } from './segment-manifests.js';

function manifest(segment: number, done: boolean, files: string[], records = files.length): S3Manifest {
  return {
    manifest_version: 1,
    run_id: 'run-1',
    created_at: '2026-11-28T00:00:00.000Z',
    format: 'jsonl.gz',
    streams: {
      orders: {
        schema: { type: 'object', properties: { id: { type: 'integer' } } },
        key_properties: ['id'],
        files: files.map((url) => ({ url, table: 'orders', rows: 1, bytes: 10, columns: ['id'] })),
      },
    },
    state: {
      bookmarks: {
        orders: { total_segments: 2, segments: { [String(segment)]: done ? { done: true, records } : { last_evaluated_key: { id: { N: '5' } }, records } } },
      },
    },
  };
}

describe('segment manifests (phase 2 gate)', () => {
  it('fills the segment into the URL template, which must have the placeholder', () => {
    expect(segmentManifestUrl('s3://b/seg-{segment}/_manifests/r.json', 3)).to.equal('s3://b/seg-3/_manifests/r.json');
    expect(() => segmentManifestUrl('s3://b/_manifests/r.json', 3)).to.throw(/no \{segment\} placeholder/);
  });

  it('accepts a segment only when its manifest state shows every table done', () => {
    expect(segmentProblem(undefined, 0, 2, ['orders'])).to.equal('no manifest');
    expect(segmentProblem(manifest(0, false, []), 0, 2, ['orders'])).to.equal('scan not finished for "orders"');
    expect(segmentProblem(manifest(0, true, []), 0, 2, ['orders'])).to.equal(undefined);
    expect(segmentProblem(manifest(0, true, []), 0, 2, ['orders', 'users'])).to.equal('scan not finished for "users"');
    expect(segmentProblem(manifest(0, true, []), 0, 3, ['orders']), 'another number of segments').to.equal('scan not finished for "orders"');
  });

  it('refuses a finished segment whose files hold fewer records than its scan emitted', () => {
    expect(segmentProblem(manifest(0, true, ['s3://b/0/a'], 3), 0, 2, ['orders'])).to.equal(
      'files miss records of "orders" (1 of 3 records staged): rerun the segment without its state',
    );
    expect(segmentProblem(manifest(0, true, ['s3://b/0/a', 's3://b/0/b'], 1), 0, 2, ['orders']), 'redelivered records are fine').to.equal(undefined);
  });

  it('combines the segments into one versioned manifest with every file and a merged state', () => {
    const combined = combineSegmentManifests([manifest(0, true, ['s3://b/0/a', 's3://b/0/b']), manifest(1, true, ['s3://b/1/a'])], {
      runId: 'run-1-all',
      version: 42,
      createdAt: '2026-11-28T01:00:00.000Z',
    });
    expect(combined.run_id).to.equal('run-1-all');
    expect(combined.streams.orders.version).to.equal(42);
    expect(combined.streams.orders.files.map((f) => f.url)).to.deep.equal(['s3://b/0/a', 's3://b/0/b', 's3://b/1/a']);
    expect(combined.state).to.deep.equal({
      bookmarks: { orders: { total_segments: 2, segments: { '0': { done: true, records: 2 }, '1': { done: true, records: 1 } } } },
    });
  });

  it('refuses to combine segments whose schemas differ', () => {
    const other = manifest(1, true, []);
    other.streams.orders.schema = { type: 'object', properties: { id: { type: 'string' } } };
    expect(() => combineSegmentManifests([manifest(0, true, []), other], { runId: 'r', version: 1, createdAt: '' })).to.throw(
      /stream "orders" has different schemas/,
    );
  });
});
