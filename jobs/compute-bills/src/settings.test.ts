import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { settingsTable } from '@observes/job-core';
import { computeBillsJob } from './compute-bills-job.js';

describe('compute-bills: settings', () => {
  it('the README documents exactly the declared settings', () => {
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).to.include(settingsTable(computeBillsJob));
  });
});
