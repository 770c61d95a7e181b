import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { listenRunnerLink, RUNNER_GONE_EXIT, type RunnerLinkServer } from './runner-link.js';

const CHILD = fileURLToPath(new URL('./testing/link-child.js', import.meta.url));

describe('runner link: an orphaned pipe is not the end of input', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observes-link-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Starts the child; `drive` feeds it and ends its input; resolves with its exit code and stdout. */
  async function run(env: Record<string, string>, drive: (stdin: NodeJS.WritableStream) => Promise<void>) {
    const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.on('error', () => undefined);
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    await drive(child.stdin);
    return { code: await exit, stdout, stderr };
  }
  const listen = (name: string) => listenRunnerLink(join(dir, `${name}.sock`));
  const pause = () => new Promise((r) => setTimeout(r, 150));

  it('completes when the runner said the input was complete before ending it, even if the child connects late', async () => {
    const server = await listen('ok');
    const result = await run(server.env, async (stdin) => {
      stdin.write('x'.repeat(1000));
      await server.inputComplete();
      stdin.end();
    });
    expect(result).to.deep.include({ code: 0, stdout: 'complete after 1000 bytes\n' });
    expect(server.connected).to.equal(true);
    await server.close();
  });

  it('stops without completing when the runner is gone, whether the link or the input closes first', async () => {
    for (const linkFirst of [true, false]) {
      const server: RunnerLinkServer = await listen(`gone-${linkFirst}`);
      const result = await run(server.env, async (stdin) => {
        stdin.write('partial input');
        await pause();
        // What the kernel does when the runner is SIGKILLed: both close, in either order.
        if (linkFirst) await server.close();
        stdin.end();
        if (!linkFirst) await server.close();
      });
      expect(result.code, result.stderr).to.equal(RUNNER_GONE_EXIT);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.contain('observes run is gone');
    }
  });

  it('stops at once when the runner was gone before the child started', async () => {
    const result = await run({ OBSERVES_RUNNER_LINK: join(dir, 'nobody.sock') }, async (stdin) => void stdin.end('input'));
    expect(result.code).to.equal(RUNNER_GONE_EXIT);
  });

  it('outside a runner, end of input is the end', async () => {
    const result = await run({}, async (stdin) => void stdin.end('abc'));
    expect(result).to.deep.include({ code: 0, stdout: 'complete after 3 bytes (no runner)\n' });
  });
});
