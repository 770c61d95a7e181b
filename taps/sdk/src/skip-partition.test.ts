import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Message, StateMessage } from '@observes/protocol';
import { defineStream, defineTap } from './tap-definition.js';
import { HttpError } from './http-client.js';
import { runTapCaptured } from './testing/run-tap-captured.js';

/** Projects 1..3; `forbidden` ones answer 403 after `before` records, like a GitLab project with CI/CD disabled. */
function testTap(forbidden: Set<number>, before = 0) {
  const skipForbidden = (error: unknown) => (error instanceof HttpError && error.status === 403 ? 'forbidden (403)' : undefined);
  const failing = (project: number) => new HttpError(`GET /projects/${project}/things failed: 403 Forbidden`, 403, 'GET', `/projects/${project}/things`);
  const things = defineStream<Record<string, unknown>, { project: number }>({
    name: 'things',
    schema: { type: 'object', properties: { id: { type: 'integer' }, project: { type: 'integer' } } },
    keyProperties: ['id'],
    replicationKey: 'id',
    sortedByReplicationKey: true,
    partitions: () => [1, 2, 3].map((project) => ({ project })),
    skipPartitionOn: skipForbidden,
    async *records(ctx) {
      const project = ctx.partition!.project;
      for (let n = 1; n <= 3; n++) {
        if (forbidden.has(project) && n > before) throw failing(project);
        yield { id: project * 10 + n, project };
      }
    },
  });
  const members = defineStream<Record<string, unknown>, { project: number }>({
    name: 'members',
    schema: { type: 'object', properties: { id: { type: 'integer' }, project: { type: 'integer' } } },
    keyProperties: ['id'],
    partitions: () => [1, 2, 3].map((project) => ({ project })),
    skipPartitionOn: skipForbidden,
    async *records(ctx) {
      if (forbidden.has(ctx.partition!.project)) throw failing(ctx.partition!.project);
      yield { id: ctx.partition!.project, project: ctx.partition!.project };
    },
  });
  return defineTap({ name: 'test', version: '1.0.0', configSchema: { type: 'object', properties: {} }, streams: [things, members] });
}

async function run(tap: ReturnType<typeof testTap>, state?: unknown) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdk-skip-'));
  const args: string[] = [];
  if (state !== undefined) {
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
    args.push('--state', path.join(dir, 'state.json'));
  }
  return runTapCaptured(tap, args, { env: { OBSERVES_FROZEN_TIME: '2026-01-01T00:00:00Z' } });
}

const lastState = (messages: Message[]) => (messages.filter((m) => m.type === 'STATE').at(-1) as StateMessage).value as any;

describe('skipPartitionOn', () => {
  it('skips the failing partition with a warning and a METRIC; the others complete and their bookmarks advance', async () => {
    const result = await run(testTap(new Set([2]), 1));
    expect(result.code, result.stderr).to.equal(0);
    const things = result.messages.flatMap((m) => (m.type === 'RECORD' && m.stream === 'things' ? [m.record.id] : []));
    expect(things).to.deep.equal([11, 12, 13, 21, 31, 32, 33]);
    const bookmarks = lastState(result.messages).bookmarks.things.partitions;
    expect(bookmarks['project=1'].replication_key_value).to.equal(13);
    expect(bookmarks['project=2'], 'a skipped partition keeps its old bookmark (none here)').to.equal(undefined);
    expect(bookmarks['project=3'].replication_key_value).to.equal(33);
    expect(result.stderr).to.contain('partition skipped: forbidden (403)');
    expect(result.stderr).to.contain(
      '"message":"METRIC","metric":{"type":"counter","metric":"partition_skipped","value":1,"tags":{"stream":"things","partition":"project=2","reason":"forbidden (403)"}}',
    );
  });

  it('does not activate a full-table stream missing a partition, so the rows of earlier versions stay', async () => {
    const result = await run(testTap(new Set([3])));
    expect(result.code, result.stderr).to.equal(0);
    const activations = result.messages.filter((m) => m.type === 'ACTIVATE_VERSION' && m.stream === 'members');
    // Only the first-load activation (the target creates the table), never the one that would drop project 3's rows.
    expect(activations).to.have.length(1);
    expect(lastState(result.messages).bookmarks.members).to.equal(undefined);
    expect(result.stderr).to.contain('not activating this version');
  });

  it('fails the run when every partition it tried was skipped', async () => {
    const result = await run(testTap(new Set([1, 2, 3])));
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('nothing could be read: all 6 partitions tried were skipped');
    expect(result.messages.at(-1)!.type, 'the run still ends with its state').to.equal('STATE');
  });

  it('still fails on errors the stream does not declare skippable', async () => {
    const tap = testTap(new Set());
    tap.streams[0] = {
      ...tap.streams[0],
      // biome-ignore lint/correctness/useYield: a stream whose first request is refused yields nothing
      records: async function* () {
        throw new HttpError('GET /x failed: 401 Unauthorized', 401, 'GET', '/x');
      },
    };
    const result = await run(tap);
    expect(result.code, 'a refused request: exit 2, not retried').to.equal(2);
    expect(result.stderr).to.contain('401 Unauthorized');
  });
});
