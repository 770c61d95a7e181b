import { expect } from 'chai';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeApi, pagePaginated, requireAuth } from '@observes/testkit';
import { defineStream, defineTap } from './tap-definition.js';
import { nextPageHeaderPaginator } from './paginators.js';
import { runTapCaptured } from './testing/run-tap-captured.js';

interface Config {
  api_url: string;
  token: string;
}

const TOKEN = 'commands-test-token-42';
const users = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, login: `user${i + 1}` }));

const httpTap = defineTap<Config>({
  name: 'fakehub',
  version: '0.0.1',
  configSchema: { type: 'object', properties: { api_url: { type: 'string' }, token: { type: 'string' } }, required: ['api_url', 'token'] },
  secrets: ['token'],
  http: (config) => ({ baseUrl: config.api_url, headers: { authorization: `Bearer ${config.token}` } }),
  streams: [
    defineStream<Config>({
      name: 'users',
      schema: { type: 'object', properties: { id: { type: 'integer' }, login: { type: 'string' } } },
      keyProperties: ['id'],
      async *records(ctx) {
        yield* ctx.http.paginate<Record<string, unknown>>('/users', { paginator: nextPageHeaderPaginator({ size: 3 }) });
      },
    }),
  ],
  commands: {
    'count-users': {
      describe: 'print how many users there are',
      options: { prefix: { type: 'string', default: 'users:' } },
      async run(ctx) {
        let n = 0;
        for await (const _ of ctx.http.paginate('/users', { paginator: nextPageHeaderPaginator({ size: 3 }) })) n++;
        ctx.print(`${ctx.args.prefix as string} ${n}`);
      },
    },
  },
});

function configFile(config: Config): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sdk-cmd-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('HTTP taps end to end', () => {
  it('records a run with --record and replays it offline with --replay to the same output', async () => {
    const api = await startFakeApi({
      routes: [{ path: '/users', handler: pagePaginated(users) }],
      behaviours: [requireAuth({ header: 'authorization', value: `Bearer ${TOKEN}` })],
    });
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'sdk-rec-')), 'recordings');
    const config = configFile({ api_url: api.url, token: TOKEN });
    const env = { OBSERVES_FROZEN_TIME: '2026-05-01T00:00:00Z' };
    let recorded: Awaited<ReturnType<typeof runTapCaptured>>;
    try {
      recorded = await runTapCaptured(httpTap, ['--config', config, '--record', dir], { env });
    } finally {
      await api.close();
    }
    expect(recorded.code, recorded.stderr).to.equal(0);
    expect(readdirSync(dir)).to.have.length(3);
    const replayed = await runTapCaptured(httpTap, ['--config', config, '--replay', dir], { env });
    expect(replayed.code, replayed.stderr).to.equal(0);
    expect(replayed.stdout).to.equal(recorded.stdout);
    expect(replayed.messages.filter((m) => m.type === 'RECORD')).to.have.length(7);
  });

  it('runs a tap subcommand with the config and HTTP client', async () => {
    const api = await startFakeApi({ routes: [{ path: '/users', handler: pagePaginated(users) }] });
    try {
      const run = await runTapCaptured(httpTap, ['count-users', '--config', configFile({ api_url: api.url, token: TOKEN }), '--prefix', 'total']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal('total 7\n');
    } finally {
      await api.close();
    }
  });

  it('fails a 401 with exit 2 (a rerun cannot help), the URL and status, and no token', async () => {
    const api = await startFakeApi({
      routes: [{ path: '/users', handler: pagePaginated(users) }],
      behaviours: [requireAuth({ header: 'authorization', value: 'Bearer other' })],
    });
    try {
      const run = await runTapCaptured(httpTap, ['--config', configFile({ api_url: api.url, token: TOKEN })]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/GET http:\/\/127\.0\.0\.1:\d+\/users\?page=1&per_page=3 failed: 401 Unauthorized/);
      expect(run.stderr + run.stdout).not.to.include(TOKEN);
    } finally {
      await api.close();
    }
  });
});
