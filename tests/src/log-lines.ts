/**
 * The messages of a program's stderr, one per line, for tests to search: the `message` of each JSON log
 * entry (quotes unescaped), or the line itself when it is not JSON. Observes programs log JSON lines on
 * stderr when it is not a TTY, so `"`-quoted names in messages arrive escaped in the raw text.
 */
export function logMessages(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { message?: unknown };
        return typeof entry.message === 'string' ? entry.message : line;
      } catch {
        return line;
      }
    })
    .join('\n');
}
