import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspaceGraph, workspaceSourceDirs } from './import-graph.js';
import { findProductionImportsOfTestCode, findTestOnlyModules } from './test-code-home.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Packages that are test code by purpose: the testkit and the benchmarks (which drive the real services it starts). */
const HARNESSES = ['tests/src', 'bench/src'].map((dir) => join(ROOT, dir));
describe('test code has one home', () => {
  const graph = workspaceGraph(ROOT, workspaceSourceDirs(ROOT));

  it('no production module is imported by tests only: fakes, fixtures and helpers live under src/testing/ or in the testkit', () => {
    expect(findTestOnlyModules(ROOT, graph, HARNESSES)).to.deep.equal([]);
  });

  it('no production module imports test code', () => {
    expect(findProductionImportsOfTestCode(ROOT, graph, HARNESSES)).to.deep.equal([]);
  });

  describe('the checks', () => {
    let dir: string;
    const file = async (path: string, text: string) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    };
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'test-home-'));
      await file('a/package.json', JSON.stringify({ name: '@observes/a' }));
      await file('b/package.json', JSON.stringify({ name: '@observes/b' }));
      await file('a/src/index.ts', "export { run } from './run.js';\n");
      await file('a/src/run.ts', 'export const run = 1;\n');
      await file('a/src/fake-api.ts', "import { helper } from './fake-data.js';\nexport const fake = helper;\n");
      await file('a/src/fake-data.ts', 'export const helper = 2;\n');
      await file('a/src/testing/ok-fake.ts', "import { run } from '../run.js';\nexport const ok = run;\n");
      await file('a/src/a.test.ts', "import { fake } from './fake-api.js';\nimport { ok } from './testing/ok-fake.js';\nexport const t = [fake, ok];\n");
      await file('b/src/uses-fake.ts', "import { ok } from '@observes/a/testing/ok-fake';\nexport const b = ok;\n");
      await file('b/src/b.test.ts', "import { run } from '@observes/a';\nexport const t = run;\n");
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('find a fake beside production code (and what only it imports), and production code importing test code across packages', () => {
      const toy = workspaceGraph(dir, [join(dir, 'a/src'), join(dir, 'b/src')]);
      expect(findTestOnlyModules(dir, toy)).to.deep.equal(['a/src/fake-api.ts', 'a/src/fake-data.ts']);
      expect(findProductionImportsOfTestCode(dir, toy)).to.deep.equal(['b/src/uses-fake.ts imports a/src/testing/ok-fake.ts']);
    });
  });
});
