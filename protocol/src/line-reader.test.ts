import { expect } from 'chai';
import { Readable } from 'node:stream';
import { readLineBatches, type Line, type LineReaderOptions } from './line-reader.js';
import { ProtocolError } from './protocol-error.js';

async function collect(chunks: (Buffer | string)[], maxLineBytes?: number, options: LineReaderOptions = {}): Promise<Line[]> {
  const out: Line[] = [];
  for await (const batch of readLineBatches(Readable.from(chunks, { objectMode: true }), { maxLineBytes, ...options })) out.push(...batch);
  return out;
}

async function failure(chunks: (Buffer | string)[]): Promise<ProtocolError> {
  try {
    await collect(chunks);
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected the read to fail');
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

  describe('text that is not Unicode', () => {
    // 0xff never occurs in UTF-8; 0xc3 alone is a lead byte without its continuation; ED A0 80 encodes a surrogate.
    const bad = [
      Buffer.from('{"a":"ok"}\n{"b":"'),
      Buffer.from([0xff]),
      Buffer.from('"}\n{"c":"'),
      Buffer.from([0xc3]),
      Buffer.from('"}\n{"d":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}\n'),
    ];

    it('refuses invalid UTF-8 naming its line, whatever the chunk boundaries', async () => {
      const bytes = Buffer.concat(bad);
      for (let cut = 1; cut < bytes.length; cut++) {
        const error = await failure([bytes.subarray(0, cut), bytes.subarray(cut)]);
        expect(error.code, `cut at ${cut}`).to.equal('invalid-utf8');
        expect(error.line, `cut at ${cut}`).to.equal(2);
      }
      expect((await failure([...bytes].map((b) => Buffer.from([b])))).message).to.match(/^line 2: line holds bytes that are not UTF-8/);
    });

    it('names each bad line: a lone lead byte, an encoded surrogate', async () => {
      expect((await failure([Buffer.concat([Buffer.from('{}\n{}\n'), ...bad.slice(2)])])).line).to.equal(4);
      expect((await failure([Buffer.concat([Buffer.from('{"d":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])])).line).to.equal(1);
    });

    it('refuses a lone surrogate in string input, but not a surrogate pair split across chunks', async () => {
      const pair = '{"e":"😀"}\n';
      const split = pair.indexOf('😀') + 1;
      expect(await collect([pair.slice(0, split), pair.slice(split)])).to.deep.equal([{ text: '{"e":"😀"}', line: 1 }]);
      const error = await failure(['{}\n{"e":"\ud800"}\n']);
      expect([error.code, error.line]).to.deep.equal(['invalid-utf8', 2]);
    });

    it('replaces bad sequences with U+FFFD when asked, counting them per line (genuine U+FFFD is not counted)', async () => {
      const replaced: Array<[number, number]> = [];
      const lines = await collect([Buffer.concat([...bad, Buffer.from('{"f":"\uFFFD"}\n')])], undefined, {
        invalidText: 'replace',
        onReplaced: (line, count) => replaced.push([line, count]),
      });
      expect(lines.map((l) => l.text)).to.deep.equal(['{"a":"ok"}', '{"b":"\uFFFD"}', '{"c":"\uFFFD"}', '{"d":"\uFFFD\uFFFD\uFFFD"}', '{"f":"\uFFFD"}']);
      expect(replaced).to.deep.equal([
        [2, 1],
        [3, 1],
        [4, 3],
      ]);
    });
  });
});
