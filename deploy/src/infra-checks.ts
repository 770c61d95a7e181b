import { blockAt, blocksOf, nested, type Block, type TerraformModule } from './terraform-module.js';
import { dynamodbTables, programConfigs, s3Uses, type PipelineFile } from './pipeline-usage.js';

/**
 * The checks of infra/ that its tests run: each returns every problem found (empty: passes), as
 * `file: address: problem`. They read the parsed module (terraform-module.ts) and, for what the
 * pipelines turn into, the pure locals Terraform itself evaluated (terraform-console.ts).
 */

/** What Terraform computed from the pipeline files (pipelines.tf and warehouse-users.tf locals). */
export interface EvaluatedPipelines {
  batch_jobs: Record<string, { pipeline: string; step: string | null; array_size: number; first: boolean }>;
  scheduled_jobs: Record<string, { key: string; array_size: number }>;
  job_is_current: Record<string, boolean>;
  buckets: Record<string, { name: string; versioned: boolean }>;
  warehouse_users: Record<string, { user: string; schemas: string[] }>;
  /** The generated entries joined with the files (pipelines.tf `local.jobs`). */
  jobs: Record<string, { warehouse_schemas: string[] }>;
}

/** The locals {@link EvaluatedPipelines} holds (give them to evaluateLocals). */
export const EVALUATED_LOCALS = ['batch_jobs', 'scheduled_jobs', 'job_is_current', 'buckets', 'warehouse_users', 'jobs'];

const where = (b: Block) => `${b.file}: ${b.address}`;
const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Every variable has a type and a description; every output a description. */
export function checkDeclarations(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const v of blocksOf(module, 'variable')) {
    if (v.body.type === undefined) problems.push(`${where(v)}: no type`);
    if (typeof v.body.description !== 'string' || v.body.description.trim() === '') problems.push(`${where(v)}: no description`);
  }
  for (const o of blocksOf(module, 'output'))
    if (typeof o.body.description !== 'string' || o.body.description.trim() === '') problems.push(`${where(o)}: no description`);
  return problems;
}

/**
 * Each pipeline file has its Batch job definitions (one, or one per step), its schedule submitting
 * the first of them (as an array job of the step's `array_size`), and a current generated entry.
 */
export function checkPipelineJobs(module: TerraformModule, pipelines: PipelineFile[], evaluated: EvaluatedPipelines): string[] {
  const problems: string[] = [];
  const definition = blockAt(module, 'aws_batch_job_definition.pipeline');
  if (definition.body.for_each !== '${local.batch_jobs}')
    problems.push(`${where(definition)}: for_each must be local.batch_jobs (one job per pipeline or step), not ${str(definition.body.for_each)}`);
  const properties = str(definition.body.container_properties);
  if (!/"--step", each\.value\.step/.test(properties)) problems.push(`${where(definition)}: a step's job must run observes run <file> --step <step>`);
  const rule = blockAt(module, 'aws_cloudwatch_event_rule.pipeline');
  if (rule.body.for_each !== '${local.schedules}') problems.push(`${where(rule)}: for_each must be local.schedules`);
  const target = blockAt(module, 'aws_cloudwatch_event_target.pipeline');
  if (target.body.for_each !== '${local.scheduled_jobs}') problems.push(`${where(target)}: for_each must be local.scheduled_jobs`);
  const batch = nested(target.body, 'batch_target')[0];
  if (!batch || !/each\.value\.array_size/.test(str(batch.array_size)))
    problems.push(`${where(target)}: batch_target.array_size must come from the first step's array_size`);
  if (batch && !/aws_batch_job_definition\.pipeline\[each\.value\.key\]/.test(str(batch.job_definition)))
    problems.push(`${where(target)}: batch_target.job_definition must be the scheduled job's definition`);

  for (const { file, spec } of pipelines) {
    const steps = (spec.steps ?? []) as { name: string; array_size?: number }[];
    // A pipeline with an array step is a job per step; any other, one job running its steps in order.
    const split = steps.some((s) => (s.array_size ?? 1) > 1);
    const expected = !split
      ? [{ key: spec.name, step: null, size: 1 }]
      : steps.map((s) => ({ key: `${spec.name}-${s.name}`, step: s.name, size: s.array_size ?? 1 }));
    for (const e of expected) {
      const job = evaluated.batch_jobs[e.key];
      if (!job) problems.push(`${file}: no Batch job definition ${e.key}`);
      else if (job.pipeline !== spec.name || job.step !== e.step || job.array_size !== e.size)
        problems.push(`${file}: job ${e.key} is ${JSON.stringify(job)}, expected step ${e.step} with array size ${e.size}`);
    }
    const scheduled = evaluated.scheduled_jobs[spec.name];
    if (spec.schedule && !scheduled) problems.push(`${file}: has a schedule but no EventBridge target submits its job`);
    if (!spec.schedule && scheduled) problems.push(`${file}: has no schedule but a target submits ${scheduled.key}`);
    if (scheduled && (scheduled.key !== expected[0].key || scheduled.array_size !== expected[0].size))
      problems.push(
        `${file}: the schedule submits ${scheduled.key} (array size ${scheduled.array_size}), expected ${expected[0].key} (array size ${expected[0].size})`,
      );
    if (evaluated.job_is_current[spec.name] !== true) problems.push(`${file}: pipeline-jobs.auto.tfvars.json is stale or misses it (npm run infra:schedules)`);
  }
  const known = new Set(pipelines.map((p) => p.spec.name));
  for (const [key, job] of Object.entries(evaluated.batch_jobs))
    if (!known.has(job.pipeline)) problems.push(`job ${key}: its pipeline ${job.pipeline} has no file`);
  return problems;
}

