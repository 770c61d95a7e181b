import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { runNode } from '@observes/testkit';
import { JOBS } from './job-command.js';

const OBSERVES = fileURLToPath(new URL('../bin/observes.js', import.meta.url));

describe('observes job', function () {
  this.timeout(30_000);

  // Passing arguments and exit codes through is also what the jobs' own end-to-end tests run on.
  it('passes every argument after the name to the job, --help included', async () => {
    const help = await runNode([OBSERVES, 'job', 'batch-stability', '--help']);
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout).to.include('batch-stability [options]').and.to.include('--lookback-hours').and.not.to.include('observes job <name>');
  });

  it('refuses a job it does not know, listing the known ones', async () => {
    const run = await runNode([OBSERVES, 'job', 'make-coffee']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('make-coffee');
    for (const name of Object.keys(JOBS)) expect(run.stderr).to.include(name);
  });
});
