import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tapSuite } from '@observes/testkit';

let dir: string;

tapSuite({
  name: 'tap-json',
  bin: fileURLToPath(new URL('../bin/tap-json.js', import.meta.url)),
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'tap-json-suite-'));
    const lines = [
      // biome-ignore lint/correctness/noPrecisionLoss: the record is a double on purpose, as a JSON producer would write it
      { stream: 'users', record: { id: 1, name: 'ada', joined: '2024-01-01T00:00:00Z', balance: 12345678901234567890.5 } },
      { stream: 'users', record: { id: 2, name: null, tags: ['x'] } },
      { stream: 'events', record: { id: 'e1', payload: { kind: 'login', ok: true } } },
    ];
    writeFileSync(join(dir, 'input.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
  config: () => ({ input: join(dir, 'input.jsonl'), key_properties: ['id'], schema_cache: `file://${join(dir, 'cache')}` }),
});