/** IAM actions that take no resource-level permissions (AWS's service authorization reference), so `*` is their only resource. */
export const RESOURCELESS_ACTIONS = [
  'batch:DescribeJobs',
  'batch:ListJobs',
  'batch:DescribeJobQueues',
  'batch:DescribeJobDefinitions',
  'batch:DescribeComputeEnvironments',
  'sts:GetCallerIdentity',
];

/** What a `resources` entry of a policy statement grants, as far as the check can tell. */
type Grant =
  | { kind: 'bucket'; bucket: string }
  | { kind: 'objects'; bucket: string; prefixesFrom?: string; prefixFrom?: string }
  | { kind: 'dynamodb'; tablesFrom: string }
  | { kind: 'resource'; text: string }
  | { kind: 'wildcard'; text: string }
  | { kind: 'unknown'; text: string };

function classify(text: string): Grant {
  let m: RegExpExecArray | null;
  if ((m = /^\$\{local\.bucket_arns\.(\w+)\}$/.exec(text))) return { kind: 'bucket', bucket: m[1] };
  if ((m = /^\$\{local\.bucket_arns\.(\w+)\}\/\*$/.exec(text))) return { kind: 'objects', bucket: m[1] };
  if ((m = /^\$\{\[for (\w+) in var\.(\w+) : "\$\{local\.bucket_arns\.(\w+)\}\/\$\{\1\}\*"\]\}$/.exec(text)))
    return { kind: 'objects', bucket: m[3], prefixesFrom: m[2] };
  if ((m = /^\$\{local\.bucket_arns\.(\w+)\}\/\$\{var\.(\w+)\}\*$/.exec(text))) return { kind: 'objects', bucket: m[1], prefixFrom: m[2] };
  if (
    (m =
      /^\$\{\[for (\w+) in var\.(\w+) : "arn:\$\{data\.aws_partition\.current\.partition\}:dynamodb:\$\{var\.region\}:\$\{data\.aws_caller_identity\.current\.account_id\}:table\/\$\{\1\}"\]\}$/.exec(
        text,
      ))
  )
    return { kind: 'dynamodb', tablesFrom: m[2] };
  const literal = text.replace(/\$\{[^}]*\}/g, 'X');
  if (literal === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*/.test(literal) || /:\*$/.test(literal)) return { kind: 'wildcard', text };
  // One resource's ARN, or a list built only of resources' ARNs.
  const refs = [...text.matchAll(/(?:^\$\{|[[(,]\s*|: )([a-z0-9_]+\.[a-z0-9_]+(?:\[[^\]]+\])?)\.arn/g)];
  const rest = text.replace(/[a-z0-9_]+\.[a-z0-9_]+(?:\[[^\]]+\])?\.arn/g, '').replace(/\$\{|\}|\[|\]|\(|\)|,|concat|for \w+(, \w+)? in [a-z_.]+ :|\s/g, '');
  if (refs.length > 0 && rest === '') return { kind: 'resource', text };
  return { kind: 'unknown', text };
}

