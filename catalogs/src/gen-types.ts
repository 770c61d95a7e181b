/**
 * `npm run gen:types`: regenerates `catalogs/src/generated/<tap>.ts` from the JSON Schemas in `catalogs/<tap>/`.
 * Commit the result; a test fails when it is stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { catalogsDir } from './load-schema.js';
import { generateAllTypes } from './generate-types.js';

try {
  const files = await generateAllTypes();
  for (const [file, content] of files) {
    const target = path.join(catalogsDir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    process.stderr.write(`wrote ${path.relative(process.cwd(), target)}\n`);
  }
} catch (error) {
  process.stderr.write(`gen:types: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
