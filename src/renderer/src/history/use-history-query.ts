// History's rows, asked of the core a window at a time (queryTransactions): the core filters, searches
// and sorts its own index; the renderer keeps only the pages around what is on screen. Asked again
// when the query changes or the history does (`tick`), keeping the user's row in place (the anchor).
// A result is one version of the core's index: the count, the anchored row's place and every page must
// come from the same one (a row arriving between two requests shifted the pages against the count,
// and the anchor slipped to the row below).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { TxQuery, TxRow } from '../../../shared/app-api';
import { treasury } from '../treasury';
import type { ScrollAnchor } from './use-scroll-anchor';

const PAGE = 100;
/** Pages kept around the visible ones; the rest are dropped (the renderer never holds the history). */
const KEEP_PAGES = 6;

/** Times a result is asked again when a row arrived between its requests (then the next tick's result follows). */
const CONSISTENT_TRIES = 3;

interface Result {
  gen: number;
  /** The core's index version all of this result's pages come from. */
  version: number;
  total: number;
  all: number;
  pages: Map<number, TxRow[]>;
  /** Where the anchored row is in this result (to restore the scroll position once it is drawn). */
  anchorIndex: number | null;
}

export function useHistoryQuery(query: TxQuery, tick: number, anchor: { current: ScrollAnchor | null }, onAnchor: (index: number | null) => void) {
  const [result, setResult] = useState<Result>({ gen: 0, version: -1, total: 0, all: 0, pages: new Map(), anchorIndex: null });
  /** Bumped when a page came from another version of the index than the result's: the result is asked again. */
  const [stale, setStale] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const gen = useRef(0);
  const range = useRef({ start: 0, end: 40 });
  const current = useRef(result);
  current.current = result;
  const key = JSON.stringify(query);
  const queryRef = useRef(query);
  queryRef.current = query;

  const fetchPage = (q: TxQuery, page: number) => treasury.queryTransactions({ ...q, offset: page * PAGE, limit: PAGE });
  const pagesFor = (start: number, end: number) => {
    const out: number[] = [];
    for (let p = Math.floor(Math.max(0, start) / PAGE); p <= Math.floor(Math.max(0, end) / PAGE); p++) out.push(p);
    return out;
  };

  // A new query, or the history changed: ask again from the anchored row (or where the view is).
  useEffect(() => {
    const g = ++gen.current;
    const q = queryRef.current;
    void (async () => {
      try {
        const a = anchor.current;
        for (let tries = 1; ; tries++) {
          // Without an anchor the view's first page comes with the count, in one round trip (a search's
          // answer then takes one trip over the bridge, not two); an anchored row's page is known only after.
          const first = a ? null : Math.floor(Math.max(0, range.current.start) / PAGE);
          const head = await treasury.queryTransactions({ ...q, ...(a ? { offset: 0, limit: 0, anchorTxid: a.txid } : { offset: first! * PAGE, limit: PAGE }) });
          if (g !== gen.current) return;
          const span = range.current.end - range.current.start;
          const start = head.anchorIndex ?? (a ? 0 : range.current.start);
          const wanted = pagesFor(start, Math.min(head.total - 1, start + span));
          const pages = new Map<number, TxRow[]>();
          if (first !== null && wanted.includes(first)) pages.set(first, head.rows);
          const rest = wanted.filter((p) => !pages.has(p));
          let consistent = true;
          for (const [p, page] of await Promise.all(rest.map(async (p) => [p, await fetchPage(q, p)] as const))) {
            pages.set(p, page.rows);
            if (page.version !== head.version) consistent = false;
          }
          if (g !== gen.current) return;
          if (!consistent && tries < CONSISTENT_TRIES) continue;
          setResult({ gen: g, version: head.version, total: head.total, all: head.all, pages, anchorIndex: a ? head.anchorIndex : null });
          setLoaded(true);
          return;
        }
      } catch {
        // Logged out or locked meanwhile: the screen goes away.
      }
    })();
  }, [key, tick, stale, anchor]);

  // Once the new result is drawn, put the anchored row back where it was.
  useLayoutEffect(() => {
    if (result.anchorIndex !== null) onAnchor(result.anchorIndex);
  }, [result, onAnchor]);

  /** The virtual list shows rows start…end: fetch the pages it lacks, drop the far ones. */
  const setRange = useCallback((start: number, end: number) => {
    range.current = { start, end };
    const r = current.current;
    if (r.gen !== gen.current) return; // a new result is on its way
    const missing = pagesFor(start, Math.min(end, r.total - 1)).filter((p) => !r.pages.has(p));
    if (!missing.length) return;
    const g = r.gen;
    void Promise.all(missing.map(async (p) => [p, await fetchPage(queryRef.current, p)] as const)).then(
      (got) => {
        if (g !== gen.current) return;
        // The index changed since the result: these pages would not line up with its count; ask it all again.
        if (got.some(([, page]) => page.version !== r.version)) return setStale((n) => n + 1);
        setResult((prev) => {
          if (prev.gen !== g) return prev;
          const pages = new Map(prev.pages);
          for (const [p, page] of got) pages.set(p, page.rows);
          const centre = Math.floor(start / PAGE);
          for (const p of pages.keys()) if (Math.abs(p - centre) > KEEP_PAGES) pages.delete(p);
          return { ...prev, pages, anchorIndex: null };
        });
      },
      () => undefined,
    );
  }, []);

  const rowAt = useCallback((index: number): TxRow | undefined => current.current.pages.get(Math.floor(index / PAGE))?.[index % PAGE], []);
  return { total: result.total, all: result.all, loaded, rowAt, setRange, version: result };
}
