import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ZipFile } from 'yazl';
import { ExactNumber, type JsonRecord } from '@observes/protocol';
import { ExportFormatError, readExportFile } from './export-reader.js';
import type { ZohoField } from './field-schema.js';

const FIELDS: ZohoField[] = [
  { api_name: 'Last_Name', data_type: 'text' },
  { api_name: 'Hobbies', data_type: 'multiselectpicklist' },
  { api_name: 'Revenue', data_type: 'currency' },
];

describe('readExportFile: the zipped CSV of a bulk read result', () => {
  let dir: string;
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zoho-export-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes a zip with the given entries (name → bytes) and returns its path. */
  async function zip(entries: Record<string, string | Buffer>): Promise<string> {
    const file = join(dir, `${++n}.zip`);
    const z = new ZipFile();
    for (const [name, body] of Object.entries(entries)) z.addBuffer(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), name);
    z.end();
    const chunks: Buffer[] = [];
    await new Promise((resolve, reject) =>
      z.outputStream
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', resolve)
        .on('error', reject),
    );
    writeFileSync(file, Buffer.concat(chunks));
    return file;
  }
  const read = async (file: string, count: number, fields = FIELDS) => {
    const out: JsonRecord[] = [];
    for await (const record of readExportFile({ file, where: 'the export of Leads page 1 (job 7)', fields, count, separator: ';' })) out.push(record);
    return out;
  };
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(ExportFormatError);
      return (error as Error).message;
    }
    throw new Error('expected the read to fail');
  };

  it('parses RFC 4180 quoting, embedded newlines, a BOM, CRLF, an "Id" header and columns in any order', async () => {
    const csv =
      '\uFEFFHobbies,Id,Last_Name,Revenue\r\n' +
      'Go;Chess,5725767000000000001,"Boyle, ""PB""",12.50\r\n' +
      ',5725767000000000002,"two\nlines\r\nand crlf",\r\n' +
      '"Café;Hiking, long",5725767000000000003,Ünïcödé 中文 😀 ✓,-0.5\r\n';
    expect(await read(await zip({ '7.csv': csv }), 3)).to.deep.equal([
      { Hobbies: ['Go', 'Chess'], id: '5725767000000000001', Last_Name: 'Boyle, "PB"', Revenue: new ExactNumber('12.50') },
      { Hobbies: null, id: '5725767000000000002', Last_Name: 'two\nlines\r\nand crlf', Revenue: null },
      { Hobbies: ['Café', 'Hiking, long'], id: '5725767000000000003', Last_Name: 'Ünïcödé 中文 😀 ✓', Revenue: -0.5 },
    ]);
  });

  it('decodes characters split across the chunks of a large entry', async () => {
    // 3,000 rows of 4-byte emoji and accents: many multi-byte characters straddle the stream's chunk boundaries.
    const names = Array.from({ length: 3000 }, (_, i) => `${'😀é中'.repeat((i % 7) + 1)}#${i}`);
    const csv = 'id,Last_Name,Hobbies,Revenue\n' + names.map((name, i) => `${i + 1},${name},,`).join('\n') + '\n';
    const records = await read(await zip({ 'big.csv': csv }), names.length);
    expect(records.map((r) => r.Last_Name)).to.deep.equal(names);
  });

  it('refuses invalid UTF-8 instead of replacing it', async () => {
    const bytes = Buffer.concat([Buffer.from('id,Last_Name,Hobbies,Revenue\n1,ok,,\n2,'), Buffer.from([0xc3, 0x28]), Buffer.from(',,\n')]);
    expect(await failure(read(await zip({ '7.csv': bytes }), 2))).to.match(/job 7\): the CSV is not valid UTF-8 \(near byte \d+\)/);
  });

  it('refuses a CSV that does not hold what the job said: count, columns, types, quoting', async () => {
    const header = 'id,Last_Name,Hobbies,Revenue\n';
    expect(await failure(read(await zip({ '7.csv': header + '1,a,,\n' }), 2))).to.contain('the job says it exported 2 records, the CSV holds 1');
    expect(await failure(read(await zip({ '7.csv': 'id,Last_Name,Hobbies,Revenue,Surprise\n1,a,,,x\n' }), 1))).to.contain(
      'columns the fields metadata did not list: Surprise',
    );
    expect(await failure(read(await zip({ '7.csv': 'id,Last_Name,Revenue\n1,a,\n' }), 1))).to.contain('lacks the exported fields Hobbies');
    expect(await failure(read(await zip({ '7.csv': 'Last_Name,Hobbies,Revenue\na,,\n' }), 1))).to.contain('no id column');
    expect(await failure(read(await zip({ '7.csv': header + '1,a,,12\n2,b,,twelve\n' }), 2))).to.contain(
      'CSV line 3, column "Revenue": "twelve" is not a number',
    );
    expect(await failure(read(await zip({ '7.csv': header + 'x1,a,,\n' }), 1))).to.contain('the id "x1" is not a record id');
    expect(await failure(read(await zip({ '7.csv': header + '1,"unclosed,,\n' }), 1))).to.match(/job 7\): .*quote/i);
    expect(await failure(read(await zip({ '7.csv': header + '1,a,,,extra\n' }), 1))).to.match(/job 7\): .*(column|record)/i);
    expect(await failure(read(await zip({ '7.csv': '' }), 0))).to.contain('the CSV is empty');
  });

  it('refuses a result that is not a zip holding one CSV', async () => {
    const notZip = join(dir, 'not.zip');
    writeFileSync(notZip, '{"code":"INTERNAL_ERROR"}');
    expect(await failure(read(notZip, 0))).to.contain('the result is not a zip file');
    expect(await failure(read(await zip({ 'a.csv': 'id\n', 'b.csv': 'id\n' }), 0))).to.contain('must hold one CSV file, it holds "a.csv", "b.csv"');
    expect(await failure(read(await zip({ 'a.txt': 'id\n' }), 0))).to.contain('must hold one CSV file');
  });
});
