import type { TargetSuiteOptions } from './target-suite-types.js';
export type { TargetCapabilities, TargetFixture, TargetSuiteOptions } from './target-suite-types.js';

/** Registers the standard target suite (mocha `describe`/`it`). Work in progress. */
export function targetSuite(options: TargetSuiteOptions): void {
  describe(`targetSuite: ${options.name}`, () => {
    it('is being written', () => undefined);
  });
}
