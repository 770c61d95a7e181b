import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { redact } from '@observes/protocol';
import { ConfigError, loadConfig } from './config.js';

describe('target-redshift config', () => {
  const file = (config: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.json');
    writeFileSync(path, JSON.stringify(config));
    return path;
  };

  it('applies defaults, and environment variables override the file', () => {
    const config = loadConfig(file({ host: 'db.example', password: 'file-secret-1' }), {
      TARGET_REDSHIFT_SCHEMA: 'raw',
      TARGET_REDSHIFT_BATCH_SIZE_ROWS: '500',
      TARGET_REDSHIFT_HARD_DELETE: 'true',
      TARGET_REDSHIFT_S3_BUCKET: 'stage-bucket',
      TARGET_REDSHIFT_S3_IAM_ROLE: 'arn:role',
      TARGET_REDSHIFT_REPLACE_ON_EOF: 'a,b',
    });
    expect(config).to.deep.include({
      host: 'db.example',
      schema: 'raw',
      dialect: undefined,
      connect_timeout_seconds: 30,
      statement_timeout_seconds: 3600,
      batch_size_rows: 500,
      hard_delete: true,
      validate_records: true,
      replace_on_eof: ['a', 'b'],
    });
    expect(config.s3).to.deep.equal({ bucket: 'stage-bucket', prefix: 'target-redshift', region: 'us-east-1', iam_role: 'arn:role' });
    expect(config.batch_size_bytes).to.equal(16 * 1024 * 1024);
  });

  it('defaults to the postgres dialect for the embedded pglite warehouse', () => {
    expect(loadConfig(undefined, { TARGET_REDSHIFT_URL: 'pglite:/tmp/w' }).dialect).to.equal('postgres');
  });

  it('lists every problem at once and never shows the password', () => {
    let error: unknown;
    try {
      loadConfig(
        file({ url: 'mysql://u:hunter2-secret@h/db', dialect: 'oracle', batch_size_rows: 0, schema: 'Bad Schema', colour: 1, s3: { prefix: 'x' } }),
        {},
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal([
      'unknown setting "colour"',
      '"url" must start with postgres://, postgresql:// or pglite:',
      '"dialect" must be "redshift" or "postgres"',
      '"schema" must be a lowercase identifier ([a-z_][a-z0-9_]*, at most 127 bytes)',
      '"s3.bucket" is required when "s3" is set',
      '"batch_size_rows" must be an integer ≥ 1',
    ]);
    expect(redact('connecting with hunter2-secret')).to.equal('connecting with ***');
  });
});
