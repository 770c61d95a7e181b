import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { settingsTable } from '@observes/job-core';
import { batchStabilityJob } from './batch-stability-job.js';

describe('batch-stability: settings', () => {
  it('the README documents exactly the declared settings', () => {
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).to.include(settingsTable(batchStabilityJob));
  });
});
