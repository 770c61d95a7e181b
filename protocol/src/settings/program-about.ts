import type { SettingSchema } from './setting-builder.js';
import { settingRows, type SettingRow } from './settings-docs.js';

/** What every program's `--about` prints (Singer-style: name, version, description, capabilities, settings). */
export interface AboutDocument {
  name: string;
  version: string;
  description: string;
  /** What the program can do, e.g. `['catalog', 'discover', 'state', 'about']` for a tap. */
  capabilities: string[];
  /** Each setting with its environment variable, type, default, and whether it is required or secret. */
  settings: SettingRow[];
  /** The settings' JSON Schema, as declared. */
  settings_schema: SettingSchema;
  [extra: string]: unknown;
}

/** Options of {@link aboutDocument}. */
export interface AboutOptions {
  name: string;
  version: string;
  description: string;
  capabilities: string[];
  settings: SettingSchema;
  envPrefix: string;
  /** More fields (a tap's streams and commands). */
  extra?: Record<string, unknown>;
}

/** The `--about` document of a program, derived from its settings declaration. */
export function aboutDocument(options: AboutOptions): AboutDocument {
  return {
    name: options.name,
    version: options.version,
    description: options.description,
    capabilities: options.capabilities,
    settings: settingRows(options.settings, options.envPrefix),
    settings_schema: options.settings,
    ...options.extra,
  };
}
