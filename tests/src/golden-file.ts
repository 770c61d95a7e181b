import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Thrown when output differs from its golden file; names the first differing line. */
export class GoldenMismatchError extends Error {
  override name = 'GoldenMismatchError';
}

/** The environment variable that makes {@link checkGolden} rewrite golden files instead of comparing: `OBSERVES_UPDATE_GOLDEN=1`. */
export const UPDATE_GOLDEN_ENV = 'OBSERVES_UPDATE_GOLDEN';

/**
 * The one golden-file check of the repository: compares `actual` with the golden file as exact text (e.g. a tap's
 * JSON-lines output with the clock frozen by `OBSERVES_FROZEN_TIME`, a plan, generated SQL). With
 * `OBSERVES_UPDATE_GOLDEN=1` it (re)writes the file instead: review the diff, then commit.
 * @param file - path or `file:` URL of the golden file
 * @throws GoldenMismatchError naming the first line that differs, or that the file is missing
 */
export function checkGolden(file: string | URL, actual: string, env: NodeJS.ProcessEnv = process.env): void {
  if (file instanceof URL) file = fileURLToPath(file);
  if (env[UPDATE_GOLDEN_ENV] === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new GoldenMismatchError(`golden file ${file} does not exist; create it with OBSERVES_UPDATE_GOLDEN=1`);
  const expected = readFileSync(file, 'utf8');
  if (expected === actual) return;
  const want = expected.split('\n');
  const got = actual.split('\n');
  const line = want.findIndex((text, i) => text !== got[i]);
  const at = line === -1 ? want.length : line;
  throw new GoldenMismatchError(
    `output differs from ${file} at line ${at + 1}:\n  expected: ${want[at] ?? '<end of file>'}\n  actual:   ${got[at] ?? '<end of output>'}\n` +
      '(if the change is intended, rerun with OBSERVES_UPDATE_GOLDEN=1 and review the diff)',
  );
}
