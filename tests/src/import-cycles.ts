import { relative } from 'node:path';
import type { SourceModule } from './import-graph.js';

/**
 * The import cycles among the production modules of `graph` (tests and `testing/` folders left out), each cycle as
 * its files relative to `root`, in import order. Type-only imports count: a cycle of types is still two modules that
 * cannot be understood (or moved) one without the other. Only imports within a package are followed: TypeScript's
 * project references already refuse a cycle between packages.
 */
export function findImportCycles(root: string, graph: ReadonlyMap<string, SourceModule>): string[][] {
  const edges = new Map<string, string[]>();
  for (const module of graph.values()) {
    if (module.test) continue;
    edges.set(
      module.file,
      module.imports.filter((to) => graph.get(to)?.srcDir === module.srcDir && !graph.get(to)!.test),
    );
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
    for (const to of edges.get(file) ?? []) {
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
    if (component.length > 1 || (edges.get(file) ?? []).includes(file)) cycles.push(component.reverse().map((f) => relative(root, f)));
  };
  for (const file of [...edges.keys()].sort()) if (!index.has(file)) visit(file);
  return cycles;
}
