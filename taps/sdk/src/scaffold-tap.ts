import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateTapTypes } from '@observes/catalogs/generate-types';

/** Options of {@link scaffoldTap}. */
export interface ScaffoldOptions {
  /** Short name of the new tap, lower-case kebab (`acme-crm` → `taps/tap-acme-crm`). */
  name: string;
  /** Repository root: where `taps/`, `catalogs/` and `tsconfig.json` are. */
  root: string;
  /** Template package; default `<root>/taps/tap-example`. */
  template?: string;
  /** Template schema folder; default `<root>/catalogs/tap-example`. */
  templateCatalog?: string;
  /** What the tap reads, for its `description` (package.json, `--help`, `--about`); default `Singer tap for <Name>`. */
  description?: string;
}

/** What {@link scaffoldTap} created. */
export interface ScaffoldResult {
  packageDir: string;
  catalogDir: string;
  generatedTypes: string;
  /** Every file written, relative to the root. */
  files: string[];
}

/** The example tap's description (package.json and `defineTap`), which a scaffolded tap must not inherit. */
export const TEMPLATE_DESCRIPTION = 'Example tap over a JSON-lines fixture: the template for new taps';

/** Directories of the template that are build output or machine-local, never copied. */
const SKIP = new Set(['dist', 'node_modules', '.tsbuildinfo']);

/** `acme-crm` → `AcmeCrm`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** Rewrites the template's names into the new tap's (package, bin, tap name, env prefix, settings and their type, schemas). */
export function renameTemplateText(text: string, name: string): string {
  return text
    .replace(/tap-example/g, `tap-${name}`)
    .replace(/TAP_EXAMPLE_/g, `TAP_${name.replace(/-/g, '_').toUpperCase()}_`)
    .replace(/ExampleConfig/g, `${pascalCase(name)}Config`)
    .replace(/exampleSettings/g, `${pascalCase(name).replace(/^./, (c) => c.toLowerCase())}Settings`)
    .replace(/name: 'example'/g, `name: '${name}'`);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (SKIP.has(entry.name)) return [];
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/**
 * Scaffolds `taps/tap-<name>` from the example tap: package.json, tsconfig, bin shim, sources, tests, fixtures and
 * golden outputs renamed; `catalogs/tap-<name>/` with the schemas; generated record types; a root tsconfig reference.
 * The result builds and passes its tests as it is; then replace the streams with the real ones.
 */
export async function scaffoldTap(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { name, root } = options;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.startsWith('tap-')) {
    throw new Error(`tap name "${name}" must be lower-case kebab-case without the tap- prefix, e.g. "acme-crm"`);
  }
  const template = options.template ?? path.join(root, 'taps/tap-example');
  const templateCatalog = options.templateCatalog ?? path.join(root, 'catalogs/tap-example');
  const packageDir = path.join(root, 'taps', `tap-${name}`);
  const catalogDir = path.join(root, 'catalogs', `tap-${name}`);
  for (const dir of [packageDir, catalogDir]) if (existsSync(dir)) throw new Error(`${path.relative(root, dir)} already exists`);
  const files: string[] = [];
  const description =
    options.description ??
    `Singer tap for ${name
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join(' ')}`;

  for (const source of walk(template)) {
    const relative = path.relative(template, source);
    const target = path.join(packageDir, renameTemplateText(relative, name));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, renameTemplateText(readFileSync(source, 'utf8'), name).replaceAll(TEMPLATE_DESCRIPTION, description), {
      mode: statSync(source).mode,
    });
    files.push(path.relative(root, target));
  }
  cpSync(templateCatalog, catalogDir, { recursive: true });
  files.push(...walk(catalogDir).map((f) => path.relative(root, f)));

  const generatedTypes = path.join(root, 'catalogs/src/generated', `tap-${name}.ts`);
  mkdirSync(path.dirname(generatedTypes), { recursive: true });
  writeFileSync(generatedTypes, await generateTapTypes(`tap-${name}`, path.join(root, 'catalogs')));
  files.push(path.relative(root, generatedTypes));

  const rootConfig = path.join(root, 'tsconfig.json');
  if (existsSync(rootConfig)) {
    const config = JSON.parse(readFileSync(rootConfig, 'utf8')) as { references?: { path: string }[] };
    const reference = `taps/tap-${name}`;
    if (!config.references?.some((r) => r.path === reference)) {
      (config.references ??= []).push({ path: reference });
      writeFileSync(rootConfig, JSON.stringify(config, null, 2) + '\n');
      files.push('tsconfig.json');
    }
  }
  return { packageDir, catalogDir, generatedTypes, files };
}
