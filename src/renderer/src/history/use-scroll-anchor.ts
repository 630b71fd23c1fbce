// Keeps the row the user is looking at in place when rows arrive above it (or the list is asked
// again): the first visible row and how far into it the list is scrolled, restored by txid.
import { useCallback, useRef, type RefObject } from 'react';
import type { TxRow } from '../../../shared/app-api';

export interface ScrollAnchor {
  txid: number;
  offset: number;
}

export function useScrollAnchor(scroller: RefObject<HTMLDivElement | null>, rowHeight: number, rowAt: (index: number) => TxRow | undefined) {
  const anchor = useRef<ScrollAnchor | null>(null);
  /** Notes the first visible row (none at the very top: new rows then simply appear there). */
  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const index = Math.floor(el.scrollTop / rowHeight);
    const row = rowAt(index);
    anchor.current = el.scrollTop > 0 && row ? { txid: row.txid, offset: el.scrollTop - index * rowHeight } : null;
  }, [scroller, rowHeight, rowAt]);
  /** The anchored row is now at `index`: scroll so that it stays where it was. */
  const restore = useCallback(
    (index: number | null) => {
      const el = scroller.current;
      const a = anchor.current;
      if (el && a && index !== null) el.scrollTop = index * rowHeight + a.offset;
    },
    [scroller, rowHeight],
  );
  return { anchor, onScroll, restore };
}
