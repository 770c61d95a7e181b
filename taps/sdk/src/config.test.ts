import { expect } from 'chai';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redact } from '@observes/protocol';
import { applyEnvOverrides, ConfigError, envPrefix, loadConfig } from './config.js';

const schema = {
  type: 'object',
  properties: {
    api_url: { type: 'string', format: 'uri' },
    token: { type: 'string' },
    projects: { type: 'array', items: { type: 'integer' } },
    page_size: { type: 'integer', default: 100 },
    dry_run: { type: 'boolean' },
  },
  required: ['api_url', 'token'],
  additionalProperties: false,
};

describe('config', () => {
  it('names the environment prefix after the tap', () => {
    expect(envPrefix('gitlab')).to.equal('TAP_GITLAB_');
    expect(envPrefix('tap-my-api')).to.equal('TAP_MY_API_');
  });

  it('overrides settings from TAP_<NAME>_<SETTING>, converted to the setting type', () => {
    const env = { TAP_GITLAB_API_URL: 'https://env.example', TAP_GITLAB_PROJECTS: '1, 2,3', TAP_GITLAB_PAGE_SIZE: '50', TAP_GITLAB_DRY_RUN: 'true' };
    expect(applyEnvOverrides({ api_url: 'https://file.example', token: 't' }, 'gitlab', schema, env)).to.deep.equal({
      api_url: 'https://env.example',
      token: 't',
      projects: [1, 2, 3],
      page_size: 50,
      dry_run: true,
    });
    expect(applyEnvOverrides({}, 'gitlab', schema, { TAP_GITLAB_PROJECTS: '[1,2]' }).projects).to.deep.equal([1, 2]);
  });

  it('lists every config error at once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdk-config-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ api_url: 'not a url', page_size: 'ten', colour: 'red' }));
    let error: unknown;
    try {
      loadConfig({ path: file, tapName: 'gitlab', schema, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.have.members([
      '/: missing required setting "token"',
      '/: unknown setting "colour"',
      '/api_url: must match format "uri"',
      '/page_size: must be integer',
    ]);
  });

  it('applies defaults, takes settings from the environment alone and registers secrets', () => {
    const secret = 'env-only-secret-value';
    const config = loadConfig({
      tapName: 'gitlab',
      schema,
      secrets: ['token'],
      env: { TAP_GITLAB_API_URL: 'https://gitlab.example', TAP_GITLAB_TOKEN: secret },
    });
    expect(config).to.deep.equal({ api_url: 'https://gitlab.example', token: secret, page_size: 100 });
    expect(redact(`token is ${secret}`)).to.equal('token is ***');
  });

  it('says which file is missing or not JSON', () => {
    expect(() => loadConfig({ path: '/nonexistent/config.json', tapName: 'x', schema })).to.throw(
      ConfigError,
      /cannot read config file \/nonexistent\/config.json: ENOENT/,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'sdk-config-'));
    writeFileSync(path.join(dir, 'bad.json'), '{"api_url": ');
    expect(() => loadConfig({ path: path.join(dir, 'bad.json'), tapName: 'x', schema })).to.throw(ConfigError, /is not valid JSON/);
  });
});
