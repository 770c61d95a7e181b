import type { Mailmap } from './mailmap.js';

/** One commit as compute-bills reads it from the warehouse. */
export interface CommitRow {
  namespace: string;
  repository: string;
  hash: string;
  author_name: string;
  author_email: string;
  /** The commit's instant on the billing clock (`month_column`, `seen_at` by default). */
  billed_at: Date;
}

/** Which commits are not people's work: sentinel hashes and bot accounts. */
export interface ExclusionRules {
  /** Object names to drop (sentinel or fixture commits). */
  hashes: readonly string[];
  /** Regular expressions, case-insensitive, tested against `Name <email>` as committed (before aliases). */
  authors: readonly string[];
}

/** The commit that stands for an author in a group, and the author's latest identity. */
interface Activity {
  /** Lowercase canonical e-mail: the author's key. */
  key: string;
  /** The alias e-mail and name given for the author's latest commit that has them (aliases may differ in case). */
  aliasEmail?: { value: string; row: CommitRow };
  aliasName?: { value: string; row: CommitRow };
  latest: CommitRow;
  byGroup: Map<string, CommitRow>;
}

/** The authors of a month's commits, ready to bill once the groups' organizations are known. */
export interface MonthActivity {
  authors: Map<string, Activity>;
  groups: Set<string>;
  commits: number;
  /** Commits dropped, by rule (`hash` or the author pattern). */
  excluded: Record<string, number>;
}

/** Later on the billing clock first; ties broken by object name so the choice never depends on row order. */
function isLater(a: CommitRow, b: CommitRow): boolean {
  const diff = a.billed_at.getTime() - b.billed_at.getTime();
  return diff !== 0 ? diff > 0 : a.hash > b.hash;
}

/**
 * Groups a month's commits by author: excluded commits dropped, aliases applied, e-mails compared
 * without case. Pure but for reading `rows` (streamed from the warehouse).
 */
export async function collectActivity(rows: AsyncIterable<CommitRow> | Iterable<CommitRow>, mailmap: Mailmap, rules: ExclusionRules): Promise<MonthActivity> {
  const hashes = new Set(rules.hashes.map((h) => h.toLowerCase()));
  const patterns = rules.authors.map((source) => {
    try {
      return { source, regex: new RegExp(source, 'iu') };
    } catch (error) {
      throw new Error(`exclude_authors: ${JSON.stringify(source)} is not a regular expression: ${(error as Error).message}`);
    }
  });
  const activity: MonthActivity = { authors: new Map(), groups: new Set(), commits: 0, excluded: {} };
  const drop = (rule: string) => void (activity.excluded[rule] = (activity.excluded[rule] ?? 0) + 1);
  for await (const row of rows) {
    if (hashes.has(row.hash.toLowerCase())) {
      drop('hash');
      continue;
    }
    const who = `${row.author_name} <${row.author_email}>`;
    const bot = patterns.find((p) => p.regex.test(who));
    if (bot) {
      drop(bot.source);
      continue;
    }
    activity.commits++;
    activity.groups.add(row.namespace);
    const alias = mailmap.resolve(row.author_name, row.author_email);
    const key = (alias.email ?? row.author_email).toLowerCase();
    let author = activity.authors.get(key);
    if (!author) {
      author = { key, latest: row, byGroup: new Map() };
      activity.authors.set(key, author);
    }
    if (alias.email && (!author.aliasEmail || isLater(row, author.aliasEmail.row))) author.aliasEmail = { value: alias.email, row };
    if (alias.name && (!author.aliasName || isLater(row, author.aliasName.row))) author.aliasName = { value: alias.name, row };
    if (isLater(row, author.latest)) author.latest = row;
    const inGroup = author.byGroup.get(row.namespace);
    if (!inGroup || isLater(row, inGroup)) author.byGroup.set(row.namespace, row);
  }
  return activity;
}

/** One line of a group's bill. */
export interface BillLine {
  /** `Name <email>`. */
  actor: string;
  /** The groups of the same organization the author committed to this month (this group included), sorted. */
  groups: string[];
  /** One commit of the author in this group: the latest on the billing clock. */
  commit: string;
  /** Its repository. */
  repository: string;
}

/** What {@link billGroups} decided. */
export interface GroupBills {
  /** Bill lines per group, sorted by author e-mail; groups in name order. */
  bills: Map<string, BillLine[]>;
  /** Groups the platform gave no organization (not billed when `missing` is `report`). */
  withoutOrganization: string[];
}

/**
 * Builds each group's bill. A group without an organization is billed alone (`standalone`) or
 * left out and reported (`report`). Pure.
 * @param organizationOf - the platform's answer per group: an organization, or null
 */
export function billGroups(activity: MonthActivity, organizationOf: ReadonlyMap<string, string | null>, missing: 'report' | 'standalone'): GroupBills {
  const withoutOrganization = [...activity.groups].filter((g) => (organizationOf.get(g) ?? null) === null).sort();
  const bills = new Map<string, BillLine[]>();
  for (const group of [...activity.groups].sort()) {
    const organization = organizationOf.get(group) ?? null;
    if (organization === null && missing === 'report') continue;
    const lines: BillLine[] = [];
    for (const author of [...activity.authors.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      const commit = author.byGroup.get(group);
      if (!commit) continue;
      const groups = organization === null ? [group] : [...author.byGroup.keys()].filter((g) => organizationOf.get(g) === organization).sort();
      const name = author.aliasName?.value ?? author.latest.author_name;
      lines.push({ actor: `${name} <${author.aliasEmail?.value ?? author.key}>`, groups, commit: commit.hash, repository: commit.repository });
    }
    bills.set(group, lines);
  }
  return { bills, withoutOrganization };
}
