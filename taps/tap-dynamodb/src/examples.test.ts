import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import { chooseSegments, loadTapConfig } from './load-config.js';

// The pipeline examples that run tap-dynamodb: this package's own and the runner's.
const examples = ['../examples/dynamodb-pipeline.yaml', '../../../runner/examples/dynamodb.yaml'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

describe('pipeline examples running tap-dynamodb', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-dynamodb-examples-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const example of examples) {
    it(`${example.split('/').slice(-3).join('/')}: its tap config is one tap-dynamodb accepts, scanned in as many segments as copies`, () => {
      const pipeline = parse(readFileSync(example, 'utf8')) as { tap: { config: unknown }; steps: { name: string; array_size?: number }[] };
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify(pipeline.tap.config));
      const config = loadTapConfig(file, {});
      const copies = pipeline.steps.find((s) => s.name === 'scan')!.array_size;
      // Outside the array copies (the check step) nothing but the config gives the number of segments.
      expect(chooseSegments(config, {}, {})).to.deep.equal({ segment: undefined, totalSegments: copies });
      expect(chooseSegments(config, {}, { OBSERVES_ARRAY_INDEX: '2', OBSERVES_ARRAY_SIZE: String(copies) }).segment).to.equal(2);
    });
  }
});