/** The statements of every policy document attached (inline) to a role, with where they come from. */
function roleStatements(module: TerraformModule, role: string): { doc: Block; statement: Record<string, unknown> }[] {
  const out: { doc: Block; statement: Record<string, unknown> }[] = [];
  for (const attachment of blocksOf(module, 'resource', 'aws_iam_role_policy')) {
    if (!new RegExp(`^\\$\\{aws_iam_role\\.${role}\\.(id|name)\\}$`).test(str(attachment.body.role))) continue;
    const m = /^\$\{(data\.aws_iam_policy_document\.\w+)\.json\}$/.exec(str(attachment.body.policy));
    if (!m) {
      out.push({ doc: attachment, statement: { effect: 'Allow', actions: ['(not a policy document)'], resources: [str(attachment.body.policy)] } });
      continue;
    }
    const doc = blockAt(module, m[1]);
    for (const statement of nested(doc.body, 'statement')) out.push({ doc, statement });
  }
  return out;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : v === undefined ? [] : [str(v)]);

/** What the pipelines use, in the module's terms: bucket key → key prefixes (first folder), and DynamoDB tables. */
// A granted prefix covers a used one that starts with it; `backup_timedoctor` (a URL without its
// slash) is the folder `backup_timedoctor/`.
const covers = (granted: string, used: string) => used.startsWith(granted) || `${used}/`.startsWith(granted);

export interface PipelineAccess {
  buckets: Map<string, Set<string>>;
  tables: Set<string>;
}

/** The buckets (by the module's bucket key), prefixes and tables some pipelines use. */
export function pipelineAccess(pipelines: PipelineFile[], buckets: EvaluatedPipelines['buckets']): { access: PipelineAccess; problems: string[] } {
  const keyOf = new Map(Object.entries(buckets).map(([k, b]) => [b.name, k]));
  const access: PipelineAccess = { buckets: new Map(), tables: new Set() };
  const problems: string[] = [];
  for (const p of pipelines) {
    for (const use of s3Uses(p)) {
      const key = keyOf.get(use.bucket);
      if (!key) {
        problems.push(`${p.file}: uses bucket ${use.bucket}, which infra/ does not declare`);
        continue;
      }
      const folder = use.prefix.includes('/') ? `${use.prefix.split('/')[0]}/` : use.prefix;
      if (!access.buckets.has(key)) access.buckets.set(key, new Set());
      access.buckets.get(key)!.add(folder);
    }
    for (const t of dynamodbTables(p)) access.tables.add(t);
  }
  return { access, problems };
}

/**
 * The role each pipeline's jobs run as: the shared job role, or the one `local.job_role_arns`
 * names for it (a pipeline name → `aws_iam_role.<name>.arn`).
 */
export function pipelineRoles(module: TerraformModule, pipelines: PipelineFile[]): Map<string, string[]> {
  const own = module.blocks.get('local.job_role_arns')?.body.value as Record<string, unknown> | undefined;
  const roles = new Map<string, string[]>();
  for (const p of pipelines) {
    const m = /^\$\{aws_iam_role\.(\w+)\.arn\}$/.exec(str(own?.[p.spec.name] ?? ''));
    const role = m ? m[1] : 'job';
    roles.set(role, [...(roles.get(role) ?? []), p.spec.name]);
  }
  return roles;
}

