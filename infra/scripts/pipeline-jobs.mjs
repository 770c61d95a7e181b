#!/usr/bin/env node
// Writes infra/pipeline-jobs.auto.tfvars.json from the pipeline files (`npm run infra:schedules`),
// or with --check fails when it is stale. The conversions live in @observes/runner/batch-schedule
// (tested); this file is only the I/O around them. Needs the runner built (`npx tsc -b runner`).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { formatPipelineJobsFile, pipelineJobs } from '@observes/runner/batch-schedule';
import { parsePipelineSpec } from '@observes/runner/pipeline-config';

const infraDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = yargs(hideBin(process.argv))
  .scriptName('infra:schedules')
  .usage('$0 [--check]\n\nConverts each pipeline\'s schedule and resources for the Terraform in infra/.')
  .option('pipelines-dir', { type: 'string', default: join(infraDir, '../runner/examples'), describe: 'Directory of pipeline files (*.yaml, not recursive, like the pipelines_dir variable)' })
  .option('out', { type: 'string', default: join(infraDir, 'pipeline-jobs.auto.tfvars.json'), describe: 'File to write' })
  .option('check', { type: 'boolean', default: false, describe: 'Write nothing; exit 1 when the file differs from what would be written' })
  .strict()
  .help()
  .parseSync();

/** Config files a pipeline names by path (relative to it), parsed, by that path: their ${VARS} are needed too. */
async function configFiles(spec, pipelineFile) {
  const programs = [spec.tap, spec.target, ...(spec.steps ?? []).flatMap((s) => [s.tap, s.target, s.job])];
  const paths = [...new Set(programs.map((p) => p?.config).filter((c) => typeof c === 'string'))];
  return Object.fromEntries(await Promise.all(paths.map(async (p) => [p, parseYaml(await readFile(resolve(dirname(pipelineFile), p), 'utf8'))])));
}

try {
  const dir = resolve(argv.pipelinesDir);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort();
  const sources = await Promise.all(names.map(async (file) => {
    const path = join(dir, file);
    const spec = parsePipelineSpec(await readFile(path, 'utf8'), path);
    return { file, spec, configFiles: await configFiles(spec, path) };
  }));
  const text = formatPipelineJobsFile(pipelineJobs(sources));
  const out = resolve(argv.out);
  if (argv.check) {
    const current = await readFile(out, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${relative(process.cwd(), out)} is stale: the pipelines in ${relative(process.cwd(), dir) || '.'} changed; run npm run infra:schedules\n`);
      process.exit(1);
    }
  } else {
    await writeFile(out, text);
    process.stderr.write(`wrote ${relative(process.cwd(), out)} (${names.length} pipelines)\n`);
  }
} catch (error) {
  process.stderr.write(`infra:schedules: ${error.message}\n`);
  process.exit(2);
}
