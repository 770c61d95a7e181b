/**
 * Keeping secrets out of every output: logs, errors, forwarded child output, reports, dry runs.
 *
 * Two kinds of masking, because a secret can be a word the program itself uses (a PostgreSQL password
 * `postgres` next to the hint `"dialect" must be "redshift" or "postgres"`):
 * - **where a value is a credential**, whatever it is: the userinfo of a URL (`postgres://etl:***@host`), the
 *   value of a field or query parameter named like a secret (`"password":"***"`, `?private_token=***`,
 *   `PGPASSWORD=***`), an `Authorization`-like header (`Bearer ***`);
 * - **anywhere**, registered secret values that are distinctive enough never to be a program's own words
 *   (see {@link isDistinctiveSecret}), as whole values (not inside a longer word), also JSON-escaped and
 *   URL-encoded.
 */

const SECRET_WORDS = /pass(word|wd|phrase)|secret|token|credential|authori[sz]ation|cookie|api_?key|private_?key|access_?key|signing_?key|session_?(id|key)/;
const SECRET_PARTS = new Set(['pass', 'pwd', 'auth', 'sig', 'signature']);

/**
 * Whether a setting, field, parameter or variable name holds a secret: `password`, `PGPASSWORD`, `db_pass`,
 * `token`, `private_token`, `refresh_token`, `api_key`/`apiKey`/`X-Api-Key`, `client_secret`,
 * `aws_secret_access_key`, `credentials`, `authorization`, `cookie`, `auth_header`. Names are compared
 * word by word (snake, kebab or camel case), so `author`, `key_properties` or `sort_key` are not secret.
 * A setting a program declares secret must be named so (the runner masks by name).
 */
export function isSecretName(name: string): boolean {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  if (SECRET_WORDS.test(snake)) return true;
  return snake.split('_').some((part) => SECRET_PARTS.has(part));
}

/** Query parameters that are credentials by convention although their names say little (`?key=`, `?sig=`, OAuth `?code=`). */
const SECRET_QUERY_NAMES = /^(key|sig|code)$/i;

/**
 * Whether a secret value can be masked wherever it appears without hiding a program's own words: at least 8
 * characters mixing letters, digits or symbols, or at least 16 characters of any kind. `postgres`, `admin`
 * or `changeme` are not: such values are masked only where they stand as credentials.
 */