/**
 * Least privilege of the roles' inline policies: no wildcard action; no `*` resource but for
 * actions that take no resource-level permission ({@link RESOURCELESS_ACTIONS}); every resource
 * recognisable (a declared resource's ARN, a bucket or its objects, tables). And each role the
 * pipelines run as (`access`: role name → what its pipelines use) grants only the buckets, prefixes
 * and tables those pipelines use, each of them, and only the data actions they need there.
 */
export function checkIam(module: TerraformModule, access: Map<string, PipelineAccess>, variableDefault: (name: string) => unknown): string[] {
  const problems: string[] = [];
  const dataActions: Partial<Record<Grant['kind'], string[]>> = {
    bucket: ['s3:ListBucket', 's3:GetBucketLocation'],
    objects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    dynamodb: ['dynamodb:DescribeTable', 'dynamodb:Scan'],
  };
  for (const role of blocksOf(module, 'resource', 'aws_iam_role')) {
    const name = role.address.split('.')[1];
    const uses = access.get(name);
    const granted = new Map<string, Set<string>>();
    const grantedTables = new Set<string>();
    for (const { doc, statement } of roleStatements(module, name)) {
      const sid = `${where(doc)} statement ${str(statement.sid ?? '(no sid)')}`;
      const actions = list(statement.actions);
      if (statement.effect === 'Deny') continue;
      for (const a of actions) if (a.includes('*')) problems.push(`${sid}: wildcard action ${a}`);
      for (const text of list(statement.resources)) {
        const grant = classify(text);
        if (grant.kind === 'wildcard' && !actions.every((a) => RESOURCELESS_ACTIONS.includes(a)))
          problems.push(`${sid}: resource ${text} is a wildcard for ${actions.filter((a) => !RESOURCELESS_ACTIONS.includes(a)).join(', ')}`);
        if (grant.kind === 'unknown') problems.push(`${sid}: cannot tell what resource ${text} is (use a resource's .arn or a bucket pattern)`);
        if (!uses || grant.kind === 'unknown' || grant.kind === 'resource' || grant.kind === 'wildcard') continue;
        const extra = actions.filter((a) => !dataActions[grant.kind]!.includes(a));
        if (extra.length > 0) problems.push(`${sid}: ${extra.join(', ')} on ${text}: not an action the pipelines need there`);
        if (grant.kind === 'dynamodb') {
          for (const t of list(variableDefault(grant.tablesFrom))) grantedTables.add(t);
          continue;
        }
        const prefixes =
          grant.kind === 'objects' && grant.prefixesFrom
            ? list(variableDefault(grant.prefixesFrom))
            : grant.kind === 'objects' && grant.prefixFrom
              ? [str(variableDefault(grant.prefixFrom))]
              : [''];
        if (!granted.has(grant.bucket)) granted.set(grant.bucket, new Set());
        if (grant.kind === 'objects') for (const p of prefixes) granted.get(grant.bucket)!.add(p);
        const used = uses.buckets.get(grant.bucket);
        if (!used) problems.push(`${sid}: grants the ${grant.bucket} bucket, which no pipeline of the ${name} role uses`);
        else if (grant.kind === 'objects') {
          const from = grant.prefixesFrom ?? grant.prefixFrom;
          for (const p of prefixes)
            if (![...used].some((u) => covers(p, u) || p === ''))
              problems.push(`${sid}: grants ${grant.bucket}/${p}${from ? ` (var.${from})` : ''}, which no pipeline of the ${name} role uses`);
        }
        if (grant.kind === 'bucket' && actions.includes('s3:ListBucket') && grant.bucket === 'etl_data' && nested(statement, 'condition').length === 0)
          problems.push(`${sid}: listing the staging bucket must be limited to the pipelines' prefixes (s3:prefix condition)`);
      }
    }
    if (!uses) continue;
    for (const [bucket, prefixes] of uses.buckets) {
      const objects = granted.get(bucket);
      if (!objects || objects.size === 0) {
        problems.push(`the ${name} role grants no objects of the ${bucket} bucket, which its pipelines (${name === 'job' ? 'the shared role' : name}) use`);
        continue;
      }
      for (const p of prefixes)
        if (![...objects].some((g) => g === '' || covers(g, p)))
          problems.push(`the ${name} role grants no objects under ${bucket}/${p}, which its pipelines use`);
    }
    for (const t of uses.tables) if (!grantedTables.has(t)) problems.push(`the ${name} role may not scan DynamoDB table ${t}, which its pipelines read`);
    for (const t of grantedTables) if (!uses.tables.has(t)) problems.push(`the ${name} role may scan DynamoDB table ${t}, which none of its pipelines reads`);
  }
  return problems;
}

