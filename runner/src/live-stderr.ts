/**
 * Stderr shared by log lines and, on a TTY, one live status line (the progress): each line is printed
 * above the status line, which is then redrawn below it, so the two are never glued together.
 */
export class LiveStderr {
  private status = '';

  /**
   * @param out - where text goes (default `process.stderr`)
   * @param tty - whether a status line can be redrawn in place (default: stderr is a TTY)
   */
  constructor(
    private readonly out: (text: string) => void = (text) => process.stderr.write(text),
    readonly tty: boolean = Boolean(process.stderr.isTTY),
  ) {}

  /** Writes one line (a newline is added when missing). */
  line(text: string): void {
    const line = text.endsWith('\n') ? text : `${text}\n`;
    this.out(this.tty && this.status ? `\r\x1b[K${line}${this.status}` : line);
  }

  /** Shows `text` as the status line, replacing the previous one (nothing when not a TTY). */
  show(text: string): void {
    if (!this.tty) return;
    this.status = text;
    this.out(`\r\x1b[K${text}`);
  }

  /** Removes the status line. */
  clear(): void {
    if (this.tty && this.status) this.out('\r\x1b[K');
    this.status = '';
  }
}
