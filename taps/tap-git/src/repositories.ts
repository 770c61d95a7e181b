import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** A repository the tap reads: its group, its name and where its clone or mirror is. */
export interface RepositoryLocation extends Record<string, unknown> {
  namespace: string;
  repository: string;
  path: string;
}

/** Whether `dir` is a git repository: a work tree (`.git` inside) or a bare repository (a mirror). */
export function isRepository(dir: string): boolean {
  if (existsSync(join(dir, '.git'))) return true;
  return existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects')) && existsSync(join(dir, 'refs'));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The repositories under `root`, one folder per namespace: `<root>/<namespace>/<repository>` (a
 * nested namespace is a nested folder, `<root>/acme/platform/api.git` is `acme/platform` + `api`).
 * A `.git` suffix is dropped from the name. Sorted by namespace, then name.
 * @throws when a repository lies directly in `root` (it would have no namespace), when two folders
 * give the same namespace and name (`web` and `web.git`), or when `root` is not a directory
 */
export function findRepositories(root: string): RepositoryLocation[] {
  const base = resolve(root);
  if (!isDirectory(base)) throw new Error(`repositories_dir ${root} is not a directory`);
  const found: RepositoryLocation[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith('.') || !(entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path)))) continue;
      if (!isRepository(path)) {
        walk(path);
        continue;
      }
      const namespace = relative(base, dir).split(sep).join('/');
      if (namespace === '') throw new Error(`repository ${path} lies directly in repositories_dir: put it in a folder named after its group`);
      found.push({ namespace, repository: entry.name.replace(/\.git$/, ''), path });
    }
  };
  walk(base);
  return checkUnique(found);
}

/** Refuses two locations of one namespace/repository (the bookmarks would mix). */
export function checkUnique(repositories: RepositoryLocation[]): RepositoryLocation[] {
  const seen = new Map<string, string>();
  for (const r of repositories) {
    const key = `${r.namespace}/${r.repository}`;
    const other = seen.get(key);
    if (other !== undefined) throw new Error(`${key} is both ${other} and ${r.path}`);
    seen.set(key, r.path);
  }
  return [...repositories].sort((a, b) => (a.namespace === b.namespace ? (a.repository < b.repository ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
}
