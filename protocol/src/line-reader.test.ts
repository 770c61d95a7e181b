import { expect } from 'chai';
import { Readable } from 'node:stream';
import { readLineBatches, type Line } from './line-reader.js';
import { ProtocolError } from './protocol-error.js';

async function collect(chunks: (Buffer | string)[], maxLineBytes?: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const batch of readLineBatches(Readable.from(chunks, { objectMode: true }), { maxLineBytes })) out.push(...batch);
  return out;
}

describe('readLineBatches', () => {
  const text = '\uFEFF{"a":1}\r\n\r\n  \n{"b":"é😀"}\n{"c":3}';

  it('strips a BOM and CR, skips blank lines but counts them, keeps a last line without newline', async () => {
    const lines = await collect([Buffer.from(text)]);
    expect(lines).to.deep.equal([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":"é😀"}', line: 4 },
      { text: '{"c":3}', line: 5 },
    ]);
  });

  it('gives the same lines whatever the chunk boundaries, including inside multi-byte characters', async () => {
    const bytes = Buffer.from(text);
    const expected = await collect([bytes]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(lines, `cut at byte ${cut}`).to.deep.equal(expected);
    }
    const oneByteChunks = [...bytes].map((b) => Buffer.from([b]));
    expect(await collect(oneByteChunks)).to.deep.equal(expected);
  });

  it('fails a line longer than maxLineBytes, naming its line number, even before its newline arrives', async () => {
    const long = 'x'.repeat(100);
    try {
      await collect([`{"a":1}\n${long}`, long], 150);
      expect.fail('should have thrown');
    } catch (error) {
      expect(error).to.be.instanceOf(ProtocolError);
      expect((error as ProtocolError).line).to.equal(2);
      expect((error as Error).message).to.match(/^line 2: line is longer than the maximum of 150 bytes/);
    }
  });

  it('measures the maximum in bytes, not characters', async () => {
    const euros = '€'.repeat(40); // 120 bytes in 40 characters
    await collect([`${euros}\n`], 120);
    try {
      await collect([`${euros}€\n`], 120);
      expect.fail('should have thrown');
    } catch (error) {
      expect((error as ProtocolError).code).to.equal('line-too-long');
    }
  });
});
