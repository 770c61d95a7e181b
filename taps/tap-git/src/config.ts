import type { JsonSchema } from '@observes/protocol';

/** A repository given by hand instead of found under `repositories_dir`. */
export interface RepositorySetting extends Record<string, unknown> {
  /** The group the repository belongs to (compute-bills bills per group). */
  namespace: string;
  /** The repository's name within its group. */
  repository: string;
  /** Path of its clone or mirror. */
  path: string;
}

/** The validated config of tap-git. */
export interface GitConfig {
  /** Directory of clones or mirrors, one folder per namespace: `<dir>/<namespace>/<repository>[.git]`. */
  repositories_dir?: string;
  /** Repositories listed one by one (added to those found under `repositories_dir`). */
  repositories?: RepositorySetting[];
  /** Refs to follow, as `git for-each-ref` patterns (a prefix like `refs/heads/` or a glob). Default `["refs/heads/"]`. */
  branches: string[];
  /** Only commits committed on or after this instant (git `--since`); default: all history. */
  start_date?: string;
  /** The git executable. Default `git`. */
  git: string;
  /** What to do with a name, e-mail or subject that is not valid UTF-8: `fail` (default) or `replace` (U+FFFD, with a warning naming the commit). */
  invalid_utf8: 'fail' | 'replace';
}

/** JSON Schema of the config: the one declaration of tap-git's settings. */
export const gitConfigSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['repositories_dir'] }, { required: ['repositories'] }],
  properties: {
    repositories_dir: { type: 'string', minLength: 1, description: 'Directory of clones or mirrors, one folder per namespace: <dir>/<namespace>/<repository>[.git]' },
    repositories: {
      type: 'array',
      description: 'Repositories listed one by one: {namespace, repository, path}',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['namespace', 'repository', 'path'],
        properties: { namespace: { type: 'string', minLength: 1 }, repository: { type: 'string', minLength: 1 }, path: { type: 'string', minLength: 1 } },
      },
    },
    branches: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^refs/' }, default: ['refs/heads/'], description: 'Refs to follow (git for-each-ref patterns)' },
    start_date: { type: 'string', format: 'date-time', description: 'Only commits committed on or after this instant' },
    git: { type: 'string', minLength: 1, default: 'git', description: 'The git executable' },
    invalid_utf8: { type: 'string', enum: ['fail', 'replace'], default: 'fail', description: 'Text that is not valid UTF-8: fail, or replace with U+FFFD and warn' },
  },
} as JsonSchema;
