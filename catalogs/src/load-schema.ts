import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { JsonSchema } from '@observes/protocol';

/** The `catalogs/` package directory, where each tap keeps `catalogs/<tap>/<stream>.json`. */
export const catalogsDir: string = fileURLToPath(new URL('..', import.meta.url));

/** The schema folder of a tap; `tap` may be the folder name (`tap-gitlab`) or the short name (`gitlab`). */
export function schemaDir(tap: string, root: string = catalogsDir): string {
  const exact = path.join(root, tap);
  if (existsSync(exact) || tap.startsWith('tap-')) return exact;
  return path.join(root, `tap-${tap}`);
}

/** Reads `catalogs/<tap>/<stream>.json`. Synchronous so that taps can declare their streams at module load. */
export function loadSchema(tap: string, stream: string, root: string = catalogsDir): JsonSchema {
  const file = path.join(schemaDir(tap, root), `${stream}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
  } catch (error) {
    throw new Error(`cannot load schema of stream "${stream}" of ${tap} from ${file}: ${(error as Error).message}`);
  }
}

/** Every schema of a tap, keyed by stream name, in file-name order. */
export function loadSchemas(tap: string, root: string = catalogsDir): Record<string, JsonSchema> {
  const dir = schemaDir(tap, root);
  const out: Record<string, JsonSchema> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const stream = file.slice(0, -'.json'.length);
    out[stream] = loadSchema(tap, stream, root);
  }
  return out;
}

/** The tap folders under `root` (every directory holding `.json` schemas). */
export function listTapFolders(root: string = catalogsDir): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !['src', 'dist', 'node_modules'].includes(d.name))
    .filter((d) => readdirSync(path.join(root, d.name)).some((f) => f.endsWith('.json')))
    .map((d) => d.name)
    .sort();
}
