import type { S3Client } from '@aws-sdk/client-s3';
import type { CommittedState, Logger, MessageWriter } from '@observes/protocol';
import { OrphanedInputError, runTargetStream, type S3Manifest } from '@observes/target-core';
import type { TargetS3Config } from './config.js';
import { S3FileSink } from './s3-file-sink.js';

export { OrphanedInputError };

/** Options of {@link S3Target}. */
export interface S3TargetOptions {
  /** Resolved configuration. */
  config: TargetS3Config;
  /** S3 client (see `createS3Client` of `@observes/state`). */
  client: S3Client;
  /** Where STATE is echoed (stdout). */
  output: MessageWriter;
  /** Logger (stderr). */
  logger: Logger;
  /** Longest accepted input line in bytes. */
  maxLineBytes?: number;
  /** Clock in ms, injectable for tests (default `Date.now`). */
  now?: () => number;
  /**
   * Asked once the input ended: whether it really ended (the runner link, `connectRunnerLink` of
   * `@observes/protocol`); when false nothing more is stored (default: always true).
   */
  inputComplete?: () => Promise<boolean>;
  /** Environment (`OBSERVES_PIPELINE`, `OBSERVES_STATE_SEQUENCE`; default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Writes a Singer stream to S3 as gzip JSON lines or flattened CSV (see {@link S3FileSink}), driven by the
 * target runtime of `@observes/target-core`. A STATE is echoed only after the files holding the records
 * before it and the manifest listing them are stored; files are stored and the manifest rewritten at a STATE
 * once the oldest record not yet stored is `batch_max_age_seconds` old (0: at every STATE), also while the
 * input is idle after a STATE, and at the end. On bad input or an S3 failure it stops without echoing
 * anything further and aborts the uploads in progress.
 */
export class S3Target {
  private readonly sink: S3FileSink;

  constructor(private readonly options: S3TargetOptions) {
    this.sink = new S3FileSink({
      config: options.config,
      client: options.client,
      logger: options.logger,
      now: options.now ?? Date.now,
      env: options.env ?? process.env,
    });
  }

  /** The pipeline's last committed state (what `--committed-state` prints), or undefined. */
  committedState(): Promise<CommittedState | undefined> {
    return this.sink.committedState();
  }

  /** Consumes the input; resolves with the final manifest once everything is stored. */
  async run(input: AsyncIterable<Buffer | string>): Promise<S3Manifest> {
    const { config } = this.options;
    await runTargetStream({
      sink: this.sink,
      input,
      output: this.options.output,
      log: this.options.logger,
      // Files hold every record written: stored before their STATE, a rerun from that state would list them twice.
      policy: { maxAgeMs: config.batch_max_age_seconds * 1000, stateFlush: 'when-due', ageFlushAtStateOnly: true, overlap: false },
      maxLineBytes: this.options.maxLineBytes,
      validateRecords: config.validate_records,
      inputComplete: this.options.inputComplete,
      orphaned: 'nothing more stored, the last manifest stays as it was',
      now: this.options.now,
    });
    return this.sink.manifest!;
  }
}
