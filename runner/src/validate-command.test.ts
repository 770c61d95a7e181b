import { execFile } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runValidate } from './validate-command.js';
import { EXAMPLE_STREAM } from './demo-command.js';

const BIN = fileURLToPath(new URL('../bin/observes.js', import.meta.url));

const SCHEMA =
  '{"type":"SCHEMA","stream":"users","key_properties":["id"],"schema":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}}}';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}

async function validate(lines: string[], all = false, maxLineBytes?: number) {
  const stdout = sink();
  const stderr = sink();
  const code = await runValidate(
    { all, 'max-line-bytes': maxLineBytes },
    { stdin: Readable.from([lines.join('\n') + '\n']), stdout: stdout.stream, stderr: stderr.stream },
  );
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('observes validate', () => {
  it('prints a per-stream summary and exits 0 on a valid stream', async () => {
    const { code, stdout, stderr } = await validate([
      SCHEMA,
      '{"type":"RECORD","stream":"users","record":{"id":1,"name":"Ana"}}',
      '{"type":"RECORD","stream":"users","record":{"id":2,"name":"Luis"}}',
      '{"type":"STATE","value":{"bookmarks":{"users":{"id":2}}}}',
      '{"type":"SCHEMA","stream":"teams","key_properties":[],"schema":{"properties":{}}}',
      '{"type":"RECORD","stream":"teams","record":{"x":1},"version":5}',
      '{"type":"ACTIVATE_VERSION","stream":"teams","version":5}',
    ]);
    expect(stderr).to.equal('');
    expect(code).to.equal(0);
    expect(stdout).to.equal(
      [
        'stream  records  schemas  versions  key',
        '------  -------  -------  --------  ---',
        'users         2        1         0  id',
        'teams         1        1         1  -',
        '2 streams, 3 records, 1 state',
        '',
      ].join('\n'),
    );
  });

  const cases: Array<[string, string[], string]> = [
    ['malformed JSON', [SCHEMA, '{"type":"RECORD",'], 'line 2: malformed JSON'],
    ['an unknown message type', [SCHEMA, '{"type":"BATCH","stream":"users"}'], 'line 2: '],
    ['a missing field', [SCHEMA, '{"type":"RECORD","stream":"users"}'], 'line 2: '],
    ['a record before its schema', ['{"type":"RECORD","stream":"users","record":{"id":1}}'], 'line 1: stream "users": RECORD before any SCHEMA'],
    [
      'a missing key property',
      [SCHEMA, '{"type":"RECORD","stream":"users","record":{"name":"x"}}'],
      'line 2: stream "users": record is missing key property "id"',
    ],
    [
      'a record breaking its schema',
      [SCHEMA, '', '{"type":"RECORD","stream":"users","record":{"id":"7"}}'],
      'line 3: stream "users": record breaks its schema at /id',
    ],
    [
      'an invalid schema',
      ['{"type":"SCHEMA","stream":"users","key_properties":["id"],"schema":{"properties":{"name":{}}}}'],
      'line 1: stream "users": invalid schema',
    ],
  ];
  for (const [name, lines, expected] of cases) {
    it(`stops at ${name}, naming its line, and exits 1`, async () => {
      const { code, stdout, stderr } = await validate(lines);
      expect(code).to.equal(1);
      expect(stdout).to.equal('');
      expect(stderr.split('\n')).to.have.length(3);
      expect(stderr.startsWith(expected), stderr).to.equal(true);
    });
  }

  it('stops at a line longer than --max-line-bytes', async () => {
    const { code, stderr } = await validate([SCHEMA, `{"type":"RECORD","stream":"users","record":{"id":1,"name":"${'x'.repeat(500)}"}}`], false, 300);
    expect(code).to.equal(1);
    expect(stderr).to.match(/^line 2: line is longer than the maximum of 300 bytes/);
  });

  it('with --all reports every error, skipping broken lines, and still summarizes', async () => {
    const { code, stdout, stderr } = await validate(
      [
        '{"type":"RECORD","stream":"users","record":{"id":1}}',
        SCHEMA,
        'not json',
        '{"type":"RECORD","stream":"users","record":{"id":"bad"}}',
        '{"type":"RECORD","stream":"users","record":{"id":3}}',
        '{"type":"RECORD","stream":"users","record":{"name":"no key"}}',
      ],
      true,
    );
    expect(code).to.equal(1);
    expect(
      stderr
        .split('\n')
        .filter((l) => l.startsWith('line '))
        .map((l) => l.split(':')[0]),
    ).to.deep.equal(['line 1', 'line 3', 'line 4', 'line 6']);
    expect(stderr).to.contain('invalid: 4 errors');
    expect(stdout).to.contain('users         1        1');
  });

  it('reads a file through the bin and exits 0 on the bundled example, 1 on stdin with an error', async () => {
    const run = promisify(execFile);
    const ok = await run(process.execPath, [BIN, 'validate', EXAMPLE_STREAM]);
    expect(ok.stdout).to.contain('3 streams, 7 records, 3 states');
    const failed = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [BIN, 'validate'], (error, _out, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
      child.stdin!.end('{"type":"STATE"}\n');
    });
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.match(/^line 1: /);
  });
});
