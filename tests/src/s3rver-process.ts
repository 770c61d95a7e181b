/**
 * Child-process entry that runs s3rver under `--openssl-legacy-provider` for parents started without it.
 * Argument: JSON `{ directory, buckets }`. Prints `{"port":N}` once listening; exits when its stdin closes,
 * so it never outlives the test process.
 * @module
 */
import { listenS3rver } from './s3rver-listen.js';

const { directory, buckets } = JSON.parse(process.argv[2]) as { directory: string; buckets: string[] };
const server = await listenS3rver(directory, buckets);
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
