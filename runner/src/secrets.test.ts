import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const TAP = fileURLToPath(new URL('./testing/fixture-tap.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./testing/fixture-target.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));
const NODE = JSON.stringify(process.execPath);

/** Known secrets: a token with characters JSON and URLs escape, a distinctive database password, and a weak one that is also a word programs use. */
const TOKEN = 'glpat-Z9"x\\y/w+q=Tok3n';
const PASSWORD = 'Wh-Pa55word!x';
const WEAK = 'postgres';

/** Every form a secret can take in text: as is, JSON-escaped, URL-encoded. */
const forms = (secret: string) => [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];

describe('secrets never reach any output of a run (dry run, stdout, stderr, report)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-secrets-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('masks config secrets, URL passwords and secret variables, in what the runner prints and what it forwards', async () => {
    // A tap that logs its token in every usual form, into a target that succeeds.
    await writeFile(
      join(dir, 'leak.yaml'),
      [
        'name: leak',
        `tap: {command: [${NODE}, ${JSON.stringify(TAP)}], config: {count: 5, token: "\${GITLAB_TOKEN}", leak_token: "\${GITLAB_TOKEN}"}, env: {TAP_TOKEN: "\${GITLAB_TOKEN}"}}`,
        `target: {command: [${NODE}, ${JSON.stringify(TARGET)}], config: {out: leak.out, url: "\${WAREHOUSE_URL}"}}`,
      ].join('\n'),
    );
    // The real target-redshift, failing on its config read from a file: its own error must reach the summary, masked.
    await writeFile(join(dir, 'warehouse.yaml'), 'url: ${WAREHOUSE_URL}\ndialect: nope\n');
    await writeFile(
      join(dir, 'fail.yaml'),
      `name: fail\ntap: {command: [${NODE}, ${JSON.stringify(TAP)}], config: {count: 5}}\ntarget: {command: target-redshift, config: warehouse.yaml}\nresources: {retries: 1}\n`,
    );
    // A weak password, inline: masked as a credential, while the hint naming "postgres" stays readable.
    await writeFile(
      join(dir, 'weak.yaml'),
      `name: weak\ntap: {command: [${NODE}, ${JSON.stringify(TAP)}], config: {count: 5}}\ntarget: {command: target-redshift, config: {url: "postgres://postgres:${WEAK}@127.0.0.1:9/db", password: ${WEAK}, dialect: nope}}\n`,
    );
    const env = { ...process.env, GITLAB_TOKEN: TOKEN, WAREHOUSE_URL: `postgres://etl:${PASSWORD}@127.0.0.1:9/observes` };
    const observes = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [BIN, ...args], { cwd: dir, env }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        ),
      );
    const dry = await observes('run', '--dry-run', 'leak.yaml', 'fail.yaml', 'weak.yaml');
    expect(dry.code, dry.stderr).to.equal(0);
    const run = await observes('run', '--report', 'report.json', 'leak.yaml', 'fail.yaml', 'weak.yaml');
    const report = await readFile(join(dir, 'report.json'), 'utf8');
    const outputs = { 'dry-run stdout': dry.stdout, 'dry-run stderr': dry.stderr, stdout: run.stdout, stderr: run.stderr, report };

    for (const [name, text] of Object.entries(outputs)) {
      for (const secret of [TOKEN, PASSWORD]) for (const form of forms(secret)) expect(text.includes(form), `${name} holds ${form}`).to.equal(false);
      for (const credential of [`:${WEAK}@`, `"password":"${WEAK}"`, `password: ${WEAK}`, `password=${WEAK}`])
        expect(text.includes(credential), `${name} holds ${credential}`).to.equal(false);
    }

    // What must be there, so that the searches above looked at real output.
    expect(dry.stdout)
      .to.contain('"token":"***"')
      .and.to.contain(`postgres://etl:***@127.0.0.1:9/observes`)
      .and.to.contain('postgres://postgres:***@127.0.0.1:9/db');
    expect(run.stderr)
      .to.contain('the token is ***')
      .and.to.contain('"token":"***"')
      .and.to.contain('https://oauth2:***@gitlab.example')
      .and.to.contain('private_token=***');
    expect(run.stderr).to.contain('Authorization: ***').and.to.contain('TAP_TOKEN=***');
    const parsed = JSON.parse(report) as { pipelines: Array<{ name: string; attempts: number; units: Array<{ status: string; message?: string }> }> };
    const byName = Object.fromEntries(parsed.pipelines.map((p) => [p.name, p]));
    expect(byName.leak.units[0].status).to.equal('succeeded');
    expect(byName.fail.attempts, 'a config error is not retried').to.equal(1);
    for (const name of ['fail', 'weak']) {
      expect(byName[name].units[0].message).to.match(/^target failed: exit code 2: invalid configuration: "dialect" must be "redshift" or "postgres"/);
    }
    expect(run.stdout).to.contain('"dialect" must be "redshift" or "postgres"');
  });
});
