import { expect } from 'chai';
import { ConfigError, InputError, LoadError, TransientError } from './errors.js';
import { createLogger } from './logger.js';
import { logFailure } from './program-exit.js';
import { registerSecret } from './secret-redaction.js';

/** The entry {@link logFailure} writes for `error`, and the exit code it returns. */
function logged(error: unknown): { code: number; entry: Record<string, unknown> } {
  const lines: string[] = [];
  const code = logFailure(createLogger({ name: 'p', json: true, write: (l) => lines.push(l) }), error);
  expect(lines).to.have.length(1);
  return { code, entry: JSON.parse(lines[0]) as Record<string, unknown> };
}

describe('logFailure', () => {
  it('says the kind, whether a retry may help, and the causes (outermost first, secrets masked)', () => {
    registerSecret('s3cr3t-pass-word');
    const root = new Error('password s3cr3t-pass-word: connection terminated unexpectedly');
    const { code, entry } = logged(
      new LoadError('stream "jobs": batch 3 not loaded', { cause: new TransientError('lost the warehouse connection', { cause: root }) }),
    );
    expect(code).to.equal(1);
    expect(entry).to.deep.include({
      level: 'error',
      message: 'stream "jobs": batch 3 not loaded',
      error: 'LoadError',
      kind: 'load',
      retryable: true,
      causes: ['lost the warehouse connection', 'password ***: connection terminated unexpectedly'],
    });
  });

  it('says not retryable for bad input or a refused load with no transient cause, and for a config error', () => {
    expect(logged(new InputError('line 4: stream "a": not JSON', { cause: new SyntaxError('Unexpected token') })).entry).to.deep.include({
      kind: 'input',
      retryable: false,
      causes: ['Unexpected token'],
    });
    expect(logged(new LoadError('value too long for column "name"')).entry)
      .to.deep.include({ kind: 'load', retryable: false })
      .and.not.have.property('causes');
    const config = logged(new ConfigError('bad settings', { cause: new TransientError('timed out') }));
    expect(config.code).to.equal(2);
    expect(config.entry).to.deep.include({ kind: 'config', retryable: false, causes: ['timed out'] });
  });

  it('leaves kind and retryable out for an error outside the hierarchy (the runner then goes by the exit code)', () => {
    const { code, entry } = logged(new Error('boom', { cause: new Error('deeper') }));
    expect(code).to.equal(1);
    expect(entry).to.deep.include({ error: 'Error', causes: ['deeper'] });
    expect(entry).to.not.have.property('kind');
    expect(entry).to.not.have.property('retryable');
  });
});
