import { expect } from 'chai';
import { ConfigError, validateConfig } from './config.js';

describe('target-redshift performance settings (sort_key, dist_key, insert_statement_bytes)', () => {
  it('default to key sort and distribution and 15 MiB INSERT statements', () => {
    const config = validateConfig({ host: 'db.example' });
    expect(config).to.deep.include({ sort_key: 'key', dist_key: 'key', insert_statement_bytes: 15 * 1024 * 1024 });
  });

  it('take the other choices, from the environment spelling too', () => {
    expect(validateConfig({ host: 'h', sort_key: 'none', dist_key: 'auto', insert_statement_bytes: '1048576' })).to.deep.include({
      sort_key: 'none',
      dist_key: 'auto',
      insert_statement_bytes: 1048576,
    });
  });

  it('refuse values they cannot take, naming the setting', () => {
    let error: unknown;
    try {
      validateConfig({ host: 'h', sort_key: 'interleaved', dist_key: 'even', insert_statement_bytes: 17_000_000 });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal([
      '"sort_key" must be one of "key", "none"',
      '"dist_key" must be one of "key", "auto"',
      '"insert_statement_bytes" must be at most 16000000 (Redshift refuses longer statements)',
    ]);
  });
});
