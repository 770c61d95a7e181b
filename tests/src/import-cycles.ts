import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Whether a source file (its path inside a `src` folder) is test code (a test, or anything under a `testing/` folder), which the cycle check skips. */
export function isTestCode(file: string): boolean {
  return /\.test\.ts$/.test(file) || /(^|[\\/])testing[\\/]/.test(file);
}

// `import … from './x.js'`, `export … from './x.js'`, `import('./x.js')` and side-effect `import './x.js'`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The relative imports of one TypeScript source, type-only ones included, resolved to the `.ts` files they name. */
export function relativeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const target = resolve(dirname(file), match[1]).replace(/\.js$/, '.ts');
    if (existsSync(target)) found.push(target);
    else if (existsSync(join(target, 'index.ts'))) found.push(join(target, 'index.ts'));
  }
  return found;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The import cycles among the production sources (tests and `testing/` folders left out) under each of `srcDirs`,
 * each cycle as its files relative to `root`, in import order. Type-only imports count: a cycle of types is still
 * two modules that cannot be understood (or moved) one without the other. Packages import each other by name, and
 * TypeScript's project references already refuse a cycle between packages, so only relative imports are followed.
 */
export function findImportCycles(root: string, srcDirs: readonly string[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const dir of srcDirs) {
    const production = (file: string) => !isTestCode(relative(dir, file));
    for (const file of sourceFiles(dir).filter(production)) graph.set(file, relativeImports(file).filter(production));
  }
  // Tarjan's strongly connected components: every component of more than one file (or a file importing itself) holds a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const to of graph.get(file) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(file, Math.min(low.get(file)!, index.get(to)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.reverse().map((f) => relative(root, f)));
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return cycles;
}

/** The `src` folders of the npm workspaces of the repository at `root` (its package.json's `workspaces`, `*` expanded). */
export function workspaceSourceDirs(root: string): string[] {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: string[] };
  const dirs = workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return readdirSync(parent).map((name) => join(parent, name));
  });
  return dirs.map((dir) => join(dir, 'src')).filter((dir) => existsSync(dir) && statSync(dir).isDirectory()).sort();
}
