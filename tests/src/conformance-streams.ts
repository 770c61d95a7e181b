import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Absolute path of `tests/conformance/meltano`: the Meltano SDK's target test streams (see its README). */
export const MELTANO_STREAMS_DIR = fileURLToPath(new URL('../conformance/meltano/', import.meta.url));

/** Names of the Meltano target test streams (file names without `.singer`), sorted. */
export function meltanoStreamNames(dir = MELTANO_STREAMS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.singer'))
    .map((f) => f.slice(0, -'.singer'.length))
    .sort();
}

/** The text of one Meltano target test stream. */
export function meltanoStream(name: string, dir = MELTANO_STREAMS_DIR): string {
  return readFileSync(join(dir, `${name}.singer`), 'utf8');
}
