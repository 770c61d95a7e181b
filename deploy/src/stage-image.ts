import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';

/**
 * The container image's application tree (`npm run image:stage`, and the Dockerfile's build stage,
 * which runs this same code so that the image and its test hold the same files): every workspace
 * with a program (`bin`) and the workspaces they import, each with its `package.json`, `bin/`,
 * compiled `dist/` (no tests, no test helpers, no type declarations) and runtime files (catalogs,
 * the pipeline files under `runner/examples`), and `node_modules` holding the production closure
 * npm computes for those workspaces (`npm ls --omit=dev`), copied from the build's install with
 * the lockfile's layout and `.bin` links. Dev dependencies (test kits, compilers, s3rver...) are left
 * out, so a runtime import of one fails in the staged tree's test as it would in the image.
 */

const run = promisify(execFile);

/** Options of {@link stageImage}. */
export interface StageImageOptions {
  /** Repository root (a built workspace: `npm ci` done). */
  root: string;
  /** Folder to write; emptied first. */
  out: string;
}

/** What was staged. */
export interface StagedImage {
  /** Workspace locations staged (relative to the root), programs and the libraries they import. */
  workspaces: string[];
  /** The programs: bin name → path inside the tree. */
  bins: Record<string, string>;
  /** Packages under node_modules (paths relative to the root), workspace links excluded. */
  packages: string[];
}

interface Workspace {
  name: string;
  location: string;
  bin?: Record<string, string> | string;
}

/** Names in a workspace folder that are build inputs or tests, never runtime files. */
const NOT_RUNTIME = new Set(['src', 'node_modules', 'test-fixtures', 'testdata', 'fixtures', 'testing', 'coverage']);
const notRuntimeFile = (name: string) =>
  /^tsconfig.*\.json$/.test(name) || name.endsWith('.tsbuildinfo') || /\.test\.(js|js\.map|d\.ts|d\.ts\.map)$/.test(name) || /\.d\.ts(\.map)?$/.test(name);

/** Copies a workspace folder's runtime files (recursively, skipping build inputs and tests). */
async function copyRuntime(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (NOT_RUNTIME.has(entry.name) || entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) await copyRuntime(join(from, entry.name), join(to, entry.name));
    else if (!notRuntimeFile(entry.name)) await cp(join(from, entry.name), join(to, entry.name), { verbatimSymlinks: true });
  }
}

/** Copies an installed package without its nested node_modules (those are staged on their own). */
async function copyPackage(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => src === from || !relative(from, src).split(sep).includes('node_modules') });
}

/** The `.bin` links of every `node_modules/.bin` under `root` whose program is staged. */
async function copyBinLinks(root: string, out: string, staged: Set<string>): Promise<void> {
  const binDirs = [join(root, 'node_modules', '.bin'), ...[...staged].map((p) => join(root, p, 'node_modules', '.bin'))];
  for (const dir of binDirs) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const name of entries) {
      const link = join(dir, name);
      if (!(await lstat(link)).isSymbolicLink()) continue;
      const target = await readlink(link);
      const real = relative(root, resolve(dir, target));
      if (![...staged].some((p) => real === p || real.startsWith(`${p}${sep}`))) continue;
      const at = join(out, relative(root, link));
      await mkdir(dirname(at), { recursive: true });
      await symlink(target, at);
    }
  }
}

/** Assembles the image's application tree into `out`. */
export async function stageImage({ root, out }: StageImageOptions): Promise<StagedImage> {
  root = await realpath(root);
  const npm = async (args: string[]) => (await run('npm', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 })).stdout;
  const workspaces = JSON.parse(await npm(['query', '.workspace'])) as Workspace[];
  const programs = workspaces.filter((w) => w.bin && Object.keys(w.bin).length > 0);
  // The production closure of the programs, as npm computes it from the lockfile and the tree.
  const listed = (await npm(['ls', '--omit=dev', '--all', '--parseable', ...programs.flatMap((w) => ['-w', w.location])])).split('\n').filter(Boolean);
  const byPath = new Map(workspaces.map((w) => [w.location, w]));
  const staged = new Set<string>();
  const packages: string[] = [];
  const links: { at: string; target: string }[] = [];
  for (const path of listed) {
    const rel = relative(root, path);
    // The root's node_modules and a workspace's own (a version the root could not hoist).
    if (rel === '' || !rel.split(sep).includes('node_modules')) continue;
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      const workspace = relative(root, await realpath(path));
      if (!byPath.has(workspace)) throw new Error(`${rel} links outside the workspaces (${workspace})`);
      staged.add(workspace);
      links.push({ at: rel, target: await readlink(path) });
    } else {
      packages.push(rel);
    }
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) await cp(join(root, file), join(out, file));
  for (const w of staged) await copyRuntime(join(root, w), join(out, w));
  for (const p of packages) await copyPackage(join(root, p), join(out, p));
  for (const { at, target } of links) {
    await mkdir(dirname(join(out, at)), { recursive: true });
    await symlink(target, join(out, at));
  }
  await copyBinLinks(root, out, new Set([...packages, ...links.map((l) => l.at)]));
  const bins: Record<string, string> = {};
  for (const w of programs) {
    const bin = typeof w.bin === 'string' ? { [basename(w.name)]: w.bin } : w.bin!;
    for (const [name, file] of Object.entries(bin)) bins[name] = join(w.location, file);
  }
  const staging = { workspaces: [...staged].sort(), bins, packages: packages.sort() };
  await writeFile(join(out, 'image-contents.json'), `${JSON.stringify(staging, null, 2)}\n`);
  return staging;
}
