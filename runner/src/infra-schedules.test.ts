import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CronExpressionParser } from 'cron-parser';
import { BatchScheduleError, pipelineJobs, requiredVariables, toAwsCron, toBatchJobSize } from './batch-schedule.js';
import { parsePipelineSpec } from './pipeline-config.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const examples = join(root, 'runner/examples');
const infra = join(root, 'infra');
const generator = join(infra, 'scripts/pipeline-jobs.mjs');
const run = promisify(execFile);

/**
 * An independent reading of AWS's `cron(min hour dom month dow year)` (EventBridge docs: `?` is
 * "any", `a/s` counts from a, day-of-week 1 = SUN or names), used to check that the converted
 * expressions fire at the same minutes as cron-parser's reading of the original.
 */
function awsCronMatcher(expression: string): (d: Date) => boolean {
  const fields = /^cron\((.*)\)$/.exec(expression)![1].split(' ');
  expect(fields).to.have.length(6);
  const days = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
  const set = (token: string, min: number, max: number, named = false): Set<number> => {
    const values = new Set<number>();
    const value = (t: string) => (named && days.includes(t) ? days.indexOf(t) + 1 : Number(t));
    for (const part of token.split(',')) {
      const [range, step] = part.split('/');
      const [from, to] =
        range === '*' || range === '?' ? [min, max] : range.includes('-') ? range.split('-').map(value) : [value(range), step ? max : value(range)];
      for (let v = from; v <= to; v += Number(step ?? 1)) values.add(v);
    }
    return values;
  };
  const [minute, hour, dom, month, dow, year] = fields;
  expect(year).to.equal('*');
  expect([dom, dow].filter((f) => f === '?')).to.have.length(1, 'exactly one day field is ?');
  const m = set(minute, 0, 59),
    h = set(hour, 0, 23),
    dm = set(dom, 1, 31),
    mo = set(month, 1, 12),
    dw = set(dow, 1, 7, true);
  return (d) => m.has(d.getUTCMinutes()) && h.has(d.getUTCHours()) && dm.has(d.getUTCDate()) && mo.has(d.getUTCMonth() + 1) && dw.has(d.getUTCDay() + 1);
}

/** Minutes (ISO) in [from, to) at which cron-parser fires the 5-field cron. */
function cronParserFires(cron: string, from: Date, to: Date): string[] {
  const it = CronExpressionParser.parse(cron, { currentDate: new Date(from.getTime() - 1), tz: 'UTC' });
  const fires: string[] = [];
  for (let d = it.next().toDate(); d < to; d = it.next().toDate()) fires.push(d.toISOString());
  return fires;
}

