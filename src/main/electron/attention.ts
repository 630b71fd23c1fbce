// When the app asks for the user's attention, as pure rules (tested under Node): a desktop notification
// only when the user is not already looking at the window, and a taskbar/dock badge counting what waits
// for them.
import type { AppSnapshot } from '../../shared/app-api';

export interface WindowAttentionState {
  destroyed: boolean;
  focused: boolean;
  visible: boolean;
  minimized: boolean;
}

/** A notification is for someone who is elsewhere: never while our window has the focus. */
export function shouldNotify(win: WindowAttentionState | null): boolean {
  if (!win || win.destroyed) return true;
  return !(win.focused && win.visible && !win.minimized);
}

/**
 * Items waiting for the user: security alerts not yet dismissed, plus `extra` — the team transfers and
 * changes awaiting the user's approval (snapshot.team.awaitingMyApproval).
 */
export function attentionCount(snapshot: Pick<AppSnapshot, 'alerts'>, extra = 0): number {
  return snapshot.alerts.length + Math.max(0, Math.trunc(extra));
}

/** The Windows taskbar has no numeric badge: an overlay icon with a description is used instead. */
export function badgeDescription(count: number): string {
  if (count <= 0) return '';
  return count === 1 ? '1 item needs your attention' : `${count} items need your attention`;
}
