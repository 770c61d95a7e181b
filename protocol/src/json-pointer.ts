/** One token of a JSON pointer (RFC 6901): `~` and `/` escaped. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The tokens of a JSON pointer (`/a~1b/0` → `["a/b", "0"]`). */
export function pointerTokens(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}
