import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { checkInfra, type InfraReport } from './check-infra.js';
import {
  checkBuckets,
  checkDeclarations,
  checkIam,
  checkWarehouse,
  checkWarehouseLogins,
  EVALUATED_LOCALS,
  pipelineAccess,
  type EvaluatedPipelines,
} from './infra-checks.js';
import { readPipelineFiles } from './pipeline-usage.js';
import { evaluateLocals, terraformAvailable } from './terraform-console.js';
import { blockAt, readTerraformModule, terraformFiles, type TerraformModule } from './terraform-module.js';
import { unresolvedReferences } from './terraform-references.js';

const run = promisify(execFile);
const INFRA = fileURLToPath(new URL('../../infra', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../runner/examples', import.meta.url));

describe('infra/ (Terraform checked without its providers)', function () {
  let report: InfraReport;
  let module: TerraformModule;
  let evaluated: EvaluatedPipelines;
  let hasTerraform: boolean;
  let work: string;

  before(async function () {
    hasTerraform = await terraformAvailable();
    module = await readTerraformModule(INFRA);
    if (!hasTerraform) return;
    report = await checkInfra(INFRA);
    evaluated = (await evaluateLocals(module, EVALUATED_LOCALS, { pipelines_dir: EXAMPLES }, [
      join(INFRA, 'pipeline-jobs.auto.tfvars.json'),
    ])) as unknown as EvaluatedPipelines;
  });
  beforeEach(function () {
    // The checks of what the pipelines become evaluate locals with the terraform binary.
    if (!hasTerraform && this.currentTest?.title.includes('[terraform]')) this.skip();
  });
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'observes-infra-test-'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  /** A copy of infra/ with `edits` applied (each `from` must be found), parsed. */
  let copies = 0;
  async function mutated(edits: { file: string; from: string | RegExp; to: string }[]): Promise<{ dir: string; module: TerraformModule }> {
    const dir = join(work, `copy-${copies++}`);
    await cp(INFRA, dir, { recursive: true, filter: (src) => !src.includes('.terraform') });
    for (const { file, from, to } of edits) {
      const text = await readFile(join(dir, file), 'utf8');
      expect(typeof from === 'string' ? text.includes(from) : from.test(text), `${file} holds ${from}`).to.equal(true);
      await writeFile(join(dir, file), text.replace(from, to));
    }
    return { dir, module: await readTerraformModule(dir) };
  }
  const defaults = (m: TerraformModule) => (name: string) => blockAt(m, `var.${name}`).body.default;

  it('parses every .tf file of infra/ (whoever added it)', async () => {
    const files = await terraformFiles(INFRA);
    expect(files).to.include.members(['job-definitions.tf', 'iam.tf', 'buckets.tf', 'warehouse.tf', 'warehouse-users.tf']);
    expect(new Set([...module.blocks.values()].map((b) => b.file))).to.deep.equal(new Set(files));
  });

  it('every var., local., data and resource reference resolves', async () => {
    expect(await unresolvedReferences(module)).to.deep.equal([]);
  });

  it('every variable has a type and a description, every output a description', () => {
    expect(checkDeclarations(module)).to.deep.equal([]);
  });

  it('[terraform] each pipeline file has its job definitions, schedule and array properties', () => {
    expect(report.pipelines).to.deep.equal([]);
    expect(evaluated.batch_jobs['dynamodb-scan']).to.deep.include({ step: 'scan', array_size: 8, first: true });
    expect(evaluated.scheduled_jobs.dynamodb).to.deep.include({ key: 'dynamodb-scan', array_size: 8 });
    expect(Object.keys(evaluated.batch_jobs).filter((k) => k.startsWith('dynamodb'))).to.have.members(['dynamodb-scan', 'dynamodb-check', 'dynamodb-load']);
  });

  it('[terraform] the job role grants only the buckets, prefixes, tables and actions the pipelines use', () => {
    expect(report.iam).to.deep.equal([]);
  });

  it('[terraform] buckets: public access blocked, encrypted, owner-enforced, TLS only; the state bucket versioned', () => {
    expect(report.buckets).to.deep.equal([]);
  });

  it('[terraform] the warehouse: encrypted, SSL required, snapshots kept, reachable by the jobs and BI only, managed master password, a user per pipeline', () => {
    expect(report.warehouse).to.deep.equal([]);
    expect(evaluated.warehouse_users).to.deep.include({
      dynamodb: { user: 'etl_dynamodb', schemas: ['dynamodb'] },
      gitlab: { user: 'etl_gitlab', schemas: ['gitlab'] },
    });
  });

  it('terraform fmt -check [terraform]', async () => {
    await run('terraform', ['fmt', '-check', '-diff', INFRA]);
  });

  describe('the checks fail when infra/ is broken on purpose', () => {
    it('a reference to a resource that does not exist, and one to an undeclared variable', async () => {
      const { module: m } = await mutated([
        { file: 'job-definitions.tf', from: 'aws_iam_role.job.arn', to: 'aws_iam_role.jobs.arn' },
        { file: 'warehouse.tf', from: 'var.warehouse_node_type', to: 'var.warehouse_node' },
      ]);
      const problems = await unresolvedReferences(m);
      expect(problems).to.include(
        'job-definitions.tf: aws_batch_job_definition.pipeline.container_properties: aws_iam_role.jobs.arn: aws_iam_role.jobs is not declared',
      );
      expect(problems).to.include('warehouse.tf: aws_redshift_cluster.warehouse.node_type: var.warehouse_node: var.warehouse_node is not declared');
      expect(problems).to.have.length(2);
    });

    it('a variable without description', async () => {
      const { module: m } = await mutated([{ file: 'variables.tf', from: / {2}description = "The company VPC[^\n]*\n/, to: '' }]);
      expect(checkDeclarations(m)).to.deep.equal(['variables.tf: var.vpc_id: no description']);
    });

    it('[terraform] a pipeline whose job definitions or array properties are gone', async () => {
      const { dir } = await mutated([
        { file: 'schedules.tf', from: 'array_size = each.value.array_size > 1 ? each.value.array_size : null', to: 'array_size = null' },
        { file: 'job-definitions.tf', from: 'for_each              = local.batch_jobs', to: 'for_each              = local.pipelines' },
      ]);
      const broken = await checkInfra(dir, EXAMPLES);
      expect(broken.pipelines.join('\n'))
        .to.match(/for_each must be local\.batch_jobs/)
        .and.match(/batch_target\.array_size must come from the first step's array_size/);
    });

    it('[terraform] a pipeline file changed without regenerating, and one with no job at all', async () => {
      const pipelines = join(work, 'pipelines');
      await cp(EXAMPLES, pipelines, { recursive: true });
      const dynamodb = join(pipelines, 'dynamodb.yaml');
      await writeFile(dynamodb, (await readFile(dynamodb, 'utf8')).replace('array_size: 8', 'array_size: 4'));
      const { dir } = await mutated([{ file: 'pipeline-jobs.auto.tfvars.json', from: /"gitlab": \{[^]*?"warehouse_schemas": \[[^\]]*\]\s*\},/, to: '' }]);
      const broken = await checkInfra(dir, pipelines);
      expect(broken.pipelines).to.include('dynamodb.yaml: pipeline-jobs.auto.tfvars.json is stale or misses it (npm run infra:schedules)');
      expect(broken.pipelines).to.include(
        'dynamodb.yaml: job dynamodb-scan is {"array_size":8,"first":true,"pipeline":"dynamodb","step":"scan"}, expected step scan with array size 4',
      );
      expect(broken.pipelines).to.include('gitlab.yaml: pipeline-jobs.auto.tfvars.json is stale or misses it (npm run infra:schedules)');
    });

    it('[terraform] a bucket policy and buckets opened up', async () => {
      const { module: m } = await mutated([
        { file: 'buckets.tf', from: 'restrict_public_buckets = true', to: 'restrict_public_buckets = false' },
        { file: 'buckets.tf', from: 'values   = ["false"]', to: 'values   = ["true"]' },
        {
          file: 'buckets.tf',
          from: 'state    = { name = var.state_bucket, versioned = true }',
          to: 'state    = { name = var.state_bucket, versioned = false }',
        },
      ]);
      const buckets = (await evaluateLocals(m, ['buckets'])).buckets as EvaluatedPipelines['buckets'];
      const problems = checkBuckets(m, buckets);
      expect(problems).to.include('buckets.tf: aws_s3_bucket_public_access_block.this: restrict_public_buckets is not true');
      expect(problems).to.include('buckets.tf: aws_s3_bucket.this: no bucket policy denying requests without TLS');
      expect(problems.join('\n')).to.match(/the state bucket must be versioned/);
    });

    it('[terraform] a job role granting a wildcard, an unused prefix, a bucket no pipeline uses, or s3:*', async () => {
      const { module: m } = await mutated([
        { file: 'iam.tf', from: 'resources = ["${local.bucket_arns.state}/*"]', to: 'resources = ["*"]' },
        { file: 'iam.tf', from: 'actions   = ["s3:GetObject", "s3:PutObject"]', to: 'actions   = ["s3:*"]' },
        {
          file: 'variables.tf',
          from: 'default     = ["dynamodb/", "backup_timedoctor/", "logrocket/"]',
          to: 'default     = ["dynamodb/", "backup_timedoctor/", "logrocket/", "unused/"]',
        },
        {
          file: 'iam.tf',
          from: '  statement {\n    sid       = "DynamoDbScan"',
          to: '  statement {\n    sid       = "Bills"\n    actions   = ["s3:GetObject"]\n    resources = ["${local.bucket_arns.bills}/*"]\n  }\n  statement {\n    sid       = "DynamoDbScan"',
        },
      ]);
      const pipelines = await readPipelineFiles(EXAMPLES);
      const { access } = pipelineAccess(
        pipelines.filter((p) => !['compute-bills', 'batch-stability'].includes(p.spec.name)),
        evaluated.buckets,
      );
      const problems = checkIam(m, new Map([['job', access]]), defaults(m)).join('\n');
      expect(problems).to.match(/statement StateObjects: resource \* is a wildcard for s3:GetObject, s3:PutObject, s3:DeleteObject/);
      expect(problems).to.match(/statement CacheObjects: wildcard action s3:\*/);
      expect(problems).to.match(/grants etl_data\/unused\/ \(var\.etl_data_prefixes\), which no pipeline of the job role uses/);
      expect(problems).to.match(/statement Bills: grants the bills bucket, which no pipeline of the job role uses/);
      expect(problems).to.match(/the job role grants no objects of the state bucket, which its pipelines/);
    });

    it('[terraform] a warehouse that is public, without SSL, unencrypted, open to the world or with a password in Terraform', async () => {
      const { module: m } = await mutated([
        { file: 'warehouse.tf', from: /encrypted(\s+)= true/, to: 'encrypted$1= false' },
        { file: 'warehouse.tf', from: 'name  = "require_ssl"\n    value = "true"', to: 'name  = "require_ssl"\n    value = "false"' },
        { file: 'warehouse.tf', from: 'manage_master_password = true', to: 'master_password = "Not-a-good-idea-1"' },
        { file: 'variables.tf', from: 'default     = ["52.23.63.224/27"]', to: 'default     = ["0.0.0.0/0"]' },
        { file: 'variables.tf', from: /(variable "warehouse_publicly_accessible" \{[^}]*default\s*=\s*)false/, to: '$1true' },
      ]);
      const schemas = Object.fromEntries(
        Object.entries(evaluated.jobs)
          .filter(([, j]) => j.warehouse_schemas.length > 0)
          .map(([n, j]) => [n, j.warehouse_schemas]),
      );
      const problems = checkWarehouse(m, schemas, evaluated, defaults(m)).join('\n');
      for (const expected of [
        /not encrypted at rest/,
        /does not set require_ssl = true/,
        /manage_master_password = true/,
        /master_password is set/,
        /default 0\.0\.0\.0\/0 admits everyone/,
        /publicly accessible by default/,
      ])
        expect(problems).to.match(expected);
      const users = checkWarehouse(module, { ...schemas, zoho: ['zoho_crm'] }, evaluated, defaults(module));
      expect(users).to.deep.equal(['zoho: writes the warehouse (zoho_crm) but has no database user']);
      const pipelines = await readPipelineFiles(EXAMPLES);
      const gitlab = pipelines.find((p) => p.spec.name === 'gitlab')!;
      const fixed = {
        ...gitlab,
        configs: {
          'config/target-redshift.yaml': { url: 'postgres://etl:${REDSHIFT_PASSWORD}@warehouse.example.internal:5439/observes', schema: 'gitlab', ssl: false },
        },
      };
      expect(checkWarehouseLogins([fixed], schemas)).to.deep.equal([
        "gitlab.yaml: target-redshift logs in as a fixed user, not as its own ${REDSHIFT_USER} (gitlab's database user)",
        'gitlab.yaml: target-redshift connects to a fixed host, not ${REDSHIFT_HOST} (the warehouse infra/ declares)',
        'gitlab.yaml: target-redshift with ssl: false (the warehouse requires SSL)',
      ]);
    });
  });
});
