// The desk end to end with 100,000 transactions (BENCH_SCALE scales it): a real ccc-server seeded with
// deposits while the app is logged in (every one arrives live: the app must keep up with the burst), the
// real core with the virtual Ledger behind the dev bridge, and Debian's Chromium running the real renderer.
// Figures:
//  - first login (no local cache: the newest page, then the full replay in the background, which writes
//    the cache) and the returning user (from the cache): from the click on "Connect" to the first frame
//    with the balances and the newest history rows, timed in the page; and where that time goes (the
//    virtual Ledger approves at once, so this is the app's own time; goal ≤ 1.5 s from the approval);
//  - search, filter and sort in the History screen: from the input to the new result painted (goal ≤ 100 ms);
//  - the renderer's JavaScript heap with the whole history loaded (goal ≤ 250 MiB).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../src/server/serve';
import { runAppInBrowser } from '../src/devbridge/run-app-in-browser';
import { tempDir, testRules } from '../test/helpers/server';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/ui';
import { round, scale } from './stats';
import buildApp from '../test/global-setup';

const IBAN = 'DE89370400440532013000';

/** Where the bench is (stderr), so a long run shows its progress and a stop shows its phase. */
function phase(text: string): void {
  process.stderr.write(`[desk-e2e ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

export async function benchDeskEndToEnd(opts: { print?: boolean } = {}) {
  const count = scale(100_000);
  buildApp(); // the renderer of this source tree (out/renderer), as the tests build it

  const server = await startServer({ port: 0, dataDir: tempDir('ccc-bench-desk-srv-'), rules: testRules() });
  const dataDir = tempDir('ccc-bench-desk-app-');
  const app = await runAppInBrowser({ endpoint: server.url, trustedAddress: server.backofficeAddress, dataDir, exportDir: tempDir('ccc-bench-desk-exp-') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  try {
    await page.goto(app.bridge.url);
    await page.getByTestId('connect').click();
    await page.getByTestId('register-form').waitFor();
    const core = app.core;
    await core.register({ name: 'Bench Treasury Ltd', email: 'bench@example.com', country: 'DE', currency: 'EUR' });
    const address = (await core.getSnapshot()).address!;
    await server.backOffice.admin({ command: 'verify', address });
    const s0 = performance.now();
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      batch.push(server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: i % 3 ? 'EUR' : 'USD', amount: i % 50 === 0 ? '12500.00' : `${(i % 9000) + 1}.${String(i % 100).padStart(2, '0')}`, reference: `Batch ${i}` }));
      if (batch.length === 2000) await Promise.all(batch.splice(0));
      if ((i + 1) % 10_000 === 0) phase(`seeded ${i + 1} of ${count}`);
    }
    await Promise.all(batch);
    const seedSeconds = (performance.now() - s0) / 1000;
    const afterSeed = await core.getSnapshot();
    phase(`seeding done in ${round(seedSeconds, 1)} s; the core: ${afterSeed.connection}, ${afterSeed.alerts.length} alerts${afterSeed.alerts[0] ? ` (${afterSeed.alerts[0].summary})` : ''}`);

    const loginToScreen = async () => {
      await core.logout();
      await page.reload();
      await page.getByTestId('connect').waitFor();
      // Timed in the page (its clock and this process's are the same wall clock, in ms since the epoch): the
      // click on Connect and the first frame with the balances and the newest rows. Playwright's own wait runs
      // in this process, whose event loop the background replay keeps busy, so it notices the screen late.
      // (A string: the bundler's helpers for named functions do not exist in the page.)
      await page.evaluate(`
        document.querySelector('[data-testid=connect]').addEventListener('click', () => { window.benchClickedAt ??= performance.timeOrigin + performance.now(); }, { capture: true });
        window.benchShownAt = new Promise((resolve) => {
          const mo = new MutationObserver(() => {
            if (!document.querySelector('[data-testid=balances]') || !document.querySelector('[data-testid=latest-activity]')) return;
            mo.disconnect();
            requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
          });
          mo.observe(document.body, { subtree: true, childList: true });
        });
        undefined; // (not the promise: evaluate would wait for it)
      `);
      // Where the time goes: the core's own events, timed here (same process).
      const epoch = () => performance.timeOrigin + performance.now();
      const marks: { coreStarted?: number; signLogin?: number; historyShown?: number } = {};
      const stop = core.onEvent((e) => {
        const now = epoch();
        if (e.type === 'login-step') {
          marks.coreStarted ??= now;
          if (e.step === 'confirm-login') marks.signLogin ??= now; // the device is asked; the virtual Ledger approves at once
        }
        if (e.type === 'snapshot' && e.snapshot.historyLoaded) marks.historyShown ??= now;
      });
      const t0 = performance.now();
      await page.getByTestId('connect').click();
      await page.getByTestId('balances').waitFor({ timeout: 600_000 });
      await page.getByTestId('latest-activity').waitFor({ timeout: 600_000 });
      const { clickedAt, shownAt } = (await page.evaluate('(async () => ({ clickedAt: window.benchClickedAt, shownAt: await window.benchShownAt }))()')) as { clickedAt: number; shownAt: number };
      const ms = shownAt - clickedAt;
      stop();
      const since = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? round(b - a) : null);
      const breakdown = {
        clickToCoreMs: since(clickedAt, marks.coreStarted),
        deviceAndServerConnectMs: since(marks.coreStarted, marks.signLogin),
        loginApprovedToHistoryInCoreMs: since(marks.signLogin, marks.historyShown),
        coreToScreenMs: since(marks.historyShown, shownAt),
        loginApprovedToScreenMs: since(marks.signLogin, shownAt),
      };
      // Then wait until every row is verified and in the renderer (the background check of a cached history).
      await page.waitForFunction(() => !document.querySelector('[data-testid=activity-loading]'), undefined, { timeout: 600_000 });
      const t1 = performance.now();
      for (let snap = await core.getSnapshot(); !snap.historyComplete; snap = await core.getSnapshot()) {
        if (performance.now() - t1 > 600_000) throw new Error(`the history was not complete 10 minutes after the screen: ${JSON.stringify({ connection: snap.connection, historyCheck: snap.historyCheck, lastError: snap.lastError, alerts: snap.alerts.length })}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return { toFirstScreenMs: ms, breakdown, toCompleteSeconds: (performance.now() - t0) / 1000, checkAfterScreenSeconds: (performance.now() - t1) / 1000 };
    };
    // The first login on this computer: no local cache (the one written from the live deposits is removed).
    await core.logout();
    fs.rmSync(path.join(dataDir, 'history'), { recursive: true, force: true });
    phase('first login (no local cache)');
    const first = await loginToScreen(); // full replay, every row verified; writes the cache
    phase(`first login: ${round(first.toFirstScreenMs)} ms to the screen ${JSON.stringify(first.breakdown)}, complete after ${round(first.toCompleteSeconds, 1)} s; returning user`);
    const again = await loginToScreen(); // from the cache
    phase(`returning user: ${round(again.toFirstScreenMs)} ms to the screen ${JSON.stringify(again.breakdown)}, complete after ${round(again.toCompleteSeconds, 1)} s; History`);
    // Once the history is complete, History's sort orders are sorted ahead in the background: how long that
    // takes, and History timed after it (as a user finds it a few seconds after the login).
    const w0 = performance.now();
    while (core.sortingAhead && performance.now() - w0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    const sortingAheadSeconds = (performance.now() - w0) / 1000;
    // The history screen with every row.
    await page.getByRole('button', { name: /^History/ }).click();
    await page.getByTestId('history-count').getByText(new RegExp(`of ${(count + 0).toLocaleString('en-US')} transactions`)).waitFor({ timeout: 600_000 });
    // Where a History answer's time goes: in the page, from the input to the first query sent to the core
    // (the renderer's own work before asking); the core's own time for the queries (this process); the rest
    // is the bridge's socket and drawing the answer.
    const coreQueryMs: number[] = [];
    const queryTransactions = core.queryTransactions.bind(core);
    core.queryTransactions = async (q) => {
      const t = performance.now();
      try {
        return await queryTransactions(q);
      } finally {
        coreQueryMs.push(performance.now() - t);
      }
    };
    await page.evaluate(`(() => {
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        if (String(data).includes('"queryTransactions"')) window.benchQuerySentAt ??= performance.now();
        return send.call(this, data);
      };
    })()`);
    // Timed inside the page: from the input event to the moment the screen shows the new result.
    type Timing = { ms: number; toQuerySentMs: number; coreMs: number };
    const splits: Record<string, Timing> = {};
    const inPage = async (what: { kind: 'search' | 'currency' | 'sort'; value: string }, label?: string): Promise<number> => {
      coreQueryMs.length = 0;
      const r = await page.evaluate(async ({ kind, value }) => {
        const watched = kind === 'sort' ? document.querySelector('.vbody')! : document.querySelector('[data-testid=history-count]')!;
        const changed = new Promise<number>((resolve) => {
          setTimeout(() => resolve(Number.NaN), 20_000); // nothing changed on screen: no figure rather than a hang
          const mo = new MutationObserver(() => {
            mo.disconnect();
            requestAnimationFrame(() => resolve(performance.now()));
          });
          mo.observe(watched, { subtree: true, childList: true, characterData: true, attributes: kind === 'sort' });
        });
        const w = window as unknown as { benchQuerySentAt?: number };
        w.benchQuerySentAt = undefined;
        const t0 = performance.now();
        if (kind === 'sort') {
          [...document.querySelectorAll<HTMLButtonElement>('button.sort')].find((b) => b.textContent?.startsWith('Amount'))!.click();
        } else {
          const el = kind === 'search' ? document.querySelector<HTMLInputElement>('input[type=search]')! : [...document.querySelectorAll<HTMLSelectElement>('.filters select')][0];
          const proto = kind === 'search' ? HTMLInputElement.prototype : HTMLSelectElement.prototype;
          Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value);
          el.dispatchEvent(new Event(kind === 'search' ? 'input' : 'change', { bubbles: true }));
        }
        const shown = await changed;
        return { ms: shown - t0, toQuerySentMs: (w.benchQuerySentAt ?? Number.NaN) - t0 };
      }, what);
      const coreMs = coreQueryMs.reduce((a, b) => a + b, 0);
      if (label) splits[label] = { ms: round(r.ms), toQuerySentMs: round(r.toQuerySentMs), coreMs: round(coreMs) };
      return r.ms;
    };
    const searchMs = await inPage({ kind: 'search', value: '12,500' }, 'search');
    const clearMs = await inPage({ kind: 'search', value: '' }, 'clear');
    const referenceSearchMs = await inPage({ kind: 'search', value: 'batch 777' }, 'reference');
    await inPage({ kind: 'search', value: '' });
    const filterMs = await inPage({ kind: 'currency', value: 'USD' });
    await inPage({ kind: 'currency', value: '' });
    const sortMs = await inPage({ kind: 'sort', value: '' });
    // Typing with the amount sort on (the issue measured 9.6 s for four characters): a search, then each of three more keystrokes to its result.
    const typingMs: number[] = [];
    for (const typed of ['batch 4', 'batch 43', 'batch 432', 'batch 4321']) typingMs.push(await inPage({ kind: 'search', value: typed }));
    await inPage({ kind: 'search', value: '' });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
    const result = {
      transactions: count,
      seedSeconds: round(seedSeconds, 1),
      firstLogin: { toBalancesAndNewestRowsMs: round(first.toFirstScreenMs), ...first.breakdown, toEveryRowVerifiedSeconds: round(first.toCompleteSeconds, 2) },
      returningLogin: { toBalancesAndNewestRowsMs: round(again.toFirstScreenMs), ...again.breakdown, toEveryRowVerifiedSeconds: round(again.toCompleteSeconds, 2) },
      sortingAheadAfterCompleteSeconds: round(sortingAheadSeconds, 2),
      historyScreenSplits: splits,
      historyScreen: { searchMs: round(searchMs), referenceSearchMs: round(referenceSearchMs), clearSearchMs: round(clearMs), filterCurrencyMs: round(filterMs), sortByAmountMs: round(sortMs), typingWithAmountSortMs: typingMs.map((v) => round(v)) },
      rendererJsHeapMiB: round(heap / 2 ** 20, 1),
    };
    if (opts.print) {
      console.log(`${count} transactions, seeded live in ${result.seedSeconds} s: balances and newest rows on screen ${result.firstLogin.toBalancesAndNewestRowsMs} ms after Connect at a first login (${result.firstLogin.loginApprovedToScreenMs} ms after the login's approval), ${result.returningLogin.toBalancesAndNewestRowsMs} ms for a returning user (${result.returningLogin.loginApprovedToScreenMs} ms); every row verified after ${result.firstLogin.toEveryRowVerifiedSeconds} s / ${result.returningLogin.toEveryRowVerifiedSeconds} s`);
      console.log(`History's sort orders sorted ahead in ${result.sortingAheadAfterCompleteSeconds} s after the history was complete; then History on screen: search ${result.historyScreen.searchMs} ms, reference ${result.historyScreen.referenceSearchMs} ms, clear ${result.historyScreen.clearSearchMs} ms, filter ${result.historyScreen.filterCurrencyMs} ms, sort by amount ${result.historyScreen.sortByAmountMs} ms, typing with the amount sort ${result.historyScreen.typingWithAmountSortMs.join(' / ')} ms; renderer JS heap ${result.rendererJsHeapMiB} MiB`);
      for (const [what, t] of Object.entries(splits)) console.log(`  ${what}: ${t.ms} ms = ${t.toQuerySentMs} ms in the page before asking + ${t.coreMs} ms in the core + ${round(t.ms - t.toQuerySentMs - t.coreMs)} ms bridge and drawing`);
    }
    return result;
  } finally {
    await browser.close();
    await app.close();
    await server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchDeskEndToEnd({ print: true }), null, 2));
}
