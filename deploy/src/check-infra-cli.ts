/**
 * `npm run infra:check [-- --infra-dir infra --pipelines-dir runner/examples]`: every check of the
 * Terraform in infra/ (check-infra.ts), one problem a line on stderr; exit 1 when there is one.
 */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkInfra } from './check-infra.js';

const argv = yargs(hideBin(process.argv))
  .scriptName('infra:check')
  .usage('$0 [options]\n\nChecks infra/ without Terraform providers: references, declarations, pipeline jobs, IAM, buckets, warehouse.')
  .option('infra-dir', { type: 'string', default: 'infra', describe: 'The Terraform root module' })
  .option('pipelines-dir', { type: 'string', describe: "Pipeline files (default: the module's pipelines_dir)" })
  .strict()
  .help()
  .parseSync();

try {
  const report = await checkInfra(resolve(argv.infraDir), argv.pipelinesDir && resolve(argv.pipelinesDir));
  let failed = 0;
  for (const [check, problems] of Object.entries(report)) {
    for (const p of problems) process.stderr.write(`${check}: ${p}\n`);
    failed += problems.length;
    process.stderr.write(`${check}: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}\n`);
  }
  process.exit(failed === 0 ? 0 : 1);
} catch (error) {
  process.stderr.write(`infra:check: ${(error as Error).message}\n`);
  process.exit(2);
}
