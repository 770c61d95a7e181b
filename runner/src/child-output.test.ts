import { expect } from 'chai';
import { registerSecret } from '@observes/protocol';
import { ChildOutput } from './child-output.js';
import { LiveStderr } from './live-stderr.js';

describe('forwarded child output', () => {
  const now = () => new Date('2026-12-01T10:00:00.000Z');

  it("wraps each child line as a field of the runner's own JSON entry, masking secrets, and remembers the last error", () => {
    registerSecret('tok-Q8vX2mP4zL');
    const lines: string[] = [];
    const out = new ChildOutput({ unit: 'gitlab', role: 'tap', json: true, write: (l) => lines.push(l), now });
    out.line(
      '{"time":"2026-12-01T09:59:59.000Z","level":"warn","name":"tap-gitlab","message":"retrying","token":"weak","url":"https://u:pw@h/x?private_token=abc"}',
    );
    out.line('{"level":"error","name":"tap-gitlab","message":"GET https://gitlab.example/api/v4/projects failed: 401 Unauthorized","status":401}');
    out.line('plain text with tok-Q8vX2mP4zL inside\r');
    out.line('    at Object.<anonymous> (file:///x.js:1:1)');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries[0]).to.deep.equal({
      time: '2026-12-01T10:00:00.000Z',
      level: 'warn',
      name: 'observes',
      message: 'retrying',
      unit: 'gitlab',
      child: 'tap',
      entry: { time: '2026-12-01T09:59:59.000Z', name: 'tap-gitlab', token: '***', url: 'https://u:***@h/x?private_token=***' },
    });
    expect(entries[1]).to.include({
      level: 'error',
      unit: 'gitlab',
      child: 'tap',
      message: 'GET https://gitlab.example/api/v4/projects failed: 401 Unauthorized',
    });
    expect(entries[2]).to.deep.equal({
      time: '2026-12-01T10:00:00.000Z',
      level: 'info',
      name: 'observes',
      message: 'plain text with *** inside',
      unit: 'gitlab',
      child: 'tap',
    });
    expect(out.reason, 'an error entry wins over later plain lines').to.equal(': GET https://gitlab.example/api/v4/projects failed: 401 Unauthorized');
  });

  it('writes readable lines on a TTY and falls back to the last meaningful plain line, named as such', () => {
    const lines: string[] = [];
    const out = new ChildOutput({ unit: 'demo', role: 'target', json: false, write: (l) => lines.push(l) });
    out.line('{"level":"warn","name":"target-redshift","message":"field not stored","stream":"jobs"}');
    out.line('Error: boom');
    out.line('    at main (file:///t.js:3:9)');
    out.line('');
    out.line('Node.js v20.20.2');
    expect(lines.slice(0, 2)).to.deep.equal(['[demo] target WARN: field not stored stream=jobs', '[demo] target: Error: boom']);
    expect(out.lastError).to.equal(undefined);
    expect(out.reason).to.equal('; its last line on stderr: Error: boom');
  });

  it('redraws the live progress line below each log line on a TTY, never glued to it', () => {
    let screen = '';
    const tty = new LiveStderr((t) => (screen += t), true);
    tty.line('first');
    tty.show('gitlab: jobs 10 (5/s)');
    tty.line('{"message":"forwarded"}');
    tty.show('gitlab: jobs 20 (5/s)');
    tty.clear();
    expect(screen).to.equal('first\n\r\x1b[Kgitlab: jobs 10 (5/s)\r\x1b[K{"message":"forwarded"}\ngitlab: jobs 10 (5/s)\r\x1b[Kgitlab: jobs 20 (5/s)\r\x1b[K');
    let piped = '';
    const file = new LiveStderr((t) => (piped += t), false);
    file.show('progress');
    file.line('a');
    file.clear();
    expect(piped).to.equal('a\n');
  });
});
