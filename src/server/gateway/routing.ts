// Which sessions belong to which account, so the back office's notifications reach every session
// of the addressed account (except the one that asked, which got the message as its answer). A
// session acting for a team account (`act`) is routed under that account; when a member is removed,
// its sessions acting for the account are handed to `revoke` at once.
import type { Notification, OutboundMessage } from '../contract';
import type { Session } from './session';

export class AccountRoutes {
  private readonly byAccount = new Map<string, Set<Session>>();

  add(s: Session): void {
    const account = routedAccount(s);
    if (!account) return;
    let set = this.byAccount.get(account);
    if (!set) this.byAccount.set(account, (set = new Set()));
    set.add(s);
  }

  remove(s: Session): void {
    const account = routedAccount(s);
    if (!account) return;
    const set = this.byAccount.get(account);
    set?.delete(s);
    if (set && set.size === 0) this.byAccount.delete(account);
  }

  /** Routes the session under the account it now acts for (null: its own). */
  act(s: Session, account: string | null): void {
    this.remove(s);
    s.acting = account;
    this.add(s);
  }

  deliver(n: Notification, send: (s: Session, m: OutboundMessage) => void, revoke: (s: Session) => void): void {
    const sessions = [...(this.byAccount.get(n.account) ?? [])];
    if (n.revokedMember !== undefined) {
      for (const s of sessions) if (s.acting === n.account && s.address === n.revokedMember) revoke(s);
      return;
    }
    for (const s of sessions) if (!(n.exceptRef && (s.inFlight.has(n.exceptRef) || n.exceptRef.startsWith(s.refPrefix)))) send(s, n.message);
  }

  /** Authenticated sessions, for the metrics. */
  get sessions(): number {
    let n = 0;
    for (const set of this.byAccount.values()) n += set.size;
    return n;
  }
}

function routedAccount(s: Session): string | null {
  return s.acting ?? s.address;
}
