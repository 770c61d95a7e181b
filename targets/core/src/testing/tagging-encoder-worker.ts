/**
 * A record encoding worker for the pool's tests: it "encodes" a record as the tag its stream has in the state
 * (the line of the SCHEMA the main thread last handled) and the record's id, so a test can see which state
 * each record was encoded with. Records with `"slow": true` are left to the main thread.
 */
import { serveRecordEncoding } from '../record-encoding-worker.js';

serveRecordEncoding(() => {
  let tags: Record<string, number> = {};
  return {
    setState: (state) => {
      tags = (state as { tags: Record<string, number> }).tags;
    },
    encode: (read) => {
      if (read.message.record.slow === true) return undefined;
      if (read.message.record.crash === true) process.exit(3);
      return { tag: tags[read.message.stream], id: read.message.record.id };
    },
  };
});
