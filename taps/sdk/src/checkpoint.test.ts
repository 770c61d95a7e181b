import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Message, StateMessage } from '@observes/protocol';
import { defineStream, defineTap } from './tap-definition.js';
import { runTapCaptured } from './testing/run-tap-captured.js';

/**
 * A walk from the newest item (id 10) down to the bookmark, like a keyset listing of CI jobs: records come newest
 * first, so no record says how far the walk got; the stream checkpoints its position itself. It fails after
 * `failAfter` records when set.
 */
function walkTap(failAfter?: number) {
  const items = defineStream({
    name: 'items',
    schema: { type: 'object', properties: { id: { type: 'integer' } } },
    keyProperties: ['id'],
    replicationKey: 'id',
    async *records(ctx) {
      const bookmark = Number(ctx.bookmark ?? 0);
      const resume = ctx.progress as { top: number; below: number } | undefined;
      const top = resume?.top ?? 10;
      let emitted = 0;
      for (let id = resume?.below ?? top + 1; --id > bookmark; ) {
        if (failAfter !== undefined && emitted === failAfter) throw new Error('connection reset');
        yield { id };
        emitted++;
        if (id % 2 === 1) await ctx.checkpoint({ progress: { top, below: id } });
      }
      await ctx.checkpoint({ bookmark: top, progress: null });
    },
  });
  return defineTap({ name: 'walk', version: '1.0.0', configSchema: { type: 'object', properties: {} }, streams: [items] });
}

async function run(tap: ReturnType<typeof walkTap>, state?: unknown) {
  const args: string[] = [];
  if (state !== undefined) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sdk-checkpoint-')), 'state.json');
    writeFileSync(file, JSON.stringify(state));
    args.push('--state', file);
  }
  return runTapCaptured(tap, args);
}

const states = (messages: Message[]) => messages.filter((m): m is StateMessage => m.type === 'STATE').map((m) => (m.value as any).bookmarks.items);
const ids = (messages: Message[]) => messages.flatMap((m) => (m.type === 'RECORD' ? [m.record.id] : []));

describe('ctx.checkpoint and ctx.progress', () => {
  it('emits the progress after the records it covers; a failed walk resumes where it stopped', async () => {
    const failed = await run(walkTap(4));
    expect(failed.code).to.equal(1);
    expect(ids(failed.messages)).to.deep.equal([10, 9, 8, 7]);
    // Each STATE follows the record it covers (9, then 7): nothing after it is promised.
    const lines = failed.messages.map((m) =>
      m.type === 'RECORD' ? `R${m.record.id}` : m.type === 'STATE' ? `S${JSON.stringify((m.value as any).bookmarks.items.progress)}` : m.type,
    );
    expect(lines).to.deep.equal(['SCHEMA', 'R10', 'R9', 'S{"top":10,"below":9}', 'R8', 'R7', 'S{"top":10,"below":7}']);

    const resumed = await run(walkTap(), { bookmarks: { items: states(failed.messages).at(-1) } });
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(ids(resumed.messages)).to.deep.equal([6, 5, 4, 3, 2, 1]);
    // The completed walk cleared its progress and set the bookmark to its top.
    expect(states(resumed.messages).at(-1)).to.deep.equal({ replication_key: 'id', replication_key_value: 10 });
  });
});
