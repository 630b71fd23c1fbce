// The company accounts a key has acted for, per profile and key (latest first), so the app can offer
// them again at the next login. Only addresses, never anything about the accounts; a broken file is
// ignored and rewritten on the next change.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const MAX_REMEMBERED = 10;
const Schema = z.record(z.string().max(200), z.array(z.string().max(100)).max(MAX_REMEMBERED));

export class TeamAccountsStore {
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'team-accounts.json');
  }

  private load(): Record<string, string[]> {
    try {
      const parsed = Schema.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  recent(profileId: string, member: string): string[] {
    return this.load()[`${profileId}/${member}`] ?? [];
  }

  remember(profileId: string, member: string, account: string): void {
    const all = this.load();
    const key = `${profileId}/${member}`;
    all[key] = [account, ...(all[key] ?? []).filter((a) => a !== account)].slice(0, MAX_REMEMBERED);
    this.save(all);
  }

  forget(profileId: string, member: string, account: string): void {
    const all = this.load();
    const key = `${profileId}/${member}`;
    all[key] = (all[key] ?? []).filter((a) => a !== account);
    this.save(all);
  }

  private save(all: Record<string, string[]>): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      // Only a convenience: the user types the address again.
    }
  }
}
