import type { Writable } from 'node:stream';
import { MessageWriter, type Message } from '@observes/protocol';
import { withPrepared, type PreparedExports } from './prepared-state.js';

/**
 * A message writer that puts the current prepared exports into every STATE it writes. The SDK's sync keeps the rest
 * of the state (bookmarks, table versions) and writes a STATE after each module's ACTIVATE_VERSION; the load removes a
 * module from the exports once its last record is written, so each STATE says exactly which exports are still to load.
 */
export class PreparedStateWriter extends MessageWriter {
  constructor(
    out: Writable,
    private readonly exports: () => PreparedExports,
  ) {
    super(out);
  }

  override async write(message: Message): Promise<void> {
    await super.write(message.type === 'STATE' ? { ...message, value: withPrepared(message.value, this.exports()) } : message);
  }
}
