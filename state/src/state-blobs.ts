/** A stored text and a tag that changes whenever the text is replaced (an S3 ETag, a content hash). */
export interface Blob {
  text: string;
  tag: string;
}

/**
 * The few operations a state store needs from where it keeps its objects: the state itself, its
 * history copies and its lock. Implemented over local files and over S3; the conditional ones
 * (`create`, `replace`, `remove` with a tag) are what make the lock safe between machines.
 */
export interface StateBlobs {
  /** The text at `key` with its tag, or undefined when absent. */
  get(key: string): Promise<Blob | undefined>;
  /** Replaces `key` atomically (a reader sees the old text or the new one). */
  put(key: string, text: string): Promise<void>;
  /** Creates `key` only if it does not exist; returns the new tag, or undefined when it existed. */
  create(key: string, text: string): Promise<string | undefined>;
  /** Replaces `key` only if its tag is still `tag`; returns the new tag, or undefined when it changed or is gone. */
  replace(key: string, text: string, tag: string): Promise<string | undefined>;
  /** Removes `key`; with `tag`, only if it is unchanged. Returns whether something was removed. */
  remove(key: string, tag?: string): Promise<boolean>;
  /** Names and sizes of the objects directly under the folder `prefix` (which ends with `/`). */
  list(prefix: string): Promise<Array<{ name: string; bytes: number }>>;
}
