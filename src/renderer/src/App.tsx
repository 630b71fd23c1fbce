import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppSnapshot, TxRow } from '../../shared/app-api';
import { treasury } from './treasury';
import { ConnectScreen } from './screens/Connect';
import { RegisterScreen } from './screens/Register';
import { Dashboard } from './screens/Dashboard';
import { HistoryScreen } from './screens/History';
import { TransferScreen } from './screens/Transfer';
import { AccountScreen } from './screens/Account';
import { StatementsScreen } from './screens/Statements';
import { TeamScreen } from './screens/Team';
import { AccountSwitcher } from './screens/team/AccountSwitcher';
import { roleAllows } from '../../shared/team';
import { DeviceScreens } from './components/DeviceScreens';
import { AlertsBanner } from './components/Alerts';
import { Toasts, type Toast } from './components/Toasts';
import { TransferBar } from './components/TransferBar';
import { LockScreen } from './components/LockScreen';
import { VirtualDevicePanel } from './components/VirtualDevicePanel';
import { deviceLabel } from './device-label';
import { useDeskSummary } from './history/use-desk-summary';
import { displayAmount, shortId } from './format';
import { focusElement, focusMainHeading } from './focus';
import { currentLocale, onLocaleChange } from './locale';
import { useTranslation } from 'react-i18next';
import { i18next } from './i18n';
import { alertWords, errorWords } from './i18n/core-words';
import { formatIban } from '../../shared/iban';

export type Screen = 'dashboard' | 'history' | 'transfer' | 'account' | 'statements' | 'team';
type Theme = 'light' | 'dark';

/** News toasts (deposits, results) shown at once; older ones give way to newer. */
const MAX_NEWS_TOASTS = 3;

const NAV: { id: Screen; key: string }[] = [
  { id: 'dashboard', key: '1' },
  { id: 'history', key: '2' },
  { id: 'transfer', key: '3' },
  { id: 'account', key: '4' },
  { id: 'statements', key: '5' },
  { id: 'team', key: '6' },
];

/** The screens this user can use: Transfer only for a role that may start one, Team where the server has team accounts. */
function navFor(snap: AppSnapshot | null): typeof NAV {
  const team = snap?.team;
  return NAV.filter((n) => (n.id === 'transfer' ? !team || roleAllows(team.role, 'initiate') : n.id === 'team' ? !!team : true));
}

function useTheme(): [Theme, () => void] {
  const initial = (): Theme => (localStorage.getItem('ccc-theme') as Theme | null) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const [theme, setTheme] = useState<Theme>(initial);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    // Lets tooling (the screenshot script) switch the theme the same way the button does.
    const onSet = (e: Event) => setTheme((e as CustomEvent<Theme>).detail);
    window.addEventListener('ccc-set-theme', onSet);
    return () => window.removeEventListener('ccc-set-theme', onSet);
  }, []);
  const toggle = useCallback(() => {
    setTheme((t) => {
      const next = t === 'dark' ? 'light' : 'dark';
      localStorage.setItem('ccc-theme', next);
      return next;
    });
  }, []);
  return [theme, toggle];
}

