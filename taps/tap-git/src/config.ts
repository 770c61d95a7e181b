import { setting, type SettingsOf, type TypeOf } from '@observes/protocol';

const repositorySetting = setting.object({
  namespace: setting.string({ required: true, minLength: 1, description: 'the group the repository belongs to (compute-bills bills per group)' }),
  repository: setting.string({ required: true, minLength: 1, description: "the repository's name within its group" }),
  path: setting.string({ required: true, minLength: 1, description: 'path of its clone or mirror' }),
});

/** A repository given by hand instead of found under `repositories_dir`. */
export type RepositorySetting = TypeOf<typeof repositorySetting>;

/**
 * tap-git's settings, declared once (file, then `TAP_GIT_<SETTING>` environment overrides): the type
 * {@link GitConfig}, validation, `--help`, `--about` and the README's table derive from it.
 */
export const gitConfigSchema = setting.object(
  {
    repositories_dir: setting.string({
      minLength: 1,
      description:
        'Directory of clones or mirrors, one folder per namespace: <dir>/<namespace>/<repository>[.git]; nested folders are nested namespaces (<dir>/acme/platform/api.git is namespace acme/platform, repository api); hidden folders are skipped',
      examples: ['/srv/git'],
    }),
    repositories: setting.array(repositorySetting, {
      description: 'Repositories listed one by one: [{namespace, repository, path}] (added to those found under repositories_dir; one of the two is required)',
    }),
    branches: setting.array(setting.string({ pattern: '^refs/' }), {
      minItems: 1,
      default: ['refs/heads/'],
      description:
        "Refs to follow, as git for-each-ref patterns (a prefix like refs/heads/ or a glob); a plain clone's remote branches are refs/remotes/origin/",
    }),
    start_date: setting.string({ format: 'date-time', description: 'Only commits committed on or after this instant (git --since); default: all history' }),
    git: setting.string({ minLength: 1, default: 'git', description: 'The git executable' }),
    invalid_utf8: setting.enum(['fail', 'replace'] as const, {
      default: 'fail',
      description:
        'A name, e-mail or subject that is not valid UTF-8: fail (the run stops naming the repository, commit, field and bytes) or replace (stored with U+FFFD and a warning naming the commit)',
    }),
  },
  {
    anyOf: [{ required: ['repositories_dir'] }, { required: ['repositories'] }],
    errorMessage: { anyOf: '${path}: give "repositories_dir" or "repositories"' },
  },
);

/** The validated config of tap-git. */
export type GitConfig = SettingsOf<typeof gitConfigSchema>;
