/**
 * Test helpers of the tap SDK (`@observes/tap-sdk/testing`), kept out of its production entry: run a tap in-process
 * with its output captured, and read the records and state it printed.
 * @packageDocumentation
 */
export * from './run-tap-captured.js';