export function App() {
  const [snap, setSnap] = useState<AppSnapshot | null>(null);
  const [screen, setScreen] = useState<Screen>('dashboard');
  const [theme, toggleTheme] = useTheme();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const { summary, tick: historyTick, changed: historyChanged } = useDeskSummary(snap);
  // Everything is formatted in the user's locale; a new choice re-renders the whole window.
  const [locale, setLocale] = useState(currentLocale);
  const { t } = useTranslation();
  // In a narrow window (or at high zoom) the sidebar collapses behind a Menu button.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setMenuOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  useEffect(() => onLocaleChange(setLocale), []);

  const toast = useCallback((t: Omit<Toast, 'id'>) => {
    const id = Math.random().toString(36).slice(2);
    // A burst of deposits shows the newest few, not a wall of them (security alerts always stay).
    setToasts((all) => {
      const next = [...all, { ...t, id }];
      const news = next.filter((x) => x.kind !== 'danger');
      if (news.length <= MAX_NEWS_TOASTS) return next;
      const old = new Set(news.slice(0, news.length - MAX_NEWS_TOASTS).map((x) => x.id));
      return next.filter((x) => !old.has(x.id));
    });
    // Security alerts stay until dismissed; good news goes after a while.
    if (t.kind !== 'danger') setTimeout(() => setToasts((all) => all.filter((x) => x.id !== id)), 6000);
  }, []);
  const dismissToast = useCallback((id: string) => setToasts((all) => all.filter((x) => x.id !== id)), []);

  useEffect(() => {
    void treasury.getSnapshot().then(setSnap);
    // Deposits arriving together are toasted once a frame (the newest few): a burst is not one render per deposit.
    let deposits: TxRow[] = [];
    let scheduled = false;
    const toastDeposits = () => {
      const newest = deposits;
      deposits = [];
      scheduled = false;
      for (const tx of newest)
        toast({
          kind: 'success',
          title: i18next.t('toast.depositReceived'),
          body: i18next.t('toast.depositBody', { amount: displayAmount(tx.amount), currency: tx.currency, from: tx.counterpartyKind === 'iban' ? formatIban(tx.counterparty).replace(/ /g, '\u00a0') : shortId(tx.counterparty, 10, 6) }),
        });
    };
    return treasury.onEvent((e) => {
      if (e.type === 'snapshot') setSnap(e.snapshot);
      if (e.type === 'transaction') {
        historyChanged();
        if (e.live && e.tx.direction === 'in') {
          deposits = [...deposits.slice(1 - MAX_NEWS_TOASTS), e.tx]; // (no frame while the window is hidden: only the newest are kept)
          if (!scheduled) scheduled = requestAnimationFrame(toastDeposits) > 0;
        }
      }
      if (e.type === 'alert') toast({ kind: 'danger', title: i18next.t('toast.securityAlert'), body: alertWords(e.alert) });
    });
  }, [historyChanged, toast]);

  const nav = navFor(snap);
  const navRef = useRef(nav);
  navRef.current = nav;
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const item = navRef.current.find((n) => n.key === ev.key);
      if (item) {
        ev.preventDefault();
        setScreen(item.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Verification happens outside the app (KYC on the website): look again when the user comes back
  // to the window, and now and then while it is pending (the core also looks after every live event).
  const unverified = !!snap?.account && !snap.account.isVerified && snap.connection === 'online';
  useEffect(() => {
    if (!unverified) return;
    const look = () => void treasury.refreshAccount().catch(() => undefined);
    const onVisible = () => document.visibilityState === 'visible' && look();
    window.addEventListener('focus', look);
    document.addEventListener('visibilitychange', onVisible);
    const t = setInterval(look, 30_000);
    return () => {
      clearInterval(t);
      window.removeEventListener('focus', look);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [unverified]);

  // Input restarts the core's idle-lock timer (at most every 5 s).
  const lastActivity = useRef(0);
  useEffect(() => {
    const onInput = () => {
      const now = Date.now();
      if (now - lastActivity.current < 5_000) return;
      lastActivity.current = now;
      void treasury.reportActivity().catch(() => undefined);
    };
    const kinds = ['pointerdown', 'keydown', 'wheel', 'pointermove'] as const;
    for (const k of kinds) window.addEventListener(k, onInput, { passive: true });
    return () => {
      for (const k of kinds) window.removeEventListener(k, onInput);
    };
  }, []);

  const loggedIn = !!snap && !!snap.address && snap.loginStep === 'authenticated' && snap.connection !== 'idle';
  // After navigation (a sidebar item, Alt+N, Register done, an unlock) focus goes to the new screen's heading.
  const place = !snap ? 'starting' : !loggedIn ? 'login' : snap.locked ? 'locked' : !snap.account ? 'register' : screen;
  const lastPlace = useRef(place);
  useEffect(() => {
    if (lastPlace.current === place) return;
    const from = lastPlace.current;
    lastPlace.current = place;
    // A fresh window starts at the top (the skip link is the first Tab stop); the register form
    // focuses its own first field.
    if (from === 'starting' || place === 'register' || place === 'starting') return;
    focusMainHeading();
  }, [place]);
  if (!snap) return <div className="splash">{t('shell.starting')}</div>;
  if (!loggedIn) {
    return (
      <>
        <ConnectScreen snap={snap} theme={theme} onToggleTheme={toggleTheme} />
        <Toasts toasts={toasts} onDismiss={dismissToast} />
      </>
    );
  }

  if (snap.locked) {
    return (
      <>
        <LockScreen snap={snap} />
        <Toasts toasts={[]} onDismiss={dismissToast} />
      </>
    );
  }

  const registered = !!snap.account;
  // A screen this role cannot use (after a switch of account or role) falls back to the dashboard.
  const shown: Screen = nav.some((n) => n.id === screen) ? screen : 'dashboard';
  const busy = snap.transfer?.phase === 'awaiting-device' || snap.transfer?.phase === 'sending';
  const content = !registered ? (
    // A member's Ledger may have no account of its own: acting for the company is offered under the form, as wide as it.
    <RegisterScreen snap={snap}>{snap.team && <AccountSwitcher snap={snap} lead />}</RegisterScreen>
  ) : shown === 'team' ? (
    <TeamScreen snap={snap} />
  ) : shown === 'dashboard' ? (
    <Dashboard snap={snap} summary={summary} rowsLoading={!snap.historyLoaded || !summary} onNavigate={setScreen} />
  ) : shown === 'history' ? (
    <HistoryScreen tick={historyTick} loading={!snap.historyLoaded || !summary} check={snap.historyComplete ? null : snap.historyCheck} />
  ) : shown === 'transfer' ? (
    <TransferScreen snap={snap} rows={summary?.latest ?? []} />
  ) : shown === 'account' ? (
    <AccountScreen snap={snap} />
  ) : (
    <StatementsScreen snap={snap} currencies={summary?.currencies ?? []} />
  );

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main-content"
        onClick={(e) => {
          // No navigation (the shell refuses it): just move focus to the content.
          e.preventDefault();
          focusElement(document.querySelector<HTMLElement>('main h1') ?? document.getElementById('main-content'));
        }}
      >
        {t('shell.skip')}
      </a>
      <aside className="sidebar" aria-label={t('shell.mainNavigation')}>
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            C
          </span>
          <div>
            <div className="brand-name">CCC Treasury</div>
            <div className="brand-sub">{snap.profileId === 'sandbox' ? t('shell.sandbox') : t('shell.cryptoCapital')}</div>
          </div>
          <button className="ghost menu-toggle" aria-expanded={menuOpen} aria-controls="sidebar-panel" onClick={() => setMenuOpen((o) => !o)}>
            {t('shell.menu')}
          </button>
        </div>
        <div id="sidebar-panel" className={`sidebar-panel ${menuOpen ? 'open' : ''}`}>
          <nav aria-label={t('shell.screens')}>
            {nav.map((n) => (
              <button key={n.id} className={`nav-item ${shown === n.id && registered ? 'active' : ''}`} disabled={!registered} onClick={() => (setScreen(n.id), setMenuOpen(false))} aria-current={shown === n.id ? 'page' : undefined} title={`Alt+${n.key}`}>
                {t(`shell.nav.${n.id}`)}
                {n.id === 'team' && !!snap.team?.awaitingMyApproval && <span className="count-badge">{snap.team.awaitingMyApproval}</span>}
                <kbd>{t('shell.altKey', { key: n.key })}</kbd>
              </button>
            ))}
          </nav>
          <div className="sidebar-foot">
            {snap.team?.acting ? (
              <div className="who" title={snap.team.account} data-testid="acting-for">
                <span className="label">{t('shell.companyAccount')}</span>
                <code>{shortId(snap.team.account, 10, 8)}</code>
                <span className="label">{t('shell.signingAs', { role: t(`team.roles.${snap.team.role}`) })}</span>
                <code title={snap.team.member}>{shortId(snap.team.member, 10, 8)}</code>
              </div>
            ) : (
              <div className="who" title={snap.address ?? ''}>
                <span className="label">{t('shell.signingAddress')}</span>
                <code>{shortId(snap.address ?? '', 10, 8)}</code>
              </div>
            )}
            <div className="status-row">
              <span className={`pill conn-${snap.connection}`} data-testid="connection">
                {snap.connection === 'online' ? t('shell.online') : snap.connection === 'reconnecting' ? t('shell.reconnecting') : t(`connection.${snap.connection}`)}
              </span>
              <span className={`pill device-${snap.device.state}`} data-testid="device-status">
                {deviceLabel(snap.device)}
              </span>
            </div>
            <VirtualDevicePanel compact device={snap.device} />
            <div className="foot-actions">
              <button className="ghost" onClick={toggleTheme} title={t('shell.themeTitle')}>
               {theme === 'dark' ? t('shell.lightTheme') : t('shell.darkTheme')}
              </button>
              <button className="ghost" onClick={() => void treasury.lock().catch(() => undefined)} disabled={busy} title={busy ? t('shell.busyTitle') : t('shell.lockTitle')}>
               {t('shell.lock')}
              </button>
              <button className="ghost" onClick={() => void treasury.logout()} disabled={busy} title={busy ? t('shell.busyTitle') : undefined}>
               {t('shell.logout')}
              </button>
            </div>
          </div>
        </div>
      </aside>
      <main className="content" id="main-content" tabIndex={-1}>
        <AlertsBanner alerts={snap.alerts} />
        {snap.team?.removedFrom && (
          <div className="banner warn" role="alert" data-testid="removed-from-team">
            {t('team.accounts.removed', { account: shortId(snap.team.removedFrom, 10, 8) })}
          </div>
        )}
        {snap.lastError && (snap.connection !== 'online' || snap.lastError.code === 'ACCOUNT_NOT_PROTECTED') && (
          <div className="banner warn" data-testid="last-error">
            {errorWords(snap.lastError)}
          </div>
        )}
        {snap.device.state === 'awaiting-confirmation' && snap.device.action === 'policy' && (
          <section className="card protect-account" data-testid="protect-account" role="status">
            <h2>{t('device.protectTitle')}</h2>
            <p>{t('device.protectBody')}</p>
            <DeviceScreens screens={snap.device.screens} waiting />
          </section>
        )}
        {registered && shown !== 'transfer' && <TransferBar transfer={snap.transfer} onOpen={() => setScreen('transfer')} />}
        {content}
      </main>
      <Toasts toasts={toasts} onDismiss={dismissToast} />
    </div>
  );
}
