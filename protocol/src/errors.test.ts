import { expect } from 'chai';
import { causeChain, ConfigError, exitCodeFor, InputError, LoadError, ProtocolError, TransientError, UsageError } from './index.js';

describe('the error hierarchy', () => {
  it('gives each kind its exit code and retryability', () => {
    expect(exitCodeFor(new ConfigError(['a: must be a string', 'b: unknown setting']))).to.equal(2);
    expect(exitCodeFor(new UsageError('Unknown argument: x'))).to.equal(2);
    expect(exitCodeFor(new InputError('line 3: bad'))).to.equal(1);
    expect(exitCodeFor(new ProtocolError(3, 's', 'malformed-json', 'not JSON'))).to.equal(1);
    expect(new TransientError('timeout').retryable).to.equal(true);
    expect(new LoadError('table x refused').retryable).to.equal(false);
    expect(new ProtocolError(3, 's', 'malformed-json', 'not JSON')).to.be.instanceOf(InputError);
    expect(new UsageError('x').name).to.equal('UsageError');
  });

  it("lists a config error's problems one per line, and keeps a single message as given", () => {
    expect(new ConfigError(['a: must be a string', 'b: unknown setting']).message).to.equal(
      'invalid configuration:\n  - a: must be a string\n  - b: unknown setting',
    );
    expect(new ConfigError('no --config given').message).to.equal('no --config given');
  });

  it('reads the chain of causes, outermost first, without repeating a message its wrapper already holds', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5439'), { code: 'ECONNREFUSED' });
    const load = new TransientError('cannot reach the warehouse at 127.0.0.1:5439', { cause: root });
    const outer = new LoadError('stream "jobs": flush failed', { cause: load });
    expect(outer.cause).to.equal(load);
    expect(causeChain(outer)).to.deep.equal([
      'stream "jobs": flush failed',
      'cannot reach the warehouse at 127.0.0.1:5439',
      'connect ECONNREFUSED 127.0.0.1:5439',
    ]);
    expect(causeChain(new LoadError('x: y', { cause: new Error('y') }))).to.deep.equal(['x: y']);
  });
});
