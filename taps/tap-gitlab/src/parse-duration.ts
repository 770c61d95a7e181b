const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Parses a duration such as `8h`, `90m`, `1h30m`, `2d` or `45s` into milliseconds.
 * @throws Error naming the text when it is not a positive duration
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([smhdw])/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== trimmed.replace(/\s/g, '')) {
    throw new Error(`"${text}" is not a duration: use a number and a unit s, m, h, d or w, e.g. 8h or 1h30m`);
  }
  const ms = parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNIT_SECONDS[unit] * 1000, 0);
  if (ms <= 0) throw new Error(`"${text}" is not a positive duration`);
  return ms;
}
