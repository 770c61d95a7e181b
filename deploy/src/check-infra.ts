import { join, resolve } from 'node:path';
import {
  checkBuckets,
  checkDeclarations,
  checkIam,
  checkPipelineJobs,
  checkWarehouse,
  checkWarehouseLogins,
  EVALUATED_LOCALS,
  pipelineAccess,
  pipelineRoles,
  type PipelineAccess,
  type EvaluatedPipelines,
} from './infra-checks.js';
import { readPipelineFiles } from './pipeline-usage.js';
import { evaluateLocals } from './terraform-console.js';
import { blockAt, readTerraformModule } from './terraform-module.js';
import { unresolvedReferences } from './terraform-references.js';

/** Every check of infra/, by name: its problems (none: it passes). */
export type InfraReport = Record<'references' | 'declarations' | 'pipelines' | 'iam' | 'buckets' | 'warehouse', string[]>;

/**
 * Runs every check of a Terraform directory against its pipeline files (`npm run infra:check`, and
 * infra/'s tests). Needs the `terraform` binary (for the pure locals, no provider).
 * @param infraDir - the root module
 * @param pipelinesDir - the pipeline files (default: the module's `pipelines_dir` default, relative to it)
 */
export async function checkInfra(infraDir: string, pipelinesDir?: string): Promise<InfraReport> {
  const module = await readTerraformModule(infraDir);
  const variableDefault = (name: string) => blockAt(module, `var.${name}`).body.default;
  const dir = resolve(infraDir, pipelinesDir ?? String(variableDefault('pipelines_dir')));
  const pipelines = await readPipelineFiles(dir);
  const varFiles = [join(infraDir, 'pipeline-jobs.auto.tfvars.json')];
  const evaluated = (await evaluateLocals(module, EVALUATED_LOCALS, { pipelines_dir: dir }, varFiles)) as unknown as EvaluatedPipelines;
  const usage: string[] = [];
  const access = new Map<string, PipelineAccess>();
  for (const [role, names] of pipelineRoles(module, pipelines)) {
    const result = pipelineAccess(
      pipelines.filter((p) => names.includes(p.spec.name)),
      evaluated.buckets,
    );
    access.set(role, result.access);
    usage.push(...result.problems);
  }
  const withSchemas = Object.fromEntries(
    Object.entries(evaluated.jobs)
      .filter(([, j]) => j.warehouse_schemas.length > 0)
      .map(([n, j]) => [n, j.warehouse_schemas]),
  );
  return {
    references: await unresolvedReferences(module),
    declarations: checkDeclarations(module),
    pipelines: checkPipelineJobs(module, pipelines, evaluated),
    iam: [...usage, ...checkIam(module, access, variableDefault)],
    buckets: checkBuckets(module, evaluated.buckets),
    warehouse: [...checkWarehouse(module, withSchemas, evaluated, variableDefault), ...checkWarehouseLogins(pipelines, withSchemas)],
  };
}