export function isDistinctiveSecret(value: string): boolean {
  if (value.length >= 16) return true;
  if (value.length < 8) return false;
  const classes = [/[A-Za-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2;
}

/** Distinctive registered secrets, their partly masked forms and their encodings, longest first (a secret containing another is masked whole). */
let distinctive: string[] = [];

/**
 * Registers a secret value (a password, a token) so that it never appears in logs, errors or
 * {@link redact}ed text. A URL is not registered whole: its password (or a lone user name, as in
 * `https://<token>@host`) is. Values that are not {@link isDistinctiveSecret} are masked only where they
 * stand as credentials.
 */
export function registerSecret(value: unknown): void {
  if (typeof value !== 'string' || value === '') return;
  const credential = urlCredential(value);
  if (credential !== undefined) {
    registerSecret(credential);
    return;
  }
  if (!isDistinctiveSecret(value)) return;
  if (secrets.has(value)) return;
  secrets.add(value);
  const forms = new Set<string>();
  for (const secret of secrets) {
    for (const form of [secret, ...partlyMasked(secret)]) {
      forms.add(form);
      forms.add(JSON.stringify(form).slice(1, -1));
      forms.add(encodeURIComponent(form));
    }
  }
  distinctive = [...forms].sort((a, b) => b.length - a.length);
}

/** Every distinctive secret registered, as given. */
const secrets = new Set<string>();

/**
 * `secret` as another process may print it: a child that knows only a shorter secret inside it masks
 * that part first (`zz-***-yy`), and the runner forwarding that line must still recognize the rest.
 * Each contained secret masked alone, and all of them at once.
 */
function partlyMasked(secret: string): string[] {
  const inside = [...secrets].filter((other) => other !== secret && other.length < secret.length && secret.includes(other));
  if (inside.length === 0) return [];
  const all = inside.sort((a, b) => b.length - a.length).reduce((text, other) => text.split(other).join('***'), secret);
  return [...new Set([...inside.map((other) => secret.split(other).join('***')), all])].filter((form) => form !== secret && form.replaceAll('***', '') !== '');
}

/** The secret part of a URL-shaped value: its decoded password, or its user when there is no password; `undefined` otherwise. */
function urlCredential(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i.test(value)) return undefined;
  try {
    const url = new URL(value);
    const part = url.password || url.username;
    return part ? decodeURIComponent(part) : undefined;
  } catch {
    return undefined;
  }
}

const ALNUM = /[A-Za-z0-9]/;

function maskDistinctive(text: string): string {
  let out = text;
  for (const secret of distinctive) {
    if (!out.includes(secret)) continue;
    let result = '';
    let from = 0;
    for (let at = out.indexOf(secret); at !== -1; at = out.indexOf(secret, at + secret.length)) {
      // Whole values only: a match glued to letters or digits is part of another word.
      const before = at > 0 ? out[at - 1] : '';
      const after = out[at + secret.length] ?? '';
      const glued = (ALNUM.test(secret[0]) && ALNUM.test(before)) || (ALNUM.test(secret[secret.length - 1]) && ALNUM.test(after));
      if (glued) continue;
      result += out.slice(from, at) + '***';
      from = at + secret.length;
    }
    out = result + out.slice(from);
  }
  return out;
}

/** `scheme://userinfo@`: greedy up to the authority's last `@`, since passwords may hold an unencoded `@`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>`]*)@/gi;
/** `name=value` (query strings, logfmt, environment assignments). */
const ASSIGNMENT = /(^|[\s?&;,({[-])([A-Za-z_][A-Za-z0-9_.-]*)=([^\s&"',;)}\]]+)/g;
/** `"name": value` in JSON text. */
const JSON_FIELD = /"((?:[^"\\]|\\.)+)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\w.+-]*|true|false)/g;
/** Header form, `Authorization: Bearer x` or `PRIVATE-TOKEN: x`: only for names that are headers (`authorization`, `cookie` or hyphenated). */
const HEADER = /(^|[\s"'{,])((?:[A-Za-z0-9]+-)+[A-Za-z0-9]+|authorization|cookie|set-cookie):[ \t]*([^\r\n"',;]+)/gi;
/** A bearer token in prose (`Bearer <token>`): at least 8 characters with a digit or symbol, or 20 of any kind, so that `Bearer authentication` stays. */
const BEARER = /\bBearer\s+(?:(?=[A-Za-z]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}|[A-Za-z0-9._~+/=-]{20,})/g;

/** Masks values standing as credentials, whatever they are (see the module comment). */
function maskCredentials(text: string): string {
  return text
    .replace(URL_USERINFO, (whole, scheme: string, userinfo: string) => {
      if (userinfo === '') return whole;
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
    })
    .replace(ASSIGNMENT, (whole, lead: string, name: string) =>
      isSecretName(name) || (SECRET_QUERY_NAMES.test(name) && /[?&]/.test(lead)) ? `${lead}${name}=***` : whole,
    )
    .replace(JSON_FIELD, (whole, name: string, colon: string) => (isSecretName(name) ? `"${name}"${colon}"***"` : whole))
    .replace(HEADER, (whole, lead: string, name: string) => (isSecretName(name) ? `${lead}${name}: ***` : whole))
    .replace(BEARER, 'Bearer ***');
}

/** Replaces secrets in `text` with `***`: registered distinctive values anywhere, and any value where it stands as a credential. */
export function redact(text: string): string {
  return maskCredentials(distinctive.length > 0 ? maskDistinctive(text) : text);
}

/**
 * A deep copy of `value` where every field named like a secret ({@link isSecretName}) has its value, or every
 * value below it, replaced by `***`.
 */
export function redactFields(value: unknown, secret = false): unknown {
  if (Array.isArray(value)) return value.map((item) => redactFields(item, secret));
  if (typeof value === 'object' && value !== null && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactFields(v, secret || isSecretName(k));
    return out;
  }
  return secret && value !== null && value !== undefined ? '***' : value;
}

/** Registers every value of a config found under a field named like a secret, and the credentials of URL-shaped values anywhere. */
export function registerSecretsOf(value: unknown, secret = false): void {
  if (Array.isArray(value)) {
    for (const item of value) registerSecretsOf(item, secret);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) registerSecretsOf(v, secret || isSecretName(k));
  } else if (typeof value === 'string') {
    if (secret) registerSecret(value);
    else if (urlCredential(value) !== undefined) registerSecret(value);
  }
}