/**
 * Every bucket: public access blocked (all four settings), default encryption, owner-enforced
 * objects, a TLS-only policy; versioning where the module says, and always for the state bucket.
 */
export function checkBuckets(module: TerraformModule, buckets: EvaluatedPipelines['buckets']): string[] {
  const problems: string[] = [];
  const all = blocksOf(module, 'resource', 'aws_s3_bucket');
  for (const bucket of all) {
    const covers = (type: string) =>
      blocksOf(module, 'resource', type).filter(
        (b) => str(b.body.for_each) === `\${${bucket.address}}` || str(b.body.bucket).startsWith(`\${${bucket.address}`),
      );
    const pab = covers('aws_s3_bucket_public_access_block');
    if (pab.length === 0) problems.push(`${where(bucket)}: no public access block`);
    for (const b of pab)
      for (const flag of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'])
        if (b.body[flag] !== true) problems.push(`${where(b)}: ${flag} is not true`);
    const sse = covers('aws_s3_bucket_server_side_encryption_configuration');
    if (sse.length === 0) problems.push(`${where(bucket)}: no default encryption`);
    for (const b of sse) {
      const algorithm = nested(nested(b.body, 'rule')[0], 'apply_server_side_encryption_by_default')[0]?.sse_algorithm;
      if (!['AES256', 'aws:kms', 'aws:kms:dsse'].includes(str(algorithm))) problems.push(`${where(b)}: sse_algorithm ${str(algorithm)}`);
    }
    const owner = covers('aws_s3_bucket_ownership_controls');
    if (!owner.some((b) => nested(b.body, 'rule')[0]?.object_ownership === 'BucketOwnerEnforced'))
      problems.push(`${where(bucket)}: objects are not owner-enforced (ownership controls BucketOwnerEnforced)`);
    const policies = covers('aws_s3_bucket_policy');
    const tlsOnly = policies.some((p) => {
      const doc = /^\$\{(data\.aws_iam_policy_document\.\w+)(\[[^\]]+\])?\.json\}$/.exec(str(p.body.policy));
      if (!doc || !module.blocks.has(doc[1])) return false;
      return nested(blockAt(module, doc[1]).body, 'statement').some(
        (s) => s.effect === 'Deny' && nested(s, 'condition').some((c) => c.variable === 'aws:SecureTransport' && list(c.values).includes('false')),
      );
    });
    if (!tlsOnly) problems.push(`${where(bucket)}: no bucket policy denying requests without TLS`);
  }
  const versioning = blocksOf(module, 'resource', 'aws_s3_bucket_versioning');
  const filter = versioning.map((v) => str(v.body.for_each)).join(' ');
  if (!buckets.state?.versioned) problems.push('local.buckets: the state bucket must be versioned (a bad state is rolled back from its previous version)');
  if (!/if b\.versioned/.test(filter))
    problems.push(`aws_s3_bucket_versioning: must cover the buckets marked versioned (for_each ... if b.versioned), is ${filter || 'missing'}`);
  for (const v of versioning) if (nested(v.body, 'versioning_configuration')[0]?.status !== 'Enabled') problems.push(`${where(v)}: status is not Enabled`);
  return problems;
}

