import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findImportCycles } from './import-cycles.js';
import { workspaceGraph, workspaceSourceDirs } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('import cycles', () => {
  it('the production code of every workspace package has none (type-only imports included)', () => {
    const dirs = workspaceSourceDirs(ROOT);
    expect(dirs.map((d) => d.slice(ROOT.length))).to.include.members(['taps/sdk/src', 'runner/src', 'protocol/src', 'targets/core/src']);
    expect(findImportCycles(ROOT, workspaceGraph(ROOT, dirs))).to.deep.equal([]);
  });

  describe('the check', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'import-cycles-'));
      await mkdir(join(dir, 'src'), { recursive: true });
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@observes/toy' }));
      await mkdir(join(dir, 'src', 'testing'), { recursive: true });
      await writeFile(join(dir, 'src', 'a.ts'), "import type { B } from './b.js';\nexport type A = B;\n");
      await writeFile(join(dir, 'src', 'b.ts'), "export { c } from './c.js';\nexport type B = number;\n");
      await writeFile(join(dir, 'src', 'c.ts'), "import './a.js';\nexport const c = 1;\n");
      await writeFile(join(dir, 'src', 'd.ts'), "import { helper } from './testing/helper.js';\nexport const d = helper;\n");
      await writeFile(join(dir, 'src', 'testing', 'helper.ts'), "import { d } from '../d.js';\nexport const helper = () => d;\n");
      await writeFile(join(dir, 'src', 'e.test.ts'), "import { e } from './e.test.js';\nexport const e = 1;\n");
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('finds a cycle through type-only, re-export and side-effect imports, and skips test code', () => {
      expect(findImportCycles(dir, workspaceGraph(dir, [join(dir, 'src')]))).to.deep.equal([['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    });
  });
});
