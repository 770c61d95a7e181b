/**
 * tap-example: a tap over a JSON-lines fixture, and the template `npm run new:tap` copies.
 * @packageDocumentation
 */
export { tap, type ExampleConfig } from './tap.js';
export { readFixture } from './fixture-reader.js';
