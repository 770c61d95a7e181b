import { CliError } from './cli-error.js';
import type { Pipeline } from './pipeline-config.js';

/**
 * The pipeline with only the named steps (`observes run <file> --step load`): a phase run by hand or on its own
 * schedule, such as Zoho CRM's load some time after its prepare. No names: the whole pipeline.
 * @throws CliError (exit 2) naming a step the pipeline does not have
 */
export function selectSteps(pipeline: Pipeline, steps: readonly string[]): Pipeline {
  if (steps.length === 0) return pipeline;
  const known = pipeline.spec.steps?.map((s) => s.name) ?? [];
  const unknown = steps.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new CliError(`${pipeline.file}: no step ${unknown.map((s) => JSON.stringify(s)).join(', ')}; its steps: ${known.length > 0 ? known.join(', ') : 'none'}`);
  }
  return { ...pipeline, phases: pipeline.phases.filter((phase) => steps.includes(phase.name)) };
}
