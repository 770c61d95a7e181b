import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * What a program of ours can do beyond the Singer CLI, declared in its package.json as
 * `"observes": {"capabilities": [...]}`:
 * - `committed-state`: `--committed-state` / `--commit-record` print its last committed state, and
 *   its STATE lines carry their commit info (see `commit-record` in `@observes/protocol`).
 */
export type Capability = 'committed-state';

const cache = new Map<string, Set<string>>();

/** The script a command runs: the command itself, or its first non-option argument when the command is node. */
function scriptOf(command: string, args: string[]): string | undefined {
  if (command === process.execPath || /^node(\.exe)?$/.test(basename(command))) return args.find((a) => !a.startsWith('-'));
  return command;
}

/** The capabilities the package of the program's script declares (none for programs that are not ours). */
export function programCapabilities(command: string, args: string[]): Set<string> {
  const script = scriptOf(command, args);
  if (!script) return new Set();
  let dir: string;
  try {
    dir = dirname(realpathSync(script));
  } catch {
    return new Set();
  }
  const cached = cache.get(dir);
  if (cached) return cached;
  let found = new Set<string>();
  for (let at = dir; ; at = dirname(at)) {
    try {
      const manifest = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8')) as { observes?: { capabilities?: unknown } };
      const declared = manifest.observes?.capabilities;
      found = new Set(Array.isArray(declared) ? declared.filter((c): c is string => typeof c === 'string') : []);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') break;
    }
    if (dirname(at) === at) break;
  }
  cache.set(dir, found);
  return found;
}
