import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Whether a source file (its path inside a `src` folder) is test code: a test, or anything under a `testing/` folder. */
export function isTestCode(file: string): boolean {
  return /\.test\.ts$/.test(file) || /(^|[\\/])testing[\\/]/.test(file);
}

// `import … from './x.js'`, `export … from './x.js'`, `import('./x.js')` and side-effect `import './x.js'`.
const RELATIVE = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
// The same with a workspace package: `@observes/tap-sdk`, `@observes/tap-sdk/testing`.
const PACKAGE = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](@observes\/[^/'"]+)(?:\/([^'"]+))?['"]/gm;

/** `x.js` → `x.ts`, or `x/index.ts` for a folder; undefined when neither exists. */
function sourceOf(target: string): string | undefined {
  const ts = target.replace(/\.js$/, '.ts');
  if (existsSync(ts) && statSync(ts).isFile()) return ts;
  if (existsSync(`${ts}.ts`)) return `${ts}.ts`;
  if (existsSync(join(ts, 'index.ts'))) return join(ts, 'index.ts');
  return undefined;
}

/** The relative imports of one TypeScript source, type-only ones included, resolved to the `.ts` files they name. */
export function relativeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  return [...text.matchAll(RELATIVE)].map((match) => sourceOf(resolve(dirname(file), match[1]))).filter((f) => f !== undefined);
}

/** Every `.ts` source (not `.d.ts`) under `dir`. */
export function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The `src` folders of the npm workspaces of the repository at `root` (its package.json's `workspaces`, `*` expanded). */
export function workspaceSourceDirs(root: string): string[] {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: string[] };
  const dirs = workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return readdirSync(parent).map((name) => join(parent, name));
  });
  return dirs
    .map((dir) => join(dir, 'src'))
    .filter((dir) => existsSync(dir) && statSync(dir).isDirectory())
    .sort();
}

/** One source of the workspace and what it imports. */
export interface SourceModule {
  /** Absolute path. */
  file: string;
  /** The `src` folder of its package. */
  srcDir: string;
  /** Whether it is test code ({@link isTestCode}). */
  test: boolean;
  /** The workspace sources it imports, relatively or through a workspace package name (`@observes/x`, `@observes/x/sub`). */
  imports: string[];
}

/**
 * The import graph of the workspace at `root`: every source of every package's `src`, with its imports, type-only
 * ones included. A package import resolves the way the packages' `exports` do here: `@observes/x` is its
 * `src/index.ts`, `@observes/x/a/b` its `src/a/b.ts` (or `src/a/b/index.ts`).
 */
export function workspaceGraph(root: string, srcDirs = workspaceSourceDirs(root)): Map<string, SourceModule> {
  const byName = new Map<string, string>();
  for (const dir of srcDirs) byName.set((JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { name: string }).name, dir);
  const graph = new Map<string, SourceModule>();
  for (const srcDir of srcDirs) {
    for (const file of sourceFiles(srcDir)) {
      const text = readFileSync(file, 'utf8');
      const viaPackage = [...text.matchAll(PACKAGE)].flatMap((match) => {
        const dir = byName.get(match[1]);
        const target = dir && sourceOf(join(dir, match[2] ?? 'index.ts'));
        return target ? [target] : [];
      });
      graph.set(file, { file, srcDir, test: isTestCode(relative(srcDir, file)), imports: [...relativeImports(file, text), ...viaPackage] });
    }
  }
  return graph;
}
