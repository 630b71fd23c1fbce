// What the dashboard and the other screens show of the history (the newest rows, pending payouts,
// currencies, the balance chart), asked of the core — the renderer never holds the whole history.
// Fetched again when the history changes: a live row (batched to one request per frame), the end of
// the initial load or of a background check, an unlock or a new login.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppSnapshot, DeskSummary } from '../../../shared/app-api';
import { treasury } from '../treasury';

export function useDeskSummary(snap: AppSnapshot | null) {
  const [summary, setSummary] = useState<DeskSummary | null>(null);
  /** Bumped whenever the history changed: History re-asks for its window too. */
  const [tick, setTick] = useState(0);
  const frame = useRef(0);
  const loaded = snap?.address && snap.account && snap.historyLoaded && !snap.locked ? `${snap.address} ${snap.historyComplete ? 'complete' : 'partial'} ${snap.historyCheck?.checked ?? ''}` : null;
  const fetchNow = useCallback(() => {
    frame.current = 0;
    setTick((t) => t + 1);
    void treasury.getDeskSummary().then(setSummary, () => undefined);
  }, []);
  /** A row arrived or changed (a live event): one request per frame however many arrive. */
  const changed = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(fetchNow);
  }, [fetchNow]);
  useEffect(() => {
    if (!loaded) {
      setSummary(null);
      return;
    }
    fetchNow();
  }, [loaded, fetchNow]);
  return { summary, tick, changed };
}
