import { expect } from 'chai';
import { createLogger, logMetric } from './logger.js';
import { EXIT_CODE, exitCodeFor, logFailure, UsageError } from './program-exit.js';
import { isDistinctiveSecret, isSecretName, redact, redactFields, registerSecret, registerSecretsOf } from './secret-redaction.js';

describe('secret redaction', () => {
  it('tells secret names from ordinary ones, word by word', () => {
    for (const name of [
      'password',
      'PGPASSWORD',
      'db_pass',
      'token',
      'private_token',
      'refresh_token',
      'api_key',
      'apiKey',
      'X-Api-Key',
      'client_secret',
      'aws_secret_access_key',
      'credentials',
      'Authorization',
      'cookie',
      'auth_header',
      'PRIVATE-TOKEN',
    ]) {
      expect(isSecretName(name), name).to.equal(true);
    }
    for (const name of ['author', 'key_properties', 'sort_key', 'key', 'passthrough', 'bypass', 'url', 'dialect', 'user', 'stream'])
      expect(isSecretName(name), name).to.equal(false);
  });

  it("masks a weak password only where it stands as a credential, never the program's own words", () => {
    registerSecret('postgres');
    registerSecret('postgres://postgres:postgres@db.internal:5432/observes');
    expect(isDistinctiveSecret('postgres')).to.equal(false);
    expect(redact('"dialect" must be "redshift" or "postgres"')).to.equal('"dialect" must be "redshift" or "postgres"');
    expect(redact('connecting to postgres://postgres:postgres@db.internal:5432/observes')).to.equal(
      'connecting to postgres://postgres:***@db.internal:5432/observes',
    );
    expect(redact('{"password":"postgres","user":"postgres"}')).to.equal('{"password":"***","user":"postgres"}');
    expect(redact('PGPASSWORD=postgres psql -U postgres')).to.equal('PGPASSWORD=*** psql -U postgres');
    expect(redact('GET /api?private_token=postgres&page=2 and ?key=abc')).to.equal('GET /api?private_token=***&page=2 and ?key=***');
    expect(redact('header PRIVATE-TOKEN: postgres, Authorization: Basic cG9zdGdyZXM6cG9zdGdyZXM=')).to.equal('header PRIVATE-TOKEN: ***, Authorization: ***');
    expect(redact('/password: must be string; Bearer authentication needed')).to.equal('/password: must be string; Bearer authentication needed');
  });

  it('masks a distinctive secret anywhere as a whole value, JSON-escaped and URL-encoded too', () => {
    const token = 'glpat-Zx8"q\\w 41';
    registerSecret(token);
    expect(redact(`the token is ${token}.`)).to.equal('the token is ***.');
    expect(redact(JSON.stringify({ message: `echo ${token}` }))).to.equal('{"message":"echo ***"}');
    expect(redact(`https://gitlab.example/x?t=${encodeURIComponent(token)}`)).to.equal('https://gitlab.example/x?t=***');
    registerSecret('s3cr3t-Value');
    expect(redact('s3cr3t-Values and xs3cr3t-Value are other words; s3cr3t-Value is not')).to.equal(
      's3cr3t-Values and xs3cr3t-Value are other words; *** is not',
    );
    expect(redact('Bearer abc.def-123456 sent')).to.equal('Bearer *** sent');
  });

  it('masks a longer secret whole even when a child already masked a shorter secret inside it', () => {
    registerSecret('k3y-part-0042');
    registerSecret('outer-k3y-part-0042-tail9');
    expect(redact('a outer-k3y-part-0042-tail9 b')).to.equal('a *** b');
    // What a child that knows only the shorter secret prints, forwarded by a runner that knows both.
    expect(redact('a outer-***-tail9 b')).to.equal('a *** b');
    expect(redact(JSON.stringify({ m: 'outer-***-tail9' }))).to.equal('{"m":"***"}');
    // Its own words around a mask stay.
    expect(redact('wrote *** rows')).to.equal('wrote *** rows');
  });

  it('registers the password of a URL, a lone user of a token URL, and the secret fields of a config', () => {
    registerSecret('postgres://etl:Pa55word-x@h/db');
    expect(redact('auth failed for Pa55word-x')).to.equal('auth failed for ***');
    expect(redact('clone https://ghp_abcdefghijklmnop1234@github.com/o/r')).to.equal('clone https://***@github.com/o/r');
    registerSecretsOf({ api: { token: 'tok-9988776655' }, nested: [{ credentials: { user: 'u', key: 'AKIA-11223344' } }], url: 'https://u:hunter2-pw@x' });
    expect(redact('tok-9988776655 AKIA-11223344 hunter2-pw')).to.equal('*** *** ***');
  });

  it('redacts fields named like secrets, and everything under them', () => {
    expect(redactFields({ user: 'etl', password: 'x', nested: { credentials: { a: 1, b: ['c'] } }, key_properties: ['id'], count: 3 })).to.deep.equal({
      user: 'etl',
      password: '***',
      nested: { credentials: { a: '***', b: ['***'] } },
      key_properties: ['id'],
      count: 3,
    });
  });

  it('logs JSON entries with secrets masked, metrics as entries, and failures with their exit code', () => {
    const lines: string[] = [];
    const logger = createLogger({ name: 'tap-x', json: true, write: (l) => lines.push(l) });
    registerSecret('mY-t0ken-value');
    logger.info('calling with mY-t0ken-value', { token: 'weak', url: 'https://a:b@h/' });
    logMetric(logger, { type: 'counter', metric: 'record_count', value: 3, tags: { stream: 's' } });
    const config = Object.assign(new Error('invalid configuration'), { name: 'ConfigError', problems: ['"dialect" must be "redshift" or "postgres"'] });
    expect(logFailure(logger, config)).to.equal(EXIT_CODE.config);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries[0]).to.include({ message: 'calling with ***', token: '***', url: 'https://a:***@h/' });
    expect(entries[1]).to.deep.include({ message: 'METRIC', metric: { type: 'counter', metric: 'record_count', value: 3, tags: { stream: 's' } } });
    expect(entries[2]).to.deep.include({ level: 'error', message: 'invalid configuration: "dialect" must be "redshift" or "postgres"', exit_code: 2 });
    expect(exitCodeFor(new UsageError('Unknown argument: x'))).to.equal(2);
    expect(exitCodeFor(Object.assign(new Error('401'), { status: 401 }))).to.equal(2);
    expect(exitCodeFor(Object.assign(new Error('429'), { status: 429 }))).to.equal(1);
    expect(exitCodeFor(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).to.equal(2);
    expect(exitCodeFor(new Error('ECONNRESET'))).to.equal(1);
  });
});
