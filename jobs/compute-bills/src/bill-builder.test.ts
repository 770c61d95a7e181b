import { expect } from 'chai';
import { billGroups, collectActivity, type CommitRow } from './bill-builder.js';
import { billCsv, billFileName } from './bill-csv.js';
import { Mailmap } from './mailmap.js';

const h = (n: number) => n.toString(16).padStart(40, '0');
const row = (n: number, namespace: string, name: string, email: string, day = 10, repository = 'repo'): CommitRow => ({
  namespace,
  repository,
  hash: h(n),
  author_name: name,
  author_email: email,
  billed_at: new Date(`2026-11-${String(day).padStart(2, '0')}T12:00:00Z`),
});

const ROWS: CommitRow[] = [
  row(1, 'acme-web', 'Ana', 'ana@acme.io', 3, 'web'),
  row(2, 'acme-api', 'ana', 'ANA@ACME.IO', 4, 'api'),
  row(3, 'acme-web', 'Bob', 'bob@old-mail.com', 5, 'web'),
  row(4, 'globex', 'Robert', 'robert@acme.io', 6, 'tools'),
  row(5, 'acme-web', 'dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com', 7, 'web'),
  row(6, 'acme-web', 'Importer', 'importer@acme.io', 1, 'web'),
  row(7, 'globex', 'Carol', 'carol@globex.com', 2, 'site'),
  row(8, 'globex', 'Carol', 'carol@globex.com', 9, 'tools'),
];
const RULES = { hashes: [h(6)], authors: ['\\[bot\\]'] };
const MAILMAP = new Mailmap('Ana Núñez <ana@acme.io>\nRobert Smith <robert@acme.io> <bob@old-mail.com>\n');
const ORGS = new Map<string, string | null>([
  ['acme-web', 'acme'],
  ['acme-api', 'acme'],
  ['globex', 'globex'],
]);

describe('compute-bills: bills from a month of commits', () => {
  it("drops sentinel and bot commits, merges e-mails without case and by alias, and lists each author's groups of the same organization", async () => {
    const activity = await collectActivity(ROWS, MAILMAP, RULES);
    expect(activity.excluded).to.deep.equal({ hash: 1, '\\[bot\\]': 1 });
    expect(activity.commits).to.equal(6);
    const { bills, withoutOrganization } = billGroups(activity, ORGS, 'report');
    expect(withoutOrganization).to.deep.equal([]);
    expect(Object.fromEntries(bills)).to.deep.equal({
      'acme-api': [{ actor: 'Ana Núñez <ana@acme.io>', groups: ['acme-api', 'acme-web'], commit: h(2), repository: 'api' }],
      'acme-web': [
        { actor: 'Ana Núñez <ana@acme.io>', groups: ['acme-api', 'acme-web'], commit: h(1), repository: 'web' },
        { actor: 'Robert Smith <robert@acme.io>', groups: ['acme-web'], commit: h(3), repository: 'web' },
      ],
      globex: [
        { actor: 'Carol <carol@globex.com>', groups: ['globex'], commit: h(8), repository: 'tools' },
        { actor: 'Robert Smith <robert@acme.io>', groups: ['globex'], commit: h(4), repository: 'tools' },
      ],
    });
  });

  it('gives the same bills whatever the order of the rows', async () => {
    const expected = billGroups(await collectActivity(ROWS, MAILMAP, RULES), ORGS, 'report');
    for (let seed = 1; seed <= 5; seed++) {
      const shuffled = [...ROWS].sort((a, b) => ((Number(`0x${a.hash.slice(-4)}`) * seed) % 7) - ((Number(`0x${b.hash.slice(-4)}`) * seed) % 7));
      expect(billGroups(await collectActivity(shuffled, MAILMAP, RULES), ORGS, 'report')).to.deep.equal(expected);
    }
  });

  it('reports a group without an organization, or bills it alone', async () => {
    const activity = await collectActivity([...ROWS, row(9, 'orphan', 'Ana', 'ana@acme.io', 12, 'lost')], MAILMAP, RULES);
    const orgs = new Map(ORGS).set('orphan', null);
    const reported = billGroups(activity, orgs, 'report');
    expect(reported.withoutOrganization).to.deep.equal(['orphan']);
    expect([...reported.bills.keys()]).to.deep.equal(['acme-api', 'acme-web', 'globex']);
    const alone = billGroups(activity, orgs, 'standalone');
    expect(alone.bills.get('orphan')).to.deep.equal([{ actor: 'Ana Núñez <ana@acme.io>', groups: ['orphan'], commit: h(9), repository: 'lost' }]);
    expect(alone.bills.get('acme-web')![0].groups).to.deep.equal(['acme-api', 'acme-web']);
  });

  it('writes RFC 4180 CSV with a header, quoting what needs it, and safe file names', () => {
    expect(billCsv([{ actor: 'Ann "Nan", Jr <a@b>', groups: ['x', 'y'], commit: h(1), repository: 'r' }])).to.equal(
      `actor,groups,commit,repository\n"Ann ""Nan"", Jr <a@b>","x, y",${h(1)},r\n`,
    );
    expect(billCsv([])).to.equal('actor,groups,commit,repository\n');
    expect(billFileName('beta/platform')).to.equal('beta%2Fplatform.csv');
  });
});
