import { expect } from 'chai';
import { Writable } from 'node:stream';
import { ExactNumber } from './exact-number.js';
import { MessageWriter, formatMessage } from './message-writer.js';

describe('MessageWriter', () => {
  it('waits for drain when the destination is full, so at most one buffer is pending', async () => {
    let pendingMax = 0;
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, done) {
        pendingMax = Math.max(pendingMax, slow.writableLength);
        received.push(chunk.toString());
        setImmediate(done);
      },
    });
    const writer = new MessageWriter(slow);
    for (let i = 0; i < 200; i++) await writer.write({ type: 'RECORD', stream: 's', record: { i, pad: 'x'.repeat(40) } });
    await writer.end();
    expect(received).to.have.length(200);
    expect(pendingMax).to.be.lessThan(64 + 100);
  });

  it('formats exact numbers as bare tokens', () => {
    const line = formatMessage({ type: 'RECORD', stream: 's', record: { n: new ExactNumber('123456789012345678901234567890') } });
    expect(line).to.equal('{"type":"RECORD","stream":"s","record":{"n":123456789012345678901234567890}}\n');
  });

  it('rejects writes after the destination failed', async () => {
    const broken = new Writable({
      write(_chunk, _enc, done) {
        done(new Error('EPIPE'));
      },
    });
    const writer = new MessageWriter(broken);
    await writer.write({ type: 'STATE', value: 1 }).catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    let failed = false;
    await writer.write({ type: 'STATE', value: 2 }).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});
