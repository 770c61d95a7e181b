import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mailmap } from './mailmap.js';

const ALIASES = `# people with several accounts
Ana Núñez <ana@acme.io>
<robert@acme.io> <bob@old-mail.com>
Robert Smith <robert@acme.io> <BOB@home.example>
Carol C. <carol@globex.com> carol <c@globex.com>   # only that name with that e-mail
`;

/** Identities as commits carry them, and what git's own check-mailmap makes of them. */
const CASES = ['Ana <ANA@Acme.io>', 'bob <bob@old-mail.com>', 'Bob <bob@home.example>', 'CAROL <c@globex.com>', 'Carla <c@globex.com>', 'Dan <dan@x.io>'];

describe('compute-bills: mailmap-style aliases', () => {
  it('maps names and e-mails like git check-mailmap does', function () {
    const mailmap = new Mailmap(ALIASES);
    const dir = mkdtempSync(join(tmpdir(), 'mailmap-'));
    try {
      execFileSync('git', ['init', '--quiet', dir]);
      writeFileSync(join(dir, '.mailmap'), ALIASES);
      const fromGit = execFileSync('git', ['-C', dir, 'check-mailmap', ...CASES], { encoding: 'utf8' })
        .trim()
        .split('\n');
      const ours = CASES.map((c) => {
        const [, name, email] = /^(.*) <(.*)>$/.exec(c)!;
        const alias = mailmap.resolve(name, email);
        return `${alias.name ?? name} <${alias.email ?? email}>`;
      });
      expect(ours).to.deep.equal(fromGit);
      expect(ours).to.deep.equal([
        'Ana Núñez <ANA@Acme.io>',
        'bob <robert@acme.io>',
        'Robert Smith <robert@acme.io>',
        'Carol C. <carol@globex.com>',
        'Carla <c@globex.com>',
        'Dan <dan@x.io>',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a line that is none of the four forms, naming it', () => {
    expect(() => new Mailmap('Good <a@b>\nno brackets here\n', 'people.mailmap')).to.throw(/people\.mailmap line 2: not "Name <email>"/);
    expect(() => new Mailmap('<a@b> <c@d> <e@f>')).to.throw(/line 1/);
    expect(() => new Mailmap('Name <>')).to.throw(/line 1/);
  });
});
