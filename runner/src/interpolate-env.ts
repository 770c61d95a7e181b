/** A `${NAME}` reference that could not be resolved, with where it was found. */
export interface MissingVariable {
  /** Dotted path of the value holding the reference, e.g. `tap.config.token`. */
  path: string;
  /** The variable name. */
  name: string;
}

/** Result of {@link interpolateEnv}. */
export interface Interpolation<T> {
  /** The value with every resolvable reference replaced. */
  value: T;
  /** References with no variable set and no default. */
  missing: MissingVariable[];
  /** Values substituted from variables whose names look secret (TOKEN, SECRET, PASSWORD, KEY…), to register for redaction. */
  secrets: string[];
}

// A default may itself be one `${NAME}` reference (`${BACKUP_MONTH:-${OBSERVES_PREVIOUS_MONTH}}`).
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|[^}])*))?\}/g;
const SECRET_NAME = /TOKEN|SECRET|PASS|KEY|CREDENTIAL|AUTH/i;

/**
 * Replaces `${NAME}`, `${NAME:-default}` and `${NAME:-${OTHER}}` in every string of a JSON-like value with environment
 * variables, so secrets stay out of committed pipeline files; `$${` writes a literal `${`.
 * Pure: the environment is a parameter.
 * @param path - dotted path of `value`, used to name missing variables
 */
export function interpolateEnv<T>(value: T, env: Record<string, string | undefined>, path = ''): Interpolation<T> {
  const missing: MissingVariable[] = [];
  const secrets: string[] = [];
  const substitute = (text: string, at: string): string =>
    text.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
      if (name === undefined) return '${';
      const found = env[name];
      if (found !== undefined && found !== '') {
        if (SECRET_NAME.test(name)) secrets.push(found);
        return found;
      }
      if (fallback !== undefined) return substitute(fallback, at);
      missing.push({ path: at, name });
      return whole;
    });
  const walk = (v: unknown, at: string): unknown => {
    if (typeof v === 'string') return substitute(v, at);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}[${i}]`));
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, at ? `${at}.${k}` : k)]));
    }
    return v;
  };
  return { value: walk(value, path) as T, missing, secrets };
}
