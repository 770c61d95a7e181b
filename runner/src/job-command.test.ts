import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { runNode } from '@observes/testkit';
import { JOBS } from './job-command.js';

const OBSERVES = fileURLToPath(new URL('../bin/observes.js', import.meta.url));

describe('observes job', function () {
  this.timeout(30_000);

  it('passes every argument after the name to the job, --help included, and returns its exit code', async () => {
    const help = await runNode([OBSERVES, 'job', 'batch-stability', '--help']);
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout).to.include('batch-stability [options]').and.to.include('--lookback-hours').and.not.to.include('observes job <name>');
    // The job's own failure (exit 1, which the runner's CLI never gives for a usage error) comes back unchanged.
    const env = { ...process.env, COMPUTE_BILLS_WAREHOUSE_URL: 'postgres://nobody@127.0.0.1:1/none', COMPUTE_BILLS_PLATFORM_API_URL: 'http://127.0.0.1:1', COMPUTE_BILLS_PLATFORM_TOKEN: 'token-12345' };
    const failed = await runNode([OBSERVES, 'job', 'compute-bills', '--month', '2026-01', '--aliases-file', '/nonexistent/people.mailmap'], { env });
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.include('/nonexistent/people.mailmap').and.to.include('ENOENT');
  });

  it('refuses a job it does not know, listing the known ones', async () => {
    const run = await runNode([OBSERVES, 'job', 'make-coffee']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('make-coffee');
    for (const name of Object.keys(JOBS)) expect(run.stderr).to.include(name);
  });
});
