import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readMessages, StreamChecker } from '@observes/protocol';
import { openSchemaCache } from '@observes/catalogs/schema-cache';
import { checkGolden } from '@observes/testkit/golden-file';
import { TextSink, textSource } from '@observes/testkit/text-streams';
import { runJsonTap } from './json-tap.js';

// Golden files live next to the package's sources: testdata/inference/<case>.jsonl is the input,
// <case>.schema.json the schemas inferred per stream, <case>.out.jsonl tap-json's whole output.
// Rewrite them with OBSERVES_UPDATE_GOLDEN=1 after a deliberate change, and review the diff.
const dir = new URL('../testdata/inference/', import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl') && !f.endsWith('.out.jsonl'))
  .map((f) => f.slice(0, -'.jsonl'.length));

async function tapOutput(input: string, chunkSize?: number): Promise<{ text: string; schemas: Record<string, unknown> }> {
  const sink = new TextSink();
  const streams = await runJsonTap(textSource(input, chunkSize), sink);
  return { text: sink.text(), schemas: Object.fromEntries(streams.map((s) => [s.schema.stream, s.schema.schema])) };
}

const golden = (name: string, actual: string) => checkGolden(new URL(name, dir), actual);

describe('tap-json output (golden)', () => {
  for (const name of cases) {
    describe(name, () => {
      const input = readFileSync(new URL(`${name}.jsonl`, dir), 'utf8');

      it('infers the golden schema and writes the golden Singer output', async () => {
        const { text, schemas } = await tapOutput(input);
        golden(`${name}.schema.json`, JSON.stringify(schemas, null, 2) + '\n');
        golden(`${name}.out.jsonl`, text);
      });

      it('writes a valid Singer stream whose every record fits its schema', async () => {
        const { text } = await tapOutput(input);
        const checker = new StreamChecker();
        for await (const message of readMessages(textSource(text))) checker.check(message);
        const records = checker.summary().reduce((sum, s) => sum + s.records, 0);
        expect(records).to.equal(
          input
            .trim()
            .split('\n')
            .filter((l) => !l.includes('"type":"SCHEMA"') && !l.includes('"type":"STATE"')).length,
        );
      });

      it('gives the same output from the cached schema as from inference', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'golden-cache-'));
        try {
          const cache = openSchemaCache(dir);
          const inferred = new TextSink();
          await runJsonTap(textSource(input), inferred, { schemaCache: cache });
          const cached = new TextSink();
          await runJsonTap(textSource(input), cached, { schemaCache: cache, useCachedSchema: true });
          expect(cached.text()).to.equal(inferred.text());
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('gives the same bytes on every run, whatever the record order and chunking', async () => {
        const first = await tapOutput(input);
        const again = await tapOutput(input, 7);
        expect(again.text).to.equal(first.text);
        // Reversing only makes sense without Singer messages, whose order matters.
        if (input.includes('"type":')) return;
        const reversed = await tapOutput(input.trim().split('\n').reverse().join('\n') + '\n');
        expect(JSON.stringify(reversed.schemas)).to.equal(JSON.stringify(first.schemas));
      });
    });
  }
});
