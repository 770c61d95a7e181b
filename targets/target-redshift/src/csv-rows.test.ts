import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import { csvCell, csvChunks } from './csv-rows.js';

describe('CSV rows for COPY', () => {
  const cells: Array<[unknown, string]> = [
    [null, '\\N'],
    [undefined, '\\N'],
    ['\\N', '"\\N"'],
    ['', '""'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    [' lead', '" lead"'],
    ['trail\t', '"trail\t"'],
    ['\u00a0nbsp', '"\u00a0nbsp"'],
    ['ideographic\u3000', '"ideographic\u3000"'],
    ['inner space', 'inner space'],
    ['\u0001ctrl', '\u0001ctrl'],
    ['ügyfél', 'ügyfél'],
    [true, 'true'],
    [false, 'false'],
    [42, '42'],
    [1e-7, '0.0000001'],
    [1.5e21, '1500000000000000000000'],
    [new ExactNumber('12345678901234567890.5'), '12345678901234567890.5'],
    [new ExactNumber('1.5E3'), '1500'],
    [{ a: [1, 'x,y'] }, '"{""a"":[1,""x,y""]}"'],
    [[new ExactNumber('9007199254740993')], '[9007199254740993]'],
  ];
  for (const [value, text] of cells) {
    it(`writes ${JSON.stringify(value)} as ${JSON.stringify(text)}`, () => {
      expect(csvCell(value)).to.equal(text);
    });
  }

  it('writes rows as lines, split into chunks at row ends', () => {
    const rows = [
      [1, 'a', null],
      [2, 'b c', true],
      [3, '', false],
    ];
    expect([...csvChunks(rows)].join('')).to.equal('1,a,\\N\n2,b c,true\n3,"",false\n');
    const chunks = [...csvChunks(rows, { chunkChars: 4 })];
    expect(chunks).to.deep.equal(['1,a,\\N\n', '2,b c,true\n', '3,"",false\n']);
    expect([...csvChunks([])]).to.deep.equal([]);
  });
});
