import { settingsTable as declarationTable } from '@observes/protocol';
import { jobEnvPrefix, jobSettings, type JobDefinition } from './job-definition.js';

/**
 * The Markdown table of a job's settings, from its declaration: each setting's flag, variable, type,
 * default and description. Job READMEs hold it between the settings markers (`npm run docs` writes it, a test
 * checks), so the docs cannot drift.
 */
export function settingsTable(job: JobDefinition<unknown>): string {
  return declarationTable(jobSettings(job), jobEnvPrefix(job.name), { flags: true });
}
