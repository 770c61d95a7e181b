import type { ErrorObject } from 'ajv';

/**
 * The one way every program words a settings problem, from ajv's errors (compiled with `verbose: true`, so each
 * error has its schema):
 * - `<where>: missing required setting "<name>"`, `<where>: unknown setting "<name>"`, `<where>: <ajv's message>`,
 *   where `<where>` is the JSON pointer of the value (`/` for the top level);
 * - a schema's `errorMessage` (a string, or one per keyword) replaces that text, with `${path}` and `${property}`
 *   filled in: programs whose users know other wordings keep them as data;
 * - a failed `anyOf` is reported once: by its `errorMessage.anyOf` when it has one (its branches' errors are then
 *   left out), else by its branches' errors.
 */
export function configProblems(errors: readonly ErrorObject[]): string[] {
  const problems: string[] = [];
  // anyOf schemas that speak for themselves: their branches' errors are left out.
  const ownAnyOf = errors.filter((e) => e.keyword === 'anyOf' && customMessage(e) !== undefined).map((e) => e.schemaPath);
  for (const error of errors) {
    if (error.keyword === 'anyOf' && customMessage(error) === undefined) continue;
    if (ownAnyOf.some((path) => error.schemaPath !== path && error.schemaPath.startsWith(path + '/'))) continue;
    const problem = describeProblem(error);
    if (!problems.includes(problem)) problems.push(problem);
  }
  return problems;
}

function propertyOf(error: ErrorObject): string | undefined {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  return params.missingProperty ?? params.additionalProperty;
}

function customMessage(error: ErrorObject): string | undefined {
  const message = (error.parentSchema as { errorMessage?: unknown } | undefined)?.errorMessage;
  if (typeof message === 'string') return message;
  if (message && typeof message === 'object') {
    const own = (message as Record<string, unknown>)[error.keyword];
    if (typeof own === 'string') return own;
  }
  return undefined;
}

/** The text of one ajv error, see {@link configProblems}. */
export function describeProblem(error: ErrorObject): string {
  const where = error.instancePath || '/';
  const property = propertyOf(error);
  const custom = customMessage(error);
  if (custom !== undefined) return custom.replaceAll('${path}', where).replaceAll('${property}', property ?? '');
  if (error.keyword === 'required') return `${where}: missing required setting "${property}"`;
  if (error.keyword === 'additionalProperties') return `${where}: unknown setting "${property}"`;
  return `${where}: ${error.message ?? error.keyword}`;
}