async function examplePipelines() {
  const files = (await readdir(examples)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(files.map(async (file) => ({ file, spec: parsePipelineSpec(await readFile(join(examples, file), 'utf8'), file) })));
}

describe('batch-schedule: pipelines → AWS Batch and EventBridge (infra/)', () => {
  const golden: [string, string][] = [
    ['0 */6 * * *', 'cron(0 0/6 * * ? *)'],
    ['0 3 * * *', 'cron(0 3 * * ? *)'],
    ['0 2 1 * *', 'cron(0 2 1 * ? *)'],
    ['*/15 * * * *', 'cron(0/15 * * * ? *)'],
    ['5/20 8-18 * * *', 'cron(5/20 8-18 * * ? *)'],
    ['0 1,3,5 * * *', 'cron(0 1,3,5 * * ? *)'],
    ['30 8 * * 1-5', 'cron(30 8 ? * MON-FRI *)'],
    ['0 0 * * 0', 'cron(0 0 ? * SUN *)'],
    ['0 0 * * 7', 'cron(0 0 ? * SUN *)'],
    ['0 0 * * 5-7', 'cron(0 0 ? * SUN,FRI,SAT *)'],
    ['0 0 * * sat,sun', 'cron(0 0 ? * SUN,SAT *)'],
    ['0 0 * * */2', 'cron(0 0 ? * SUN,TUE,THU,SAT *)'],
    ['0 0 ? * MON', 'cron(0 0 ? * MON *)'],
    ['0 12 */2 * *', 'cron(0 12 1/2 * ? *)'],
    ['15 1 1,15 jan-mar,dec *', 'cron(15 1 1,15 1-3,12 ? *)'],
    ['1,2,3,10 4,5 * */3 *', 'cron(1-3,10 4,5 * 1/3 ? *)'],
    ['0 0 1-31 * 1', 'cron(0 0 * * ? *)'],
    ['0 0 * * 0-6', 'cron(0 0 ? * * *)'],
  ];

  it('converts 5-field cron to the golden AWS cron() expressions', () => {
    for (const [cron, aws] of golden) expect(toAwsCron(cron), cron).to.equal(aws);
  });

  it('fires at the same minutes as cron-parser reads the original (two months, UTC)', () => {
    const from = new Date('2027-01-01T00:00:00Z');
    const to = new Date('2027-03-01T00:00:00Z');
    for (const [cron] of golden) {
      const aws = toAwsCron(cron);
      const matches = awsCronMatcher(aws);
      const fires: string[] = [];
      for (let t = from.getTime(); t < to.getTime(); t += 60_000) if (matches(new Date(t))) fires.push(new Date(t).toISOString());
      expect(fires, `${cron} → ${aws}`).to.deep.equal(cronParserFires(cron, from, to));
    }
  });

  it('refuses what AWS cannot express or cron does not mean portably, saying why', () => {
    const refused: [string, RegExp][] = [
      ['0 0 1 * 1', /both day-of-month and day-of-week/],
      ['0 0 */2 * mon', /both day-of-month and day-of-week/],
      ['0 0 * *', /needs 5 fields.*got 4/],
      ['0 0 0 * * *', /needs 5 fields.*got 6/],
      ['@daily', /needs 5 fields/],
      ['0 0 L * *', /field "L" uses syntax beyond plain cron/],
      ['0 0 * * 1#2', /field "1#2"/],
      ['H 0 * * *', /field "H"/],
      ['61 0 * * *', /not a cron expression/],
    ];
    for (const [cron, problem] of refused) expect(() => toAwsCron(cron), cron).to.throw(BatchScheduleError, problem);
  });

  it('maps resources to Batch sizes: the runner owns retries and timeout, Batch backs them up', () => {
    expect(toBatchJobSize({ vcpu: 1, memory: 1900, timeout: 14400, retries: 2 })).to.deep.equal({
      vcpu: 1,
      memory_mib: 1900,
      attempt_duration_seconds: 14520,
      attempts: 3,
    });
    expect(toBatchJobSize({ vcpu: 8, memory: 15360 })).to.deep.equal({ vcpu: 8, memory_mib: 15360, attempt_duration_seconds: 86400, attempts: 1 });
    expect(toBatchJobSize()).to.deep.equal({ vcpu: 1, memory_mib: 1900, attempt_duration_seconds: 86400, attempts: 1 });
    expect(toBatchJobSize({ timeout: 1 }).attempt_duration_seconds, 'Batch minimum').to.equal(121);
    expect(toBatchJobSize({ vcpu: 16, memory: 30000 }, { maxVcpu: 16, maxMemoryMiB: 30000 }).vcpu).to.equal(16);
  });

  it('lists every resources problem at once', () => {
    let error: BatchScheduleError | undefined;
    try {
      toBatchJobSize({ vcpu: 0.5, memory: 20000, retries: 10 });
    } catch (e) {
      error = e as BatchScheduleError;
    }
    expect(error?.problems).to.have.length(3);
    expect(error?.problems.join('\n'))
      .to.match(/resources\.vcpu: 0\.5 is not a whole number of vCPUs from 1 to 8/)
      .and.match(/resources\.memory: 20000 MiB/)
      .and.match(/resources\.retries: 10 .*at most 10 attempts/);
  });

  it('finds the variables a job must receive, not those the runner sets or that have defaults', () => {
    const spec = parsePipelineSpec(
      'name: x\ntap: {command: t, config: {token: "${API_TOKEN}", seg: "${OBSERVES_ARRAY_INDEX:-0}", run: "${OBSERVES_RUN_ID}", lit: "$${NOT_A_VAR}"}}\ntarget: {command: u, config: c.yaml}\n',
      'x.yaml',
    );
    expect(requiredVariables(spec, [{ url: 'postgres://etl:${DB_PASSWORD}@h/d', schema: '${SCHEMA:-raw}' }])).to.deep.equal(['API_TOKEN', 'DB_PASSWORD']);
  });

  it('converts every example pipeline that has a schedule', async () => {
    const sources = await examplePipelines();
    const scheduled = sources.filter((s) => s.spec.schedule);
    expect(scheduled.length).to.be.greaterThan(0);
    const jobs = pipelineJobs(sources);
    for (const { spec } of scheduled) expect(jobs[spec.name].schedule_expression, spec.name).to.match(/^cron\(/);
  });

  it('gives each step its Batch job (array size included) and each warehouse-writing pipeline its schemas', () => {
    const spec = (text: string) => parsePipelineSpec(text, 'p.yaml');
    const jobs = pipelineJobs([
      {
        file: 'ph.yaml',
        spec: spec(
          'name: ph\ntap: {command: t}\ntarget: {command: target-s3}\nsteps:\n  - {name: scan, array_size: 4}\n  - {name: load, job: {command: [target-redshift, --from-s3, x], config: {schema: "${S:-Raw_Data}"}}}\n',
        ),
      },
      {
        file: 'g.yaml',
        spec: spec('name: g\ntap: {command: t}\ntarget: {command: /opt/bin/target-redshift, config: cfg.yaml}\n'),
        configFiles: { 'cfg.yaml': { schema: 'gitlab' } },
      },
    ]);
    expect(jobs.ph).to.deep.include({
      steps: [
        { name: 'scan', array_size: 4 },
        { name: 'load', array_size: 1 },
      ],
      warehouse_schemas: ['raw_data'],
    });
    expect(jobs.g).to.deep.include({ steps: [], warehouse_schemas: ['gitlab'] });
    expect(() =>
      pipelineJobs([
        { file: 'x.yaml', spec: spec('name: a.b\ntap: {command: t}\ntarget: {command: target-redshift, config: {schema: "${S}"}}\nsteps:\n  - {name: s.1}\n') },
      ]),
    ).to.throw(
      BatchScheduleError,
      /x\.yaml: name "a\.b": Batch job names[^]*x\.yaml: step "s\.1": Batch job names[^]*x\.yaml: target-redshift schema "\$\{S\}": give the variable a default/,
    );
    expect(() => pipelineJobs([{ file: 'y.yaml', spec: spec('name: y\ntap: {command: t}\ntarget: {command: target-redshift}\n') }])).to.throw(
      /writes the public schema/,
    );
  });

  it('names each broken pipeline file and refuses duplicate names', () => {
    const spec = (text: string) => parsePipelineSpec(text, 'p.yaml');
    expect(() =>
      pipelineJobs([
        { file: 'a.yaml', spec: spec('name: a\ntap: {command: t}\ntarget: {command: u}\nschedule: "0 0 1 * 1"\n') },
        { file: 'b.yaml', spec: spec('name: b\ntap: {command: t}\ntarget: {command: u}\nschedule: "0 0 * * * *"\nresources: {vcpu: 9}\n') },
        { file: 'c.yaml', spec: spec('name: b\ntap: {command: t}\ntarget: {command: u}\n') },
      ]),
    ).to.throw(
      BatchScheduleError,
      /a\.yaml: "0 0 1 \* 1": restricts both[^]*b\.yaml: "0 0 \* \* \* \*": needs 5 fields[^]*b\.yaml: resources\.vcpu: 9[^]*c\.yaml: pipeline name "b" is also used by b\.yaml/,
    );
  });

  describe('infra/ (Terraform reads the generated file; it converts nothing itself)', () => {
    it('pipeline-jobs.auto.tfvars.json is current (else: npm run infra:schedules)', async () => {
      await run(process.execPath, [generator, '--check'], { cwd: root });
    });

    it('the check fails on a stale file and the generator rewrites it', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'infra-schedules-'));
      try {
        const out = join(dir, 'jobs.json');
        await writeFile(join(dir, 'p.yaml'), 'name: p\ntap: {command: t}\ntarget: {command: u, config: cfg/u.yaml}\nschedule: "0 3 * * *"\n');
        await mkdir(join(dir, 'cfg'));
        await writeFile(join(dir, 'cfg/u.yaml'), 'password: ${U_PASSWORD}\n');
        await run(process.execPath, [generator, '--pipelines-dir', dir, '--out', out]);
        const written = JSON.parse(await readFile(out, 'utf8')) as { pipeline_jobs: Record<string, { schedule_expression: string; required_env: string[] }> };
        expect(written.pipeline_jobs.p).to.include({ schedule_expression: 'cron(0 3 * * ? *)' });
        expect(written.pipeline_jobs.p.required_env).to.deep.equal(['U_PASSWORD']);
        await writeFile(join(dir, 'p.yaml'), 'name: p\ntap: {command: t}\ntarget: {command: u, config: cfg/u.yaml}\nschedule: "0 4 * * *"\n');
        const stale = await run(process.execPath, [generator, '--pipelines-dir', dir, '--out', out, '--check']).then(
          () => undefined,
          (e: { code: number; stderr: string }) => e,
        );
        expect(stale?.code).to.equal(1);
        expect(stale?.stderr).to.match(/jobs\.json is stale.*run npm run infra:schedules/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('declares the generated fields in the pipeline_jobs variable and takes schedules and sizes from it', async () => {
      const generated = JSON.parse(await readFile(join(infra, 'pipeline-jobs.auto.tfvars.json'), 'utf8')) as {
        pipeline_jobs: Record<string, Record<string, unknown>>;
      };
      const variables = await readFile(join(infra, 'variables.tf'), 'utf8');
      const typeBlock = /variable "pipeline_jobs" \{[^]*?\n\}/.exec(variables)![0];
      const declared = [...typeBlock.matchAll(/^\s+(\w+)\s+=/gm)].map((m) => m[1]).filter((k) => !['description', 'type'].includes(k));
      const entry = Object.values(generated.pipeline_jobs)[0];
      expect(new Set(declared)).to.deep.equal(new Set([...Object.keys(entry), ...Object.keys(entry.source as object)]));

      const hcl = (await Promise.all((await readdir(infra)).filter((f) => f.endsWith('.tf')).map((f) => readFile(join(infra, f), 'utf8')))).join('\n');
      const code = hcl.replace(/#.*$/gm, '');
      expect(code, 'HCL must not build cron expressions itself').not.to.match(/cron\(/);
      expect(code).to.match(/schedule_expression\s*=\s*each\.value/);
      for (const field of ['vcpu', 'memory_mib', 'attempts', 'attempt_duration_seconds']) expect(code).to.include(`local.jobs[each.value.pipeline].${field}`);
      expect(code).to.match(/fileset\(local\.pipelines_dir, "\*\.yaml"\)/);
    });
  });
});
