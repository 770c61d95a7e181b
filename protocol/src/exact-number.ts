import { isSafeNumber } from 'lossless-json';

/**
 * A JSON number kept as its exact decimal text, because a double would change it
 * (integers beyond 2^53, decimals with more than ~15 significant digits, DynamoDB's 38-digit numbers).
 */
export class ExactNumber {
  /** The number exactly as it appeared in JSON, e.g. `"12345678901234567890123"`. */
  readonly value: string;

  constructor(value: string) {
    if (!EXACT_NUMBER_TEXT.test(value)) throw new TypeError(`not a JSON number: ${JSON.stringify(value)}`);
    this.value = value;
  }

  /** The closest double: for validation and comparisons that tolerate rounding, never for storage. */
  toNumber(): number {
    return Number(this.value);
  }

  /** Whether the number is mathematically an integer (`1e40` is; `1.5e0` is not). */
  isInteger(): boolean {
    const [mantissa, exponent = '0'] = this.value.replace(/^-/, '').split(/[eE]/);
    const [whole, fraction = ''] = mantissa.split('.');
    const point = whole.length + Number(exponent);
    return /^0*$/.test((whole + fraction).slice(Math.max(point, 0)));
  }

  /**
   * The closest double that keeps the number's integer-ness: a fractional value that rounds to an
   * integer double is nudged one step away, so an `integer` schema check still rejects it; a number beyond
   * a double's range becomes the largest double of its sign.
   */
  toCheckableNumber(): number {
    let approx = this.toNumber();
    // Beyond a double's range (1e400): the largest double of that sign, still an integer, still beyond any bound a schema can write.
    if (!Number.isFinite(approx)) approx = approx > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
    if (!Number.isInteger(approx) || this.isInteger()) return approx;
    const bits = new Float64Array([approx]);
    const view = new BigInt64Array(bits.buffer);
    view[0] += approx >= 0 ? 1n : -1n;
    return bits[0];
  }

  toString(): string {
    return this.value;
  }

  /** Marks the number so {@link serializeJson} can write it back as a bare number token. */
  toJSON(): string {
    return EXACT_MARK + this.value;
  }
}

const EXACT_NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Prefix of the placeholder string an ExactNumber serializes to inside JSON.stringify; replaced afterwards. */
const EXACT_MARK = '\u0000\u0001exact:';
/** How the placeholder looks once JSON.stringify escaped it. */
const ESCAPED_MARK = JSON.stringify(EXACT_MARK).slice(1, -1);
const PLACEHOLDER = new RegExp(`"${ESCAPED_MARK.replace(/\\/g, '\\\\')}([-+0-9.eE]+)"`, 'g');

/** True when `value` is an {@link ExactNumber}. */
export function isExactNumber(value: unknown): value is ExactNumber {
  return value instanceof ExactNumber;
}

/**
 * Turns a JSON number token into a `number` when a double holds it exactly, else an {@link ExactNumber}.
 * Used as lossless-json's number parser on the slow path.
 */
export function parseNumberToken(text: string): number | ExactNumber {
  return isSafeNumber(text) ? Number(text) : new ExactNumber(text);
}

/**
 * JSON.stringify that writes {@link ExactNumber}s as bare number tokens.
 * The common case pays one substring search per call, nothing per value.
 */
export function serializeJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes(ESCAPED_MARK) ? text.replace(PLACEHOLDER, '$1') : text;
}
