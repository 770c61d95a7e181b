import { expect } from 'chai';
import { commitsQuery, quoteIdentifier } from './commits-query.js';

describe('compute-bills: the SQL it runs', () => {
  it('declares a cursor over [start, end) of the billing column, quoting identifiers, in a read-only transaction', () => {
    expect(commitsQuery('git', 'Commits "x"', 'seen_at', new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'))).to.deep.equal({
      begin: 'BEGIN READ ONLY',
      declare:
        'DECLARE observes_bill_commits CURSOR FOR SELECT namespace, repository, hash, author_name, author_email, "seen_at" AS billed_at ' +
        `FROM "git"."Commits ""x""" WHERE "seen_at" >= '2026-11-01 00:00:00.000+00'::timestamptz AND "seen_at" < '2026-12-01 00:00:00.000+00'::timestamptz`,
      fetch: 'FETCH FORWARD 1000 FROM observes_bill_commits',
      close: 'CLOSE observes_bill_commits',
    });
  });

  it('refuses an empty identifier', () => {
    expect(() => quoteIdentifier('')).to.throw(/not an identifier/);
  });
});
