import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { logMessages } from '@observes/testkit/log-lines';
import { runNode } from '@observes/testkit/run-process';

const bin = fileURLToPath(new URL('../bin/tap-json.js', import.meta.url));
const lines = (...objects: unknown[]) => objects.map((o) => JSON.stringify(o)).join('\n') + '\n';

describe('tap-json CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-json-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names the line of bad input, exits 1 and writes nothing', async () => {
    const result = await runNode([bin], { input: '{"id":1}\n\n{"id":2,\n' });
    expect(result.code).to.equal(1);
    expect(logMessages(result.stderr)).to.match(/^line 3: malformed JSON/);
    expect(result.stdout).to.equal('');
  });

  it('names the line and stream of a record without its key property', async () => {
    const result = await runNode([bin, '--stream', 'users', '--key-properties', 'id,org'], { input: lines({ id: 1, org: 2 }, { id: 2 }) });
    expect(result.code).to.equal(1);
    expect(logMessages(result.stderr)).to.include('line 2: stream "users": record is missing key property "org"');
    expect(result.stdout).to.equal('');
  });

  it('saves the inferred schema to the cache, then loads records against it without inference', async () => {
    const cache = `file://${join(dir, 'cache')}`;
    const infer = await runNode([bin, '--stream', 'users', '--key-properties', 'id', '--schema-cache', cache, '--only-schema'], {
      input: lines({ id: 1, name: 'a', at: '2024-01-01T00:00:00Z' }, { id: 2, name: null }),
    });
    expect(infer.code, infer.stderr).to.equal(0);
    const schemaLine = infer.stdout.trim();
    expect(schemaLine.split('\n')).to.have.length(1);
    expect(JSON.parse(schemaLine)).to.include({ type: 'SCHEMA', stream: 'users' });

    const ok = await runNode([bin, '--stream', 'users', '--schema-cache', cache, '--use-cached-schema'], { input: lines({ id: 3, name: 'c' }) });
    expect(ok.code, ok.stderr).to.equal(0);
    const [schema, record] = ok.stdout.trim().split('\n');
    expect(schema).to.equal(schemaLine);
    expect(JSON.parse(record)).to.deep.equal({ type: 'RECORD', stream: 'users', record: { id: 3, name: 'c' } });

    const bad = await runNode([bin, '--stream', 'users', '--schema-cache', cache, '--use-cached-schema'], {
      input: lines({ id: 4, name: 'd' }, { id: 5, at: 'yesterday' }),
    });
    expect(bad.code).to.equal(1);
    expect(logMessages(bad.stderr)).to.include('line 2: stream "users": record breaks its schema at /at: must match format "date-time"');
    expect(bad.stdout).to.equal('');

    const missing = await runNode([bin, '--stream', 'nobody', '--schema-cache', cache, '--use-cached-schema'], { input: lines({ id: 1 }) });
    expect(missing.code).to.equal(1);
    expect(logMessages(missing.stderr)).to.match(/line 1: stream "nobody": no cached schema for this stream at file:\/\/.*\/cache\/nobody\.json/);
  });

  it('refuses --use-cached-schema without a cache (exit 2, a config error)', async () => {
    const result = await runNode([bin, '--use-cached-schema']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('use_cached_schema (--use-cached-schema) needs schema_cache (--schema-cache)');
  });

  it('lists every bad setting of the config, flags included (exit 2)', async () => {
    const config = join(dir, 'bad.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, JSON.stringify({ stream: 5, key_properties: 'id', colour: 'blue' }));
    const result = await runNode([bin, '--config', config]);
    expect(result.code).to.equal(2);
    for (const problem of ['/stream: must be string', '/key_properties: must be array', 'unknown setting "colour"'])
      expect(logMessages(result.stderr)).to.include(problem);
  });
});
