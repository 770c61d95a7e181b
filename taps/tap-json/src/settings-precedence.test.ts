import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runNode } from '@observes/testkit/run-process';

const bin = fileURLToPath(new URL('../bin/tap-json.js', import.meta.url));

describe('tap-json settings precedence (as its README says): flags, then the environment, then the file', () => {
  it('takes the stream name from the flag over the variable, and from the variable over the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-json-precedence-'));
    try {
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ stream: 'from_file', only_schema: true }));
      const streamOf = async (args: string[], env: Record<string, string>) => {
        const run = await runNode([bin, '--config', config, ...args], { input: '{"id":1}\n', env });
        expect(run.code, run.stderr).to.equal(0);
        return (JSON.parse(run.stdout.trim().split('\n')[0]) as { stream: string }).stream;
      };
      const [env, flag] = await Promise.all([
        streamOf([], { TAP_JSON_STREAM: 'from_env' }),
        streamOf(['--stream', 'from_flag'], { TAP_JSON_STREAM: 'from_env' }),
      ]);
      expect(env).to.equal('from_env');
      expect(flag).to.equal('from_flag');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