/**
 * The warehouse: encrypted, SSL required by its parameter group, automated snapshots kept, in a
 * subnet group, the COPY role attached, reachable only from the Batch jobs' security groups and
 * the BI range, its master password managed by Redshift (never an argument, state or output),
 * and a database user per warehouse-writing pipeline.
 */
/**
 * A pipeline writing the warehouse logs in as the database user infra/ made for it: its
 * target-redshift's login names `${REDSHIFT_USER}` and `${REDSHIFT_HOST}` (the job's environment;
 * defaults may follow for local runs); TLS comes from the job's TARGET_REDSHIFT_SSL (checkWarehouse).
 */
export function checkWarehouseLogins(pipelines: PipelineFile[], pipelinesWithSchemas: Record<string, string[]>): string[] {
  const problems: string[] = [];
  for (const p of pipelines) {
    if (!(p.spec.name in pipelinesWithSchemas)) continue;
    for (const config of programConfigs(p, 'target-redshift')) {
      const login = `${str(config.url ?? '')} ${str(config.user ?? '')} ${str(config.host ?? '')}`;
      if (!login.includes('${REDSHIFT_USER'))
        problems.push(`${p.file}: target-redshift logs in as a fixed user, not as its own \${REDSHIFT_USER} (${p.spec.name}'s database user)`);
      if (!login.includes('${REDSHIFT_HOST'))
        problems.push(`${p.file}: target-redshift connects to a fixed host, not \${REDSHIFT_HOST} (the warehouse infra/ declares)`);
      if (config.ssl === false) problems.push(`${p.file}: target-redshift with ssl: false (the warehouse requires SSL)`);
    }
  }
  return [...new Set(problems)];
}

