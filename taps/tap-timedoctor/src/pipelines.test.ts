import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import type { JsonRecord } from '@observes/protocol';
import type { S3Manifest } from '@observes/target-core';
import { applyRedshiftShim, createTestDatabase, startS3Server, type S3Server, type TestDatabase } from '@observes/testkit';
import { FakeTimedoctorApi } from './testing/fake-timedoctor-api.js';
import { seedTimedoctor } from './testing/fake-timedoctor-data.js';

// The two example pipelines, run as an operator runs them (`observes run`), against the fake API, s3rver and
// PostgreSQL (target-redshift's redshift dialect, with the test shim); only the environment points them there.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OBSERVES = path.join(ROOT, 'runner/bin/observes.js');
const BACKUP_PIPELINE = path.join(ROOT, 'runner/examples/timedoctor-backup.yaml');
const REFRESH_PIPELINE = path.join(ROOT, 'runner/examples/timedoctor.yaml');
const NOW = Date.parse('2026-07-15T12:00:00.000Z');
const BACKUP = 'backup_timedoctor';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('observes run timedoctor-backup.yaml and timedoctor.yaml: monthly backups, then a full refresh from them and the API', function () {
  let api: FakeTimedoctorApi;
  let s3: S3Server;
  let db: TestDatabase;
  let cwd: string;
  let runs = 0;
  /** Everything every run printed (the runner forwards its children's logs). */
  const outputs: string[] = [];

  before(async () => {
    [s3, db, api] = await Promise.all([
      startS3Server({ buckets: ['observes.etl-data', 'observes.state'] }),
      createTestDatabase(),
      FakeTimedoctorApi.start({ now: () => new Date(NOW), historyMonths: 12 }),
    ]);
    await applyRedshiftShim(db);
    seedTimedoctor(api, { users: 3, from: '2026-02-01', to: '2026-07-15' });
    cwd = mkdtempSync(path.join(tmpdir(), 'timedoctor-pipelines-'));
  });
  after(async () => {
    await api?.close();
    await s3?.stop();
    await db?.drop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  /** `observes run <pipeline>` with the environment pointing at the fakes; each run has a later frozen clock. */
  function observes(pipeline: string, env: Record<string, string> = {}, args: string[] = []): Promise<Run> {
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TIMEDOCTOR_EMAIL: api.email,
      TIMEDOCTOR_PASSWORD: api.password,
      TAP_TIMEDOCTOR_API_URL: api.apiUrl,
      TAP_TIMEDOCTOR_REQUESTS_PER_SECOND: '1000',
      TAP_TIMEDOCTOR_PAGE_SIZE: '40',
      OBSERVES_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey,
      AWS_REGION: 'us-east-1',
      REDSHIFT_PASSWORD: 'not-used-the-url-is-overridden',
      TARGET_REDSHIFT_URL: db.url,
      // Versions are the tap's clock: each run later than the one before, as in production.
      OBSERVES_FROZEN_TIME: new Date(NOW + ++runs * 1000).toISOString(),
      ...env,
    };
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [OBSERVES, 'run', ...args, pipeline], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => {
        outputs.push(stdout + stderr);
        resolve({ code, stdout, stderr });
      });
    });
  }

  // These backups stand for the runs of past months, when the API still served them.
  const backup = (month: string) => observes(BACKUP_PIPELINE, { BACKUP_MONTH: month, TAP_TIMEDOCTOR_API_HISTORY_MONTHS: '12' });
  const expectOk = (run: Run, what: string) => expect(run.code, `${what}:\n${run.stderr.slice(-3000)}`).to.equal(0);
  const getText = async (key: string) => (await s3.client.send(new GetObjectCommand({ Bucket: 'observes.etl-data', Key: key }))).Body!.transformToString();
  const manifest = async (month: string) => JSON.parse(await getText(`${BACKUP}/_manifests/${month}.json`)) as S3Manifest;
  const keysUnder = async (prefix: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'observes.etl-data', Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();
  const inMonth = (records: JsonRecord[], field: string, month: string) => records.filter((r) => String(r[field]).startsWith(month));
  const worklogs = () => api.items('worklogs', 'c-acme');
  const rows = <T extends Record<string, unknown>>(sql: string) => db.query<T>(sql);

  it('with no BACKUP_MONTH, backs up the month before the run (a schedule needs no variable)', async () => {
    const expected = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const run = await observes(BACKUP_PIPELINE, {}, ['--dry-run']);
    expectOk(run, 'dry run');
    expect(run.stdout).to.contain(`"month":"${expected}"`).and.to.contain(`target-s3 --period ${expected}`);
  });

  it('backs up months into target-s3 periods; rerunning a month replaces its file set instead of doubling it', async () => {
    for (const month of ['2026-02', '2026-03', '2026-04', '2026-05']) expectOk(await backup(month), `backup of ${month}`);
    const april = await manifest('2026-04');
    expect(april.run_id, 'the manifest names the month').to.equal('2026-04');
    expect(april.streams.worklogs.files.reduce((n, f) => n + f.rows, 0)).to.equal(inMonth(worklogs(), 'start', '2026-04').length);

    // Time edited in April after its backup: a rerun of the month takes it, and leaves exactly one file set.
    const edited = inMonth(worklogs(), 'start', '2026-04-10')[0];
    edited.time = 4242;
    expectOk(await backup('2026-04'), 'second backup of 2026-04');
    const again = await manifest('2026-04');
    const files = again.streams.worklogs.files;
    expect(await keysUnder(`${BACKUP}/worklogs/2026-04/`)).to.deep.equal(files.map((f) => f.url.replace('s3://observes.etl-data/', '')).sort());
    expect(files.reduce((n, f) => n + f.rows, 0)).to.equal(inMonth(worklogs(), 'start', '2026-04').length);
    expect(await getText(`${BACKUP}/_manifests/2026-04.json`)).to.not.contain('X-Goog-Signature');
    expect(again.streams.worklogs.version).to.be.greaterThan(april.streams.worklogs.version!);
  });

  it('the full refresh swaps in every month once: the old ones from the backups, the API winning for the months it serves', async () => {
    // The API now forgets everything before May; May changes after its backup; a user is deleted, and with them
    // their data (RETENTION: "When a customer deletes a user, that user's data will be permanently deleted").
    api.options.historyMonths = 3;
    const may = inMonth(worklogs(), 'start', '2026-05-12');
    may[0].time = 777;
    worklogs().splice(worklogs().indexOf(may[1]), 1);
    const removeUser = (items: JsonRecord[], field: string) => {
      const gone = items.filter((item) => item[field] === 'u03');
      items.splice(0, items.length, ...items.filter((item) => item[field] !== 'u03'));
      return gone.filter((item) => String(item.start ?? item.date) < '2026-05');
    };
    removeUser(api.items('users', 'c-acme'), 'id');
    const keptWorklogs = removeUser(worklogs(), 'userId');
    const keptShots = removeUser(api.items('files', 'c-acme'), 'userId');
    const requestsBefore = api.server.requests.length;

    const run = await observes(REFRESH_PIPELINE);
    expectOk(run, 'full refresh');
    const asked = api.server.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/activity/worklog'));
    expect(
      asked.every((r) => String(r.query.from) >= '2026-05-01'),
      'months before May are not asked for',
    ).to.equal(true);

    const expected = [...worklogs(), ...keptWorklogs].map((w) => `${w.userId} ${new Date(String(w.start)).toISOString()} ${w.time}`).sort();
    const loaded = await rows<{ k: string }>(
      `SELECT "userid" || ' ' || to_char("start" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ' ' || "time" AS k FROM timedoctor.worklogs`,
    );
    expect(loaded.map((r) => r.k.replace(/ (\d+)(\.0+)?$/, ' $1')).sort()).to.deep.equal(expected);
    expect(await rows('SELECT "userid", "start" FROM timedoctor.worklogs GROUP BY 1, 2 HAVING count(*) > 1')).to.deep.equal([]);
    const months = await rows<{ m: string; n: string }>(
      `SELECT to_char("start" AT TIME ZONE 'UTC', 'YYYY-MM') AS m, count(*) AS n FROM timedoctor.worklogs GROUP BY 1 ORDER BY 1`,
    );
    expect(months.map((m) => m.m)).to.deep.equal(['2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07']);
    expect(
      (await rows<{ id: string }>('SELECT id FROM timedoctor.users ORDER BY id')).map((u) => u.id),
      'u03 kept from the backups',
    ).to.deep.equal(['u01', 'u02', 'u03']);
    const shots = await rows<{ n: string }>('SELECT count(*) AS n FROM timedoctor.computer_activity');
    expect(Number(shots[0].n)).to.equal(api.items('files', 'c-acme').length + keptShots.length);
  });

  it('refuses to swap in a refresh missing a month the API forgot and nobody backed up: the tables stay as they were', async () => {
    const before = await rows<{ n: string }>('SELECT count(*) AS n FROM timedoctor.worklogs');
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'observes.etl-data', Key: `${BACKUP}/_manifests/2026-03.json` }));
    // The pipeline's retries fail the same way: no need to wait between them.
    const run = await observes(REFRESH_PIPELINE, {}, ['--retry-delay', '0.01']);
    expect(run.code).to.not.equal(0);
    expect(run.stderr).to.contain('month 2026-03 of worklogs has no complete backup').and.to.contain('BACKUP_MONTH=2026-03');
    expect(await rows('SELECT count(*) AS n FROM timedoctor.worklogs')).to.deep.equal(before);
  });

  it('no run printed the password or a token, and the backups hold neither', async () => {
    expect(api.tokens.size).to.be.greaterThan(5);
    const backups = await Promise.all((await keysUnder(`${BACKUP}/_manifests/`)).map(getText));
    for (const text of [...outputs, ...backups]) {
      expect(text).to.not.contain(api.password);
      for (const token of api.tokens.keys()) expect(text).to.not.contain(token);
    }
  });
});
