import { useEffect } from 'react';
import type { AppSnapshot, DeskSummary } from '../../../shared/app-api';
import type { Screen } from '../App';
import { Amount } from '../components/Amount';
import { treasury } from '../treasury';
import { formatDateTime, shortId } from '../format';
import { formatIban } from '../../../shared/iban';
import { BalanceChart } from '../components/BalanceChart';
import { useTranslation } from 'react-i18next';
import { roleAllows } from '../../../shared/team';

export function Dashboard({ snap, summary, rowsLoading, onNavigate }: { snap: AppSnapshot; summary: DeskSummary | null; rowsLoading: boolean; onNavigate: (s: Screen) => void }) {
  useEffect(() => {
    // The account may have been verified (or changed) outside the app since we last looked.
    void treasury.refreshAccount().catch(() => undefined);
  }, []);
  const account = snap.account!;
  const { t } = useTranslation();
  const pending = summary?.pending ?? [];
  const latest = summary?.latest ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{account.name}</h1>
          <p className="muted">
            {account.isVerified ? (
              <>
                {t('dashboard.verified')} <code data-testid="iban">{formatIban(account.iban ?? '')}</code>
              </>
            ) : (
              t('dashboard.pending')
            )}
          </p>
        </div>
        {(!snap.team || roleAllows(snap.team.role, 'initiate')) && (
          <button className="primary" onClick={() => onNavigate('transfer')} disabled={!account.isVerified}>
            {t('dashboard.newTransfer')}
          </button>
        )}
      </div>
      {!!snap.team?.awaitingMyApproval && (
        <div className="banner info awaiting-approval" data-testid="awaiting-my-approval">
          <div>
            <strong>{t('dashboard.awaitingYou', { count: snap.team.awaitingMyApproval })}</strong> {t('dashboard.awaitingYouBody')}
          </div>
          <button className="primary" onClick={() => onNavigate('team')}>
            {t('dashboard.openQueue')}
          </button>
        </div>
      )}
      {!!snap.team?.myWaiting && (
        <p className="muted" data-testid="my-waiting">
          {t('dashboard.myWaiting', { count: snap.team.myWaiting })}
        </p>
      )}
      {!account.isVerified && (
        <div className="banner info" data-testid="kyc-pending">
          <strong>{t('dashboard.kycTitle')}</strong> {t('dashboard.kycBody')}
        </div>
      )}
      <section className="balances" aria-label={t('dashboard.balances')} data-testid="balances">
        {snap.balances.map((b) => (
          <div key={b.currency} className={`balance-card ${b.preferred ? 'preferred' : ''}`} data-currency={b.currency}>
            <div className="balance-cur">
              {b.currency}
              {b.preferred && <span className="tag">{t('dashboard.preferred')}</span>}
            </div>
            <div className="balance-amount" title={`${b.amount} ${b.currency}`}>
              <Amount value={b.amount} />
            </div>
            <div className="muted small">{t('dashboard.available')}</div>
          </div>
        ))}
      </section>
      {!rowsLoading && summary && <BalanceChart series={summary.series} />}
      <div className="two-col">
        <section className="card">
          <h2>{t('dashboard.pendingPayouts')}</h2>
          {rowsLoading ? (
            <p className="muted loading-note" data-testid="payouts-loading">
              {t('dashboard.loading')}
            </p>
          ) : pending.length === 0 ? (
            <p className="muted">{t('dashboard.none')}</p>
          ) : (
            <table className="table compact">
              <tbody>
                {pending.map((r) => (
                  <tr key={r.txid}>
                    <td>
                      <span className="nowrap">{formatIban(r.counterparty)}</span>
                      <div className="muted small">
                        {formatDateTime(r.timestamp)}
                        {r.reference && ` · ${r.reference}`}
                      </div>
                    </td>
                    <td className="num">
                      <Amount value={r.amount} currency={r.currency} />
                      {/* Under the amount, as in Latest activity: a longer word (German) never pushes out of the card. */}
                      <div>
                        <span className="badge pending">{t('status.pending')}</span>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card">
          <div className="card-head">
            <h2>{t('dashboard.latest')}</h2>
            <button className="link" onClick={() => onNavigate('history')}>
              {t('dashboard.allHistory')}
            </button>
          </div>
          {rowsLoading ? (
            <p className="muted loading-note" data-testid="activity-loading">
              {t('dashboard.loading')}
            </p>
          ) : latest.length === 0 ? (
            <p className="muted">{t('dashboard.noTx')}</p>
          ) : (
            <table className="table compact" data-testid="latest-activity">
              <tbody>
                {latest.map((r) => (
                  <tr key={r.txid}>
                    <td title={r.counterparty} className="cp-cell">
                      <span className="nowrap">
                        {r.direction === 'in' ? t('dashboard.from') : t('dashboard.to')}{' '}
                        {r.counterpartyKind === 'iban' ? formatIban(r.counterparty) : shortId(r.counterparty, 10, 6)}
                      </span>
                      <div className="muted small">
                        {formatDateTime(r.timestamp)}
                        {r.reference && ` · ${r.reference}`}
                      </div>
                    </td>
                    <td className="num">
                      <Amount value={r.signedAmount} currency={r.currency} signed />
                      <div>
                        <span className={`badge ${r.status}`}>{t(`status.${r.status}`)}</span>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}