export function checkWarehouse(
  module: TerraformModule,
  pipelinesWithSchemas: Record<string, string[]>,
  evaluated: EvaluatedPipelines,
  variableDefault: (name: string) => unknown,
): string[] {
  const problems: string[] = [];
  const clusters = blocksOf(module, 'resource', 'aws_redshift_cluster');
  if (clusters.length !== 1) return [`expected one aws_redshift_cluster, found ${clusters.length}`];
  const c = clusters[0];
  const value = (v: unknown) => {
    const m = /^\$\{var\.(\w+)\}$/.exec(str(v));
    return m ? variableDefault(m[1]) : v;
  };
  if (c.body.encrypted !== true) problems.push(`${where(c)}: not encrypted at rest`);
  if (c.body.manage_master_password !== true)
    problems.push(`${where(c)}: the master password must be managed by Redshift in Secrets Manager (manage_master_password = true)`);
  for (const arg of ['master_password', 'master_password_wo'])
    if (c.body[arg] !== undefined) problems.push(`${where(c)}: ${arg} is set: the password would pass through Terraform`);
  if (value(c.body.publicly_accessible) !== false) problems.push(`${where(c)}: publicly accessible by default`);
  const retention = Number(value(c.body.automated_snapshot_retention_period));
  if (!(retention >= 1)) problems.push(`${where(c)}: automated snapshots are off (retention ${str(c.body.automated_snapshot_retention_period)})`);
  if (!/aws_redshift_subnet_group\.\w+\.name/.test(str(c.body.cluster_subnet_group_name))) problems.push(`${where(c)}: not in a subnet group of ours`);
  const group = /aws_redshift_parameter_group\.(\w+)\.name/.exec(str(c.body.cluster_parameter_group_name));
  const params = group ? nested(blockAt(module, `aws_redshift_parameter_group.${group[1]}`).body, 'parameter') : [];
  if (!params.some((p) => p.name === 'require_ssl' && str(p.value) === 'true'))
    problems.push(`${where(c)}: its parameter group does not set require_ssl = true`);
  if (!list(c.body.iam_roles).some((r) => /aws_iam_role\.redshift_copy\.arn/.test(r)) && !/aws_iam_role\.redshift_copy\.arn/.test(str(c.body.iam_roles)))
    problems.push(`${where(c)}: the COPY role is not attached`);

  if (!/TARGET_REDSHIFT_SSL = "true"/.test(str(module.blocks.get('local.job_environment')?.body.value)))
    problems.push('local.job_environment: the jobs writing the warehouse must get TARGET_REDSHIFT_SSL = "true" (the cluster requires SSL)');
  const sgs = list(c.body.vpc_security_group_ids).join(' ');
  const sg = /aws_security_group\.(\w+)\.id/.exec(sgs);
  if (!sg) problems.push(`${where(c)}: not in a security group of ours`);
  else {
    const address = `aws_security_group.${sg[1]}`;
    if (nested(blockAt(module, address).body, 'ingress').length > 0)
      problems.push(`${address}: inline ingress (use aws_vpc_security_group_ingress_rule, checked here)`);
    const rules = blocksOf(module, 'resource', 'aws_vpc_security_group_ingress_rule').filter((r) => str(r.body.security_group_id) === `\${${address}.id}`);
    for (const r of [
      ...rules,
      ...blocksOf(module, 'resource', 'aws_security_group_rule').filter((x) => str(x.body.security_group_id) === `\${${address}.id}`),
    ]) {
      const fromJobs = r.body.referenced_security_group_id === '${each.value}' && r.body.for_each === '${toset(var.security_group_ids)}';
      const fromBi = r.body.cidr_ipv4 === '${each.value}' && r.body.for_each === '${toset(var.bi_cidr_blocks)}';
      if (!fromJobs && !fromBi) problems.push(`${where(r)}: admits something other than the Batch jobs' security groups and the BI range`);
      if (str(r.body.from_port) !== str(r.body.to_port) || !/var\.warehouse_port/.test(str(r.body.from_port)))
        problems.push(`${where(r)}: opens more than the warehouse port`);
    }
    if (rules.length === 0) problems.push(`${address}: admits nobody (the Batch jobs must connect)`);
    for (const cidr of list(variableDefault('bi_cidr_blocks'))) if (cidr.endsWith('/0')) problems.push(`var.bi_cidr_blocks: default ${cidr} admits everyone`);
  }
  for (const o of blocksOf(module, 'output')) {
    if (/random_password|master_password\b|\.password\b|secret_string/.test(str(o.body.value))) problems.push(`${where(o)}: outputs a password`);
  }
  for (const [pipeline, schemas] of Object.entries(pipelinesWithSchemas)) {
    const user = evaluated.warehouse_users[pipeline];
    if (!user) problems.push(`${pipeline}: writes the warehouse (${schemas.join(', ')}) but has no database user`);
    else if (JSON.stringify(user.schemas) !== JSON.stringify(schemas))
      problems.push(`${pipeline}: its user ${user.user} owns ${user.schemas.join(', ')}, the pipeline writes ${schemas.join(', ')}`);
  }
  for (const pipeline of Object.keys(evaluated.warehouse_users))
    if (!(pipeline in pipelinesWithSchemas)) problems.push(`${pipeline}: has a database user but writes no warehouse schema`);
  const statements = blocksOf(module, 'resource', 'aws_redshiftdata_statement')
    .map((s) => str(s.body.sql))
    .join('\n');
  for (const needed of [
    /CREATE SCHEMA IF NOT EXISTS .* AUTHORIZATION/,
    /ALTER SCHEMA .* OWNER TO/,
    /GRANT USAGE ON SCHEMA .* TO GROUP/,
    /GRANT SELECT ON ALL TABLES IN SCHEMA .* TO GROUP/,
    /ALTER DEFAULT PRIVILEGES FOR USER .* GRANT SELECT ON TABLES TO GROUP/,
    /REVOKE CREATE ON SCHEMA public FROM PUBLIC/,
  ]) {
    if (!needed.test(statements)) problems.push(`warehouse users: no statement ${needed.source}`);
  }
  if (/GRANT (ALL|INSERT|UPDATE|DELETE|CREATE)[^\n]* TO GROUP/i.test(statements)) problems.push('warehouse users: the BI group is granted more than reading');
  return problems;
}
