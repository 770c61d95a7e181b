/**
 * Test support: a child that reads its stdin to the end, then asks its runner link whether the input
 * was complete; prints `complete` and exits 0, or (default `onLost`) stops with RUNNER_GONE_EXIT.
 */
import { connectRunnerLink } from '../runner-link.js';

const link = connectRunnerLink();
let bytes = 0;
for await (const chunk of process.stdin) bytes += (chunk as Buffer).length;
if (await link.inputComplete()) process.stdout.write(`complete after ${bytes} bytes${link.underRunner ? '' : ' (no runner)'}\n`);
