import { causeChain } from './errors.js';

/**
 * An error in words with its causes, outermost first, joined by `: `
 * (`cannot read the state: state at s3://… is not valid JSON: Unexpected token`), each message once.
 */
export function errorText(error: unknown): string {
  return causeChain(error).join(': ');
}
