import { isExactNumber } from './exact-number.js';
import { escapePointerToken } from './json-pointer.js';

/** A string in a record that no warehouse can store as it is. */
export interface TextProblem {
  /** JSON pointer of the value (or of the property whose name holds the bad text). */
  pointer: string;
  /** What is wrong, in words. */
  problem: string;
}

function problemOf(text: string): string | undefined {
  if (text.includes('\u0000')) return 'holds a NUL character (U+0000), which Redshift and PostgreSQL cannot store';
  if (!text.isWellFormed()) return 'holds a lone surrogate (text that is not Unicode)';
  return undefined;
}

/** The first string (value or property name) of `value` holding a NUL character or a lone surrogate. */
export function findBadText(value: unknown, pointer = ''): TextProblem | undefined {
  if (typeof value === 'string') {
    const problem = problemOf(value);
    return problem ? { pointer: pointer || '/', problem: `the string ${problem}` } : undefined;
  }
  if (value === null || typeof value !== 'object' || isExactNumber(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findBadText(value[i], `${pointer}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = `${pointer}/${escapePointerToken(key)}`;
    const problem = problemOf(key);
    if (problem) return { pointer: at, problem: `the property name ${problem}` };
    const found = findBadText(item, at);
    if (found) return found;
  }
  return undefined;
}

/** Replaces, in place, NUL characters and lone surrogates of every string of `value` with U+FFFD; returns how many. */
export function replaceBadText(value: unknown): number {
  let count = 0;
  const fix = (text: string): string => {
    if (!text.includes('\u0000') && text.isWellFormed()) return text;
    const fixed = text.toWellFormed().replace(/\u0000/g, '\uFFFD');
    for (let i = 0; i < fixed.length; i++) if (fixed.charCodeAt(i) === 0xfffd && text.charCodeAt(i) !== 0xfffd) count++;
    return fixed;
  };
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return fix(node);
    if (node === null || typeof node !== 'object' || isExactNumber(node)) return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i]);
      return node;
    }
    const object = node as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const item = visit(object[key]);
      const fixedKey = fix(key);
      if (fixedKey !== key) {
        delete object[key];
        object[fixedKey] = item;
      } else {
        object[key] = item;
      }
    }
    return node;
  };
  visit(value);
  return count;
}
