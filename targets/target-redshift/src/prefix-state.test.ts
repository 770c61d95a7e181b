import { expect } from 'chai';
import { afterLoadingObjects, dataObjects, fileFormat, KEPT_OBJECTS, objectsToLoad, type PrefixObject } from './prefix-state.js';

const P = 's3://drops/logrocket/';
const obj = (key: string, minute: number, etag = `"${key}-1"`, size = 10): PrefixObject => ({
  key,
  etag,
  size,
  lastModified: new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString(),
});

describe('prefix-state (which pushed files to load, and the state remembering them)', () => {
  it('loads data files in LastModified order, leaving folders and empty objects', () => {
    const listing = [
      obj('logrocket/b.jsonl.gz', 2),
      obj('logrocket/a.jsonl.gz', 2),
      obj('logrocket/c.csv', 1),
      obj('logrocket/', 0),
      obj('logrocket/empty.csv', 3, '"e"', 0),
    ];
    expect(dataObjects(listing).map((o) => o.key)).to.deep.equal(['logrocket/c.csv', 'logrocket/a.jsonl.gz', 'logrocket/b.jsonl.gz']);
  });

  it('skips what the state lists with the same ETag, loads new and rewritten objects', () => {
    const first = [obj('logrocket/1.csv', 1), obj('logrocket/2.csv', 2)];
    const state = afterLoadingObjects(P, undefined, first);
    expect(state).to.deep.equal({
      prefix: P,
      loaded: {
        'logrocket/1.csv': { etag: '"logrocket/1.csv-1"', last_modified: first[0].lastModified },
        'logrocket/2.csv': { etag: '"logrocket/2.csv-1"', last_modified: first[1].lastModified },
      },
    });
    const again = objectsToLoad(P, [...first, obj('logrocket/3.csv', 3), obj('logrocket/1.csv', 4, '"rewritten"')], state);
    expect(again.load.map((o) => [o.key, o.etag])).to.deep.equal([
      ['logrocket/3.csv', '"logrocket/3.csv-1"'],
      ['logrocket/1.csv', '"rewritten"'],
    ]);
    expect(objectsToLoad(P, first, state).load).to.deep.equal([]);
  });

  it('stays bounded: older entries give way to a watermark that still counts them as loaded', () => {
    const many = Array.from({ length: KEPT_OBJECTS + 5 }, (_, i) => obj(`logrocket/${String(i).padStart(4, '0')}.jsonl`, i));
    const state = afterLoadingObjects(P, undefined, many);
    expect(Object.keys(state.loaded)).to.have.length(KEPT_OBJECTS);
    expect(state.watermark).to.equal(many[4].lastModified);
    expect(JSON.stringify(state).length, 'fits the 64 KiB state column').to.be.below(65_535);
    const late = obj('logrocket/late-multipart.jsonl', 3);
    const plan = objectsToLoad(P, [...many, late, obj('logrocket/new.jsonl', 9999)], state);
    expect(plan.load.map((o) => o.key)).to.deep.equal(['logrocket/new.jsonl']);
    expect(
      plan.belowWatermark.map((o) => o.key),
      'reported, not silently dropped',
    ).to.deep.equal([
      'logrocket/0000.jsonl',
      'logrocket/0001.jsonl',
      'logrocket/0002.jsonl',
      'logrocket/0003.jsonl',
      'logrocket/late-multipart.jsonl',
      'logrocket/0004.jsonl',
    ]);
    expect(afterLoadingObjects(P, state, [obj('logrocket/new.jsonl', 9999)]).watermark, 'moves forward as entries give way').to.equal(many[5].lastModified);
  });

  it("refuses another prefix's state, and tells formats by name", () => {
    expect(() => objectsToLoad('s3://drops/other/', [], afterLoadingObjects(P, undefined, []))).to.throw(
      /the state is of s3:\/\/drops\/logrocket\/, not s3:\/\/drops\/other\//,
    );
    expect(fileFormat('a/b.jsonl.gz')).to.deep.equal({ format: 'jsonl', gzip: true });
    expect(fileFormat('a/b.JSON')).to.deep.equal({ format: 'jsonl', gzip: false });
    expect(fileFormat('a/b.csv.gz')).to.deep.equal({ format: 'csv', gzip: true });
    expect(fileFormat('a/b.parquet')).to.equal(undefined);
  });
});
