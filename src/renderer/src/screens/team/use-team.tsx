// What the Team screens share: data read from the core (read again when the account's team news
// changes), and one way to send a device-signed request and say how it ended.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSnapshot, TeamRequestOutcome } from '../../../../shared/app-api';
import { errorOf } from '../../treasury';
import { i18next } from '../../i18n';

/** A key that changes whenever the team's state may have: news, decisions, an account switch. */
export function teamVersion(snap: AppSnapshot): string {
  const t = snap.team;
  return t ? `${t.account}|${t.role}|${t.awaitingMyApproval}|${t.myWaiting}|${t.teamAccount}|${snap.transfer?.phase ?? ''}` : '';
}

/** Loads `load()` now and whenever `version` changes; `reload` after one's own change. */
export function useTeamData<T>(load: () => Promise<T>, version: string): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(null)),
      (e) => live && setError(errorOf(e).message),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, tick]);
  return { data, error, reload: useCallback(() => setTick((n) => n + 1), []) };
}

export interface SignedAction {
  busy: boolean;
  /** The last request's ending, in words, and whether it went wrong. */
  result: { text: string; tone: 'success' | 'info' | 'danger' } | null;
  run: (request: () => Promise<TeamRequestOutcome>) => Promise<void>;
}

/** Runs a device-signed team request; says whether it was done, waits for a second administrator, or was declined. */
export function useSignedAction(onDone: () => void): SignedAction {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SignedAction['result']>(null);
  const run = useCallback(
    async (request: () => Promise<TeamRequestOutcome>) => {
      setBusy(true);
      setResult(null);
      try {
        const o = await request();
        const t = (k: string) => i18next.t(k);
        setResult(o.status === 'done' ? { text: t('team.outcome.done'), tone: 'success' } : o.status === 'awaiting-second-admin' ? { text: t('team.outcome.waiting'), tone: 'info' } : { text: t('team.outcome.rejected'), tone: 'info' });
        onDone();
      } catch (e) {
        setResult({ text: errorOf(e).message, tone: 'danger' });
      } finally {
        setBusy(false);
      }
    },
    [onDone],
  );
  return { busy, result, run };
}

export function ActionResult({ action }: { action: SignedAction }) {
  if (!action.result) return null;
  return (
    <div className={`banner ${action.result.tone}`} role={action.result.tone === 'danger' ? 'alert' : 'status'} data-testid="team-result">
      {action.result.text}
    </div>
  );
}

/** What a tab shows until its data is there: the error that stopped it, or that it is loading. */
export function TeamDataPending({ error }: { error: string | null }) {
  const { t } = useTranslation();
  if (error)
    return (
      <div className="banner danger" role="alert">
        {error}
      </div>
    );
  return <p className="muted">{t('team.loading')}</p>;
}
