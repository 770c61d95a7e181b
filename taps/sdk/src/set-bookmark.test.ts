import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonRecord, Message, StateMessage } from '@observes/protocol';
import { defineStream, defineTap } from './tap-definition.js';
import { compareReplicationValues } from './bookmarks.js';
import { runTapCaptured } from './testing/run-tap-captured.js';

const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`;
const config = { api_url: 'http://127.0.0.1:1', token: 'test-secret-token-123' };

/**
 * A tap with two streams that choose their bookmark: `builds` (newest first, like GitLab jobs: the bookmark stays
 * below the oldest unfinished build, set after yielding) and `windows` (sorted, the bookmark capped before yielding).
 */
function testTap(source: { builds: JsonRecord[]; windows: JsonRecord[]; windowsDoneUpTo: string }) {
  const builds = defineStream({
    name: 'builds',
    schema: { type: 'object', properties: { id: { type: 'integer' }, status: { type: 'string' } } },
    keyProperties: ['id'],
    replicationKey: 'id',
    async *records(ctx) {
      const after = ctx.bookmark === undefined ? 0 : Number(ctx.bookmark);
      const newer = source.builds.filter((b) => (b.id as number) > after).sort((a, b) => (b.id as number) - (a.id as number));
      let safe = newer[0]?.id as number | undefined;
      for (const build of newer) {
        if (build.status === 'running') safe = (build.id as number) - 1;
        yield build;
      }
      if (safe !== undefined) ctx.setBookmark(safe);
    },
  });
  const windows = defineStream({
    name: 'windows',
    schema: { type: 'object', properties: { id: { type: 'integer' }, at: { type: 'string' } } },
    keyProperties: ['id'],
    replicationKey: 'at',
    sortedByReplicationKey: true,
    async *records(ctx) {
      // Known before any record: nothing after this instant is final yet.
      ctx.setBookmark(source.windowsDoneUpTo);
      for (const w of source.windows) if (ctx.bookmark === undefined || compareReplicationValues(w.at as string, ctx.bookmark) >= 0) yield w;
    },
  });
  return defineTap({
    name: 'test',
    version: '1.0.0',
    configSchema: { type: 'object', properties: { api_url: { type: 'string' }, token: { type: 'string' } }, required: ['api_url', 'token'] },
    secrets: ['token'],
    streams: [builds, windows],
  });
}

async function run(tap: ReturnType<typeof testTap>, state?: unknown, extra: string[] = []) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdk-set-bookmark-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const args = ['--config', path.join(dir, 'config.json'), ...extra];
  if (state !== undefined) {
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
    args.push('--state', path.join(dir, 'state.json'));
  }
  const result = await runTapCaptured(tap, args);
  expect(result.code, result.stderr).to.equal(0);
  return result;
}

const bookmarkOf = (message: Message, stream: string) => ((message as StateMessage).value as any).bookmarks[stream]?.replication_key_value;
const ids = (messages: Message[], stream: string) => messages.flatMap((m) => (m.type === 'RECORD' && m.stream === stream ? [m.record.id] : []));

describe('ctx.setBookmark', () => {
  it('holds the bookmark below an unfinished record, emitted after every record, and the next run fetches it again', async () => {
    const source = {
      builds: [1, 2, 3, 4, 5].map((id) => ({ id, status: id === 3 ? 'running' : 'success' })),
      windows: [],
      windowsDoneUpTo: at(1),
    };
    const first = await run(testTap(source));
    expect(ids(first.messages, 'builds')).to.deep.equal([5, 4, 3, 2, 1]);
    const lastBuild = first.messages.findLastIndex((m) => m.type === 'RECORD' && m.stream === 'builds');
    const firstBuildState = first.messages.findIndex((m) => m.type === 'STATE' && bookmarkOf(m, 'builds') !== undefined);
    expect(firstBuildState, 'no STATE for builds before its last record').to.be.greaterThan(lastBuild);
    // Not 5, the highest written: build 3 still runs.
    expect(bookmarkOf(first.messages.at(-1)!, 'builds')).to.equal(2);

    source.builds[2]!.status = 'success';
    source.builds.push({ id: 6, status: 'success' });
    const second = await run(testTap(source), (first.messages.at(-1) as StateMessage).value);
    expect(ids(second.messages, 'builds')).to.deep.equal([6, 5, 4, 3]);
    expect(second.messages.find((m) => m.type === 'RECORD' && m.record.id === 3)).to.have.nested.property('record.status', 'success');
    expect(bookmarkOf(second.messages.at(-1)!, 'builds')).to.equal(6);
  });

  it('caps the checkpoints of a sorted stream, set before the records it covers', async () => {
    const source = { builds: [], windows: [1, 2, 3, 4, 5].map((d) => ({ id: d, at: at(d) })), windowsDoneUpTo: at(3) };
    const first = await run(testTap(source), undefined, ['--state-every', '1']);
    const written: string[] = [];
    const checkpoints: string[] = [];
    for (const message of first.messages) {
      if (message.type === 'RECORD' && message.stream === 'windows') written.push(message.record.at as string);
      const value = message.type === 'STATE' ? bookmarkOf(message, 'windows') : undefined;
      if (value === undefined) continue;
      // Never ahead of the records written, never past the value the stream set.
      expect(written).to.include(value);
      checkpoints.push(value);
    }
    expect([...new Set(checkpoints)]).to.deep.equal([at(1), at(2), at(3)]);

    const second = await run(testTap(source), (first.messages.at(-1) as StateMessage).value);
    expect(ids(second.messages, 'windows')).to.deep.equal([3, 4, 5]);
  });
});
