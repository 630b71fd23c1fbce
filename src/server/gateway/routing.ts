// Which sessions belong to which account, so the back office's notifications reach every session
// of the addressed account (except the one that asked, which got the message as its answer).
import type { Notification, OutboundMessage } from '../contract';
import type { Session } from './session';

export class AccountRoutes {
  private readonly byAccount = new Map<string, Set<Session>>();

  add(s: Session): void {
    if (!s.address) return;
    let set = this.byAccount.get(s.address);
    if (!set) this.byAccount.set(s.address, (set = new Set()));
    set.add(s);
  }

  remove(s: Session): void {
    if (!s.address) return;
    const set = this.byAccount.get(s.address);
    set?.delete(s);
    if (set && set.size === 0) this.byAccount.delete(s.address);
  }

  deliver(n: Notification, send: (s: Session, m: OutboundMessage) => void): void {
    for (const s of this.byAccount.get(n.account) ?? []) if (!(n.exceptRef && s.inFlight.has(n.exceptRef))) send(s, n.message);
  }

  /** Authenticated sessions, for the metrics. */
  get sessions(): number {
    let n = 0;
    for (const set of this.byAccount.values()) n += set.size;
    return n;
  }
}
