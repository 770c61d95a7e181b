import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createLogger, MessageWriter, type CommitInfo } from '@observes/protocol';
import { runNode, startS3Server, type S3Server } from '@observes/testkit';
import { resolveConfig, type TargetS3Config } from './config.js';
import { readJsonLinesFile, readManifest } from './manifest-reader.js';
import { OrphanedInputError, S3Target } from './s3-target.js';

const BIN = fileURLToPath(new URL('../bin/target-s3.js', import.meta.url));
const quiet = createLogger({ name: 'test', level: 'error', write: () => undefined });
const SCHEMA = '{"type":"SCHEMA","stream":"items","key_properties":[],"schema":{"type":"object","properties":{"id":{"type":"integer"}}}}';
/** Records `from`..`to` with a STATE after every `every`. */
function stream(from: number, to: number, every = 10): string[] {
  const lines = [SCHEMA];
  for (let id = from; id <= to; id++) {
    lines.push(`{"type":"RECORD","stream":"items","record":{"id":${id}}}`);
    if (id % every === 0) lines.push(`{"type":"STATE","value":{"id":${id}}}`);
  }
  return lines;
}

describe('target-s3: its manifest is its commit record', () => {
  let s3: S3Server;
  let dir: string;
  before(async () => {
    s3 = await startS3Server({ buckets: ['data'] });
    dir = mkdtempSync(join(tmpdir(), 'target-s3-commit-'));
  });
  after(async () => {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(lines: string[], config: Partial<TargetS3Config>, options: { complete?: boolean; env?: NodeJS.ProcessEnv } = {}) {
    const echoed: Array<{ value: { id: number }; commit: CommitInfo }> = [];
    const out = new Writable({
      write(chunk, _e, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) echoed.push(JSON.parse(line) as (typeof echoed)[number]);
        done();
      },
    });
    const target = new S3Target({
      config: resolveConfig({ bucket: 'data', max_file_bytes: 1024, ...config }),
      client: s3.client,
      output: new MessageWriter(out),
      logger: quiet,
      inputComplete: async () => options.complete ?? true,
      env: options.env ?? {},
    });
    const error = await target.run(Readable.from([lines.join('\n') + '\n'])).then(
      () => undefined,
      (e: Error) => e,
    );
    return { echoed, error, target };
  }
  const listedIds = async (prefix: string, runId: string) => {
    const manifest = await readManifest(s3.client, `s3://data/${prefix}/_manifests/${runId}.json`);
    const ids = (await Promise.all(manifest.streams.items.files.map((f) => readJsonLinesFile(s3.client, f)))).flat().map((r) => r.id as number);
    return { manifest, ids };
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it("echoes each STATE with its commit sequence, one clock across runs (and above the runner's sequence)", async () => {
    const first = await run(stream(1, 30), { prefix: 'clock', run_id: 'r1', batch_max_age_seconds: 0 });
    expect(first.echoed.map((m) => [m.value.id, m.commit.sequence, m.commit.run_id])).to.deep.equal([
      [10, 1, 'r1'],
      [20, 2, 'r1'],
      [30, 3, 'r1'],
    ]);
    // A new run id finds the last committed state through the head, and numbers on from it.
    const second = await run(stream(31, 40), { prefix: 'clock', run_id: 'r2' });
    expect(await second.target.committedState()).to.deep.include({ value: { id: 40 }, sequence: 4, run_id: 'r2' });
    const third = await run(stream(41, 50), { prefix: 'clock', run_id: 'r3' }, { env: { OBSERVES_STATE_SEQUENCE: '9' } });
    expect(third.echoed.map((m) => m.commit.sequence)).to.deep.equal([10]);
  });

  it('a killed attempt is continued by a rerun of the same run id from its committed state: every record listed once', async () => {
    // The runner died: the input ended without "complete". What was flushed stays; nothing more is stored.
    const killed = await run(stream(1, 57), { prefix: 'resume', run_id: 'r1', batch_max_age_seconds: 0 }, { complete: false });
    expect(killed.error).to.be.instanceOf(OrphanedInputError);
    const before = await listedIds('resume', 'r1');
    expect(before.manifest).to.deep.include({ state: { id: 50 }, commit: { sequence: 5, run_id: 'r1', committed_at: before.manifest.commit!.committed_at } });
    expect(before.manifest.complete).to.equal(undefined);
    expect(before.ids).to.deep.equal(range(1, 50));
    const committed = await killed.target.committedState();
    expect(committed).to.deep.include({ value: { id: 50 }, sequence: 5 });

    const resumed = await run(stream(51, 75), { prefix: 'resume', run_id: 'r1', batch_max_age_seconds: 0 });
    expect(resumed.error).to.equal(undefined);
    const after = await listedIds('resume', 'r1');
    expect(after.ids).to.deep.equal(range(1, 75));
    expect(after.manifest).to.deep.include({ complete: true, state: { id: 70 } });
    const parts = after.manifest.streams.items.files.map((f) => f.url.replace(/.*part-/, ''));
    expect(new Set(parts).size, 'no part listed twice').to.equal(parts.length);

    // Finished, the same run id starts over (a period run again).
    await run(stream(1, 5), { prefix: 'resume', run_id: 'r1' });
    expect((await listedIds('resume', 'r1')).ids).to.deep.equal(range(1, 5));
  });

  it("with a period and an orphaned input, the period's earlier files are not deleted and its manifest stays", async () => {
    await run(stream(1, 40), { prefix: 'backup', period: '2026-10' });
    const all = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'backup/items/2026-10/' }))).Contents ?? []).length;
    const before = await all();
    const orphaned = await run(stream(1, 12, 100), { prefix: 'backup', period: '2026-10' }, { complete: false });
    expect(orphaned.error).to.be.instanceOf(OrphanedInputError);
    expect(await all()).to.equal(before);
    const manifest = await readManifest(s3.client, 's3://data/backup/_manifests/2026-10.json');
    expect(manifest).to.deep.include({ complete: true, state: { id: 40 } });
  });

  it('--committed-state prints the bare value for a shell, --commit-record the record for the runner', async () => {
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ bucket: 'data', prefix: 'clock', endpoint: s3.endpoint }));
    const env = { AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey, AWS_REGION: 'us-east-1' };
    const bare = await runNode([BIN, '--config', config, '--committed-state'], { env });
    expect(bare).to.deep.include({ code: 0, stdout: '{"id":50}\n' });
    const record = await runNode([BIN, '--config', config, '--commit-record'], { env });
    expect(JSON.parse(record.stdout)).to.deep.include({ value: { id: 50 }, sequence: 10, run_id: 'r3' });
    const none = await runNode([BIN, '--config', config, '--commit-record'], { env: { ...env, OBSERVES_PIPELINE: 'another' } });
    expect(none.stdout).to.equal('null\n');
  });
});
