import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { redact } from '../secret-redaction.js';
import { loadSettings, validateSettings } from './load-settings.js';
import { setting, type SettingsOf } from './setting-builder.js';
import { settingRows, settingsHelp, settingsTable, withSettingsTable, SETTINGS_TABLE_MARKERS } from './settings-docs.js';

const declaration = setting.object({
  api_url: setting.string({ format: 'uri', default: 'https://api.example', description: 'API root' }),
  token: setting.string({ required: true, secret: true, minLength: 1, description: 'API token' }),
  per_page: setting.integer({ minimum: 1, default: 100, description: 'page size' }),
  tags: setting.array(setting.string(), { description: 'tags' }),
  mode: setting.enum(['fast', 'safe'] as const, { default: 'safe' }),
  s3: setting.object({ bucket: setting.string({ required: true }), region: setting.string({ default: 'us-east-1' }) }, { description: 'staging' }),
});
type Settings = SettingsOf<typeof declaration>;

describe('settings: one declaration, one loader', () => {
  it('infers the type: required and defaulted settings present, the others optional', () => {
    const settings: Settings = validateSettings(declaration, { token: 'tok-123456789' });
    const page: number = settings.per_page;
    const mode: 'fast' | 'safe' = settings.mode;
    const tags: string[] | undefined = settings.tags;
    const bucket: string | undefined = settings.s3?.bucket;
    expect({ page, mode, tags, bucket }).to.deep.equal({ page: 100, mode: 'safe', tags: undefined, bucket: undefined });
  });

  it('takes the file, then <PREFIX><SETTING> variables (nested ones too), then overrides; registers secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ per_page: 5, s3: { bucket: 'from-file' } }));
    const secret = 'env-secret-0123456789';
    const settings = loadSettings(declaration, {
      path: file,
      envPrefix: 'TAP_X_',
      env: { TAP_X_TOKEN: secret, TAP_X_TAGS: 'a, b', TAP_X_S3_REGION: 'eu-west-1', TAP_X_PER_PAGE: '7' },
      overrides: { per_page: 9, mode: undefined },
    });
    expect(settings).to.deep.equal({
      api_url: 'https://api.example',
      token: secret,
      per_page: 9,
      tags: ['a', 'b'],
      mode: 'safe',
      s3: { bucket: 'from-file', region: 'eu-west-1' },
    });
    expect(redact(`using ${secret}`)).to.equal('using ***');
  });

  it('reports <PREFIX>* variables that name no setting with strictEnv, and ignores them without', () => {
    const env = { TAP_X_TOKEN: 'tok-123456789', TAP_X_COLOUR: 'red', TAP_X_S3_BUCKET: 'b', TAP_X_S3_SIZE: '1' };
    expect(() => loadSettings(declaration, { envPrefix: 'TAP_X_', env, strictEnv: true }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.has.members(['/: unknown setting "colour"', '/s3: unknown setting "size"']);
    expect(loadSettings(declaration, { envPrefix: 'TAP_X_', env }).s3).to.deep.equal({ bucket: 'b', region: 'us-east-1' });
  });

  it('lists every problem at once in one wording, and a declared errorMessage replaces it', () => {
    let error: unknown;
    try {
      validateSettings(declaration, { api_url: 'not a url', per_page: 'ten', colour: 1, s3: {} });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.have.members([
      '/: missing required setting "token"',
      '/: unknown setting "colour"',
      '/api_url: must match format "uri"',
      '/per_page: must be integer',
      '/s3: missing required setting "bucket"',
    ]);
    const worded = setting.object(
      { n: setting.integer({ minimum: 1, errorMessage: '"n" must be an integer ≥ 1' }) },
      { errorMessage: { additionalProperties: 'no setting "${property}" at ${path}' } },
    );
    expect(() => validateSettings(worded, { n: 0, x: 1 }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.deep.equals(['no setting "x" at /', '"n" must be an integer ≥ 1']);
  });

  it('reports a failed anyOf by its own message, or else by its branches', () => {
    const either = setting.object(
      { url: setting.string(), host: setting.string() },
      { anyOf: [{ required: ['url'] }, { required: ['host'] }], errorMessage: { anyOf: 'either "url" or "host" is required' } },
    );
    expect(() => validateSettings(either, {}))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.deep.equals(['either "url" or "host" is required']);
    const command = setting.object({ command: setting.anyOf([setting.string({ minLength: 1 }), setting.array(setting.string())]) });
    expect(() => validateSettings(command, { command: 1 }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.deep.equals(['/command: must be string', '/command: must be array']);
  });

  it('takes text for numbers and booleans with coerceTypes, blanks as unset with blankIsUnset, and a prepare step', () => {
    const raw = { token: 'tok-123456789', per_page: '25', api_url: '', s3: { bucket: 'b', region: null } };
    const settings = validateSettings(declaration, raw, {
      coerceTypes: true,
      blankIsUnset: true,
      prepare: (r) => ({ ...r, tags: String(r.tags ?? 'x,y').split(',') }),
    });
    expect(settings).to.deep.equal({
      token: 'tok-123456789',
      per_page: 25,
      api_url: 'https://api.example',
      mode: 'safe',
      tags: ['x', 'y'],
      s3: { bucket: 'b', region: 'us-east-1' },
    });
    expect(raw.per_page, "the caller's object is left as it was").to.equal('25');
    // Without coerceTypes, text is not a number; a word is never one.
    expect(() => validateSettings(declaration, { token: 'tok-123456789', per_page: '25' })).to.throw(ConfigError, '/per_page: must be integer');
    expect(() => validateSettings(declaration, { token: 'tok-123456789', per_page: 'ten' }, { coerceTypes: true })).to.throw(
      ConfigError,
      '/per_page: must be integer',
    );
  });

  it('derives --help, --about rows and the README table from the declaration', () => {
    const rows = settingRows(declaration, 'TAP_X_');
    expect(rows.map((r) => r.name)).to.deep.equal(['api_url', 'token', 'per_page', 'tags', 'mode', 's3', 's3.bucket', 's3.region']);
    expect(rows.find((r) => r.name === 's3.region')).to.deep.equal({
      name: 's3.region',
      env: 'TAP_X_S3_REGION',
      type: 'string',
      required: false,
      secret: false,
      default: 'us-east-1',
    });
    expect(rows.find((r) => r.name === 'token')).to.deep.include({ required: true, secret: true, type: 'string' });
    const help = settingsHelp(declaration, 'TAP_X_');
    expect(help).to.contain('  per_page\n      TAP_X_PER_PAGE: integer, default 100\n      page size').and.to.contain('Example: {"token":"<token>"}');
    const table = settingsTable(declaration, 'TAP_X_');
    expect(table.split('\n')[3]).to.equal('| `token` | `TAP_X_TOKEN` | string |  | **required**, *secret* API token |');
    const readme = `# x\n${SETTINGS_TABLE_MARKERS.start}\nold\n${SETTINGS_TABLE_MARKERS.end}\nrest\n`;
    expect(withSettingsTable(readme, table)).to.equal(`# x\n${SETTINGS_TABLE_MARKERS.start}\n${table}\n${SETTINGS_TABLE_MARKERS.end}\nrest\n`);
    expect(withSettingsTable('# no markers', table)).to.equal(undefined);
  });
});
