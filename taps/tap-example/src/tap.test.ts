import { expect } from 'chai';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTapCaptured } from '@observes/tap-sdk/testing';
import type { RecordMessage, StateMessage } from '@observes/protocol';
import { checkGolden, tapSuite } from '@observes/testkit';
import { tap } from './tap.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = path.join(packageDir, 'fixtures/example.jsonl');
const golden = (name: string) => path.join(packageDir, 'fixtures/golden', name);
const env = { OBSERVES_FROZEN_TIME: '2026-01-01T00:00:00.000Z' };

function tempFile(name: string, content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tap-example-')), name);
  writeFileSync(file, content);
  return file;
}

describe('tap-example', () => {
  it('matches the golden output of a first run (clock frozen)', async () => {
    const run = await runTapCaptured(tap, ['--config', tempFile('config.json', JSON.stringify({ path: fixture }))], { env });
    expect(run.code, run.stderr).to.equal(0);
    checkGolden(golden('first-run.jsonl'), run.stdout);
  });

  it('reruns from its state: only orders at or after the bookmark, customers in full', async () => {
    const config = tempFile('config.json', JSON.stringify({ path: fixture }));
    const first = await runTapCaptured(tap, ['--config', config], { env });
    const state = first.messages.filter((m): m is StateMessage => m.type === 'STATE').at(-1)!.value;
    const rerun = await runTapCaptured(tap, ['--config', config, '--state', tempFile('state.json', JSON.stringify(state))], { env });
    expect(rerun.code, rerun.stderr).to.equal(0);
    checkGolden(golden('rerun.jsonl'), rerun.stdout);
    const ids = (stream: string) => rerun.messages.filter((m): m is RecordMessage => m.type === 'RECORD' && m.stream === stream).map((m) => m.record.id);
    expect(ids('orders')).to.deep.equal([103]);
    expect(ids('customers')).to.deep.equal([1, 2, 3]);
  });

  it('reads a directory of <stream>.jsonl raw records and honours start_date', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tap-example-dir-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'orders.jsonl'),
      [
        '{"id":1,"customer_id":1,"status":"open","updated_at":"2025-01-01T00:00:00Z"}',
        '',
        '{"id":2,"customer_id":1,"status":"paid","updated_at":"2026-01-01T00:00:00Z"}',
      ].join('\r\n'),
    );
    const config = tempFile('config.json', JSON.stringify({ path: dir, start_date: '2025-06-01T00:00:00Z' }));
    const run = await runTapCaptured(tap, ['--config', config], { env });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.messages.filter((m): m is RecordMessage => m.type === 'RECORD').map((m) => [m.stream, m.record.id])).to.deep.equal([['orders', 2]]);
  });

  it('fails on a bad fixture line naming the file and line', async () => {
    const file = tempFile('bad.jsonl', '{"stream":"customers","record":{"id":1,"name":"a"}}\n{oops\n');
    const run = await runTapCaptured(tap, ['--config', tempFile('config.json', JSON.stringify({ path: file }))], { env });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include(`${file}: line 2:`);
  });
});

tapSuite({
  name: 'tap-example',
  bin: path.join(packageDir, 'bin/tap-example.js'),
  config: () => ({ path: fixture }),
});
