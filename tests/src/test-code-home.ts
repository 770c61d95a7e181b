import { join, relative } from 'node:path';
import type { SourceModule } from './import-graph.js';

/**
 * Test code outside its home: production modules (not tests, not under `testing/`) that only test code imports,
 * directly or through other such modules — fakes, fixtures and helpers sitting beside the production code. Modules
 * nothing imports (entry points, CLIs, generated types) and each package's entry (`src/index.ts`, its public API,
 * which another package's tests may be the only ones to import) are not judged. `harnesses` are the `src` folders whose
 * every module is test code by purpose (`@observes/testkit`, the benchmarks): their imports count as a test's.
 * @returns the files relative to `root`, sorted
 */
export function findTestOnlyModules(root: string, graph: ReadonlyMap<string, SourceModule>, harnesses: readonly string[] = []): string[] {
  const testLike = (module: SourceModule) => module.test || harnesses.includes(module.srcDir);
  const importers = new Map<string, SourceModule[]>();
  for (const module of graph.values()) for (const to of module.imports) importers.set(to, [...(importers.get(to) ?? []), module]);
  const testOnly = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const module of graph.values()) {
      if (testLike(module) || testOnly.has(module.file) || module.file === join(module.srcDir, 'index.ts')) continue;
      const by = (importers.get(module.file) ?? []).filter((m) => m.file !== module.file);
      if (by.length > 0 && by.every((m) => testLike(m) || testOnly.has(m.file))) {
        testOnly.add(module.file);
        changed = true;
      }
    }
  }
  return [...testOnly].map((f) => relative(root, f)).sort();
}

/** Production modules (outside `harnesses`) that import test code: a test, a `testing/` module, or a harness's module. */
export function findProductionImportsOfTestCode(root: string, graph: ReadonlyMap<string, SourceModule>, harnesses: readonly string[] = []): string[] {
  const testLike = (file: string) => {
    const module = graph.get(file);
    return module !== undefined && (module.test || harnesses.includes(module.srcDir));
  };
  return [...graph.values()]
    .filter((module) => !testLike(module.file) && module.imports.some(testLike))
    .map(
      (module) =>
        `${relative(root, module.file)} imports ${module.imports
          .filter(testLike)
          .map((f) => relative(root, f))
          .join(', ')}`,
    )
    .sort();
}
