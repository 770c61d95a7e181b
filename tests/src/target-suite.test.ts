import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReferenceRows } from './reference-target-store.js';
import { targetSuite } from './target-suite.js';

// The suite run against a reference target that is right by construction, so a broken expectation or
// check in the suite shows here rather than in a real target's tests.
targetSuite({
  name: 'reference JSON-file target',
  bin: fileURLToPath(new URL('./reference-target.js', import.meta.url)),
  capabilities: { mergesByKey: true, flattens: false },
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'observes-reference-target-'));
    return {
      config: { dir },
      rows: async (table) => readReferenceRows(dir, table),
      tables: async () =>
        readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -'.json'.length).toLowerCase()),
      teardown: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
