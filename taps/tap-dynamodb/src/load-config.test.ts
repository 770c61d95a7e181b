import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chooseSegments, loadTapConfig } from './load-config.js';

describe('tap-dynamodb config', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-dynamodb-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (config: unknown) => {
    const path = join(dir, `${Math.random()}.json`);
    writeFileSync(path, JSON.stringify(config));
    return path;
  };

  it('applies defaults, environment overrides and integers written as text', () => {
    const config = loadTapConfig(file({ tables: ['a_table'], schema_cache: 's3://observes.cache/dynamodb/', total_segments: '8' }), {
      TAP_DYNAMODB_PAGE_SIZE: '100',
    });
    expect(config).to.deep.equal({
      tables: ['a_table'],
      schema_cache: 's3://observes.cache/dynamodb/',
      total_segments: 8,
      page_size: 100,
      concurrency: 4,
      max_throttle_retries: 10,
    });
  });

  it('lists every problem at once', () => {
    expect(() => loadTapConfig(file({ tables: 'a_table', total_segments: 0, colour: 'red' }), {}))
      .to.throw(/missing required setting "schema_cache"/)
      .and.to.match(/\/tables: must be array/)
      .and.to.match(/\/total_segments: must be >= 1/)
      .and.to.match(/unknown setting "colour"/);
  });

  it('chooses the segment from the flags, the config, then the array job environment', () => {
    const config = { tables: ['t'], schema_cache: 'x', concurrency: 4, max_throttle_retries: 10 };
    expect(chooseSegments(config, {}, {})).to.deep.equal({ segment: undefined, totalSegments: 1 });
    expect(chooseSegments(config, {}, { OBSERVES_ARRAY_INDEX: '2', OBSERVES_ARRAY_SIZE: '3' })).to.deep.equal({ segment: 2, totalSegments: 3 });
    expect(chooseSegments({ ...config, total_segments: 4 }, {}, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).to.deep.equal({ segment: 3, totalSegments: 4 });
    expect(chooseSegments({ ...config, total_segments: 4, segment: 1 }, { segment: 0, totalSegments: 2 }, { OBSERVES_ARRAY_INDEX: '3' })).to.deep.equal({
      segment: 0,
      totalSegments: 2,
    });
    expect(() => chooseSegments({ ...config, total_segments: 2 }, {}, { AWS_BATCH_JOB_ARRAY_INDEX: '2' })).to.throw(
      /segment 2 is out of range: the table is scanned in 2 segments \(0 to 1\)/,
    );
    expect(() => chooseSegments(config, {}, { AWS_BATCH_JOB_ARRAY_INDEX: 'x' })).to.throw(/AWS_BATCH_JOB_ARRAY_INDEX must be a whole number/);
  });
});
