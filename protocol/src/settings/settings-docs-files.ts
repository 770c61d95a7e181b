import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SettingSchema } from './setting-builder.js';
import { settingsTable, withSettingsTable } from './settings-docs.js';

/**
 * Where a package's settings declaration is, in its package.json:
 * `"observes": {"settings": {"module": "dist/config.js", "export": "gitlabConfigSchema", "envPrefix": "TAP_GITLAB_"}}`.
 */
export interface SettingsDeclarationRef {
  /** The compiled module, relative to the package. */
  module: string;
  /** The name it exports the declaration under. */
  export: string;
  /** Prefix of the settings' environment variables; absent for a program that reads none (the runner's pipeline file). */
  envPrefix?: string;
  /** Whether scalar settings are also command-line flags (jobs, tap-json). */
  flags?: boolean;
}

/** One package README and its settings table, as it is and as the declaration says. */
export interface SettingsDoc {
  /** The package directory. */
  dir: string;
  /** Its README. */
  readme: string;
  /** The README's text now. */
  current: string;
  /** The README's text with the generated table; `undefined` when it has no settings markers. */
  expected: string | undefined;
}

/** The package directories of the workspace at `root` (its package.json `workspaces`, `dir/*` patterns expanded). */
export function workspaceDirs(root: string): string[] {
  const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: string[] }).workspaces ?? [];
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name));
  });
}

/** Each package of the workspace that declares its settings, with its README as it is and as it should be. */
export async function settingsDocs(root: string): Promise<SettingsDoc[]> {
  const docs: SettingsDoc[] = [];
  for (const dir of workspaceDirs(root)) {
    let manifest: { observes?: { settings?: SettingsDeclarationRef } };
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const ref = manifest.observes?.settings;
    if (!ref) continue;
    const module = (await import(pathToFileURL(join(dir, ref.module)).href)) as Record<string, unknown>;
    const schema = module[ref.export] as SettingSchema | undefined;
    if (!schema) throw new Error(`${dir}/package.json: ${ref.module} exports no ${ref.export}`);
    const readme = join(dir, 'README.md');
    const current = readFileSync(readme, 'utf8');
    docs.push({ dir, readme, current, expected: withSettingsTable(current, settingsTable(schema, ref.envPrefix, { flags: ref.flags })) });
  }
  return docs;
}
