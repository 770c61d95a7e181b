/**
 * Author aliases in git's mailmap format (gitmailmap(5)), so accounts of one person are one author on
 * a bill. One entry per line; `#` starts a comment:
 *
 * ```
 * Proper Name <proper@example.com>                              # sets the name for that e-mail
 * <proper@example.com> <old@example.com>                        # maps an e-mail
 * Proper Name <proper@example.com> <old@example.com>            # maps an e-mail, sets the name
 * Proper Name <proper@example.com> Old Name <old@example.com>   # maps that name with that e-mail only
 * ```
 *
 * As in git, e-mails and names match case-insensitively, an entry naming the commit's name wins over
 * one that only gives its e-mail, and lines for the same e-mail (without a name) add up.
 */

/** Who an author is once the aliases are applied (`undefined` fields: keep the commit's). */
export interface MailmapIdentity {
  name?: string;
  email?: string;
}

interface Entry {
  properName?: string;
  properEmail?: string;
}

/** A parsed alias file. */
export class Mailmap {
  /** By lowercase commit e-mail: the entry without a commit name, and entries by lowercase commit name. */
  private readonly byEmail = new Map<string, { any?: Entry; byName: Map<string, Entry> }>();

  /**
   * Parses the text of an alias file.
   * @param source - names the file in errors
   * @throws naming the line of an entry that is not one of the four forms
   */
  constructor(text: string, source = 'aliases') {
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      const parts: Array<{ name: string; email: string }> = [];
      const pattern = /([^<>]*)<([^<>]*)>/g;
      let consumed = 0;
      let match: RegExpExecArray | null;
      while ((match = pattern.exec(line))) {
        parts.push({ name: match[1].trim(), email: match[2].trim() });
        consumed = pattern.lastIndex;
      }
      if (parts.length === 0 || parts.length > 2 || line.slice(consumed).trim() !== '' || parts.some((p) => p.email === '')) {
        throw new Error(`${source} line ${index + 1}: not "Name <email>", "<email> <old email>" or "Name <email> [Old Name] <old email>": ${raw.trim()}`);
      }
      const [proper, commit = proper] = parts;
      const entry: Entry = { ...(proper.name ? { properName: proper.name } : {}), ...(parts.length === 2 ? { properEmail: proper.email } : {}) };
      const slot: { any?: Entry; byName: Map<string, Entry> } = this.byEmail.get(commit.email.toLowerCase()) ?? { byName: new Map() };
      if (parts.length === 2 && commit.name) slot.byName.set(commit.name.toLowerCase(), entry);
      else slot.any = { ...slot.any, ...entry };
      this.byEmail.set(commit.email.toLowerCase(), slot);
    });
  }

  /** What the aliases say about a commit's author. */
  resolve(name: string, email: string): MailmapIdentity {
    const slot = this.byEmail.get(email.toLowerCase());
    if (!slot) return {};
    const entry = slot.byName.get(name.toLowerCase()) ?? slot.any;
    return entry ? { name: entry.properName, email: entry.properEmail } : {};
  }
}
