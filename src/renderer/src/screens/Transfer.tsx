// The transfer screen. It draws the core's transfer in progress (snap.transfer) and holds no
// transfer state of its own: leaving the screen, or the app window reloading, loses nothing.
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { AppSnapshot, TrackedTransfer, TransferDraft, TransferReview, TxRow } from '../../../shared/app-api';
import { SUPPORTED_CURRENCIES, isSupportedCurrency, currencyExponent, type CurrencyCode } from '../../../shared/currencies';
import { parseWireAmount } from '../../../shared/money';
import { parseBitcoinAddress, type BitcoinNetwork } from '../../../shared/bitcoin-address';
import { formatIban } from '../../../shared/iban';
import { classifyDestination } from '../../../shared/destination';
import { parseTypedAmount, plainWords } from '../../../shared/plain-words';
import { isConfirmableReference } from '../../../shared/confirmation';
import { treasury, errorOf } from '../treasury';
import { Amount } from '../components/Amount';
import { DeviceScreens } from '../components/DeviceScreens';
import { displayAmount } from '../format';
import { useFocusOn } from '../focus';
import { currentLocale, localizeDecimal, readLocaleAmount } from '../locale';
import { useTranslation } from 'react-i18next';
import { i18next } from '../i18n';

/** The app's words (TransferScreen subscribes to language changes; its children re-render with it). */
const L = (key: string, options?: Record<string, unknown>): string => i18next.t(key, options);

/** An amount typed in the user's locale, read into the canonical decimal string that is sent. */
function readAmount(text: string, currency: string): { ok: true; minor: bigint; canonical: string } | { ok: false; message: string } {
  if (!isSupportedCurrency(currency)) return { ok: false, message: L('transfer.chooseCurrency') };
  const local = readLocaleAmount(text, currentLocale());
  if (!local.ok) return local;
  return parseTypedAmount(local.decimal, currency);
}

type Fields = { destination: string; currency: string; amount: string; reference: string };

/** The network of the signed-in account: destinations are classified for it (shared/destination.ts). */
const networkOf = (address: string | null): BitcoinNetwork => (address ? (parseBitcoinAddress(address)?.network ?? 'mainnet') : 'mainnet');

function describeDestination(v: string, network: BitcoinNetwork): string | null {
  if (!v.trim()) return null;
  const d = classifyDestination(v, network);
  if (!d.ok) return null;
  return d.kind === 'address' ? L('transfer.toCcc') : L('transfer.toIban', { country: d.country, iban: formatIban(d.destination) });
}

const STEPS = ['details', 'review', 'confirm', 'result'] as const;

/** Which wizard step a phase is on, and whether that step failed. */
function stepOf(t: TrackedTransfer | null): { index: number; failed: boolean } {
  switch (t?.phase) {
    case 'review':
      return { index: 1, failed: false };
    case 'awaiting-device':
      return { index: 2, failed: false };
    case 'rejected':
      return { index: 2, failed: true };
    case 'failed':
      return { index: t.error?.where === 'send' ? 3 : 2, failed: true };
    case 'sending':
    case 'sent':
      return { index: 3, failed: false };
    default:
      return { index: 0, failed: false };
  }
}

export function TransferScreen({ snap, rows }: { snap: AppSnapshot; rows: TxRow[] }) {
  const account = snap.account!;
  const t = snap.transfer;
  useTranslation();
  if (!account.isVerified) {
    return (
      <div className="page narrow">
        <h1>{L('transfer.title')}</h1>
        <div className="banner info">{L('transfer.unverified')}</div>
      </div>
    );
  }
  const { index, failed } = stepOf(t);
  return (
    <div className="page narrow">
      <h1>{L('transfer.title')}</h1>
      <ol className="wizard" aria-label={L('transfer.progress')}>
        {STEPS.map((step, i) => (
          <li key={step} className={i < index ? 'done' : i === index ? (failed ? 'current failed' : 'current') : ''}>
            {L(`transfer.steps.${step}`)}
          </li>
        ))}
      </ol>
      {(!t || t.phase === 'draft') && <TransferForm snap={snap} draft={t?.draft ?? null} notice={t?.error ?? null} />}
      {t?.review && (t.phase === 'review' || t.phase === 'awaiting-device' || t.phase === 'sending') && <ReviewCard snap={snap} t={t} review={t.review} />}
      {t?.review && (t.phase === 'rejected' || t.phase === 'failed') && <StoppedCard snap={snap} t={t} review={t.review} />}
      {t?.phase === 'sent' && t.review && <SentCard t={t} review={t.review} rows={rows} />}
    </div>
  );
}

function TransferForm({ snap, draft, notice }: { snap: AppSnapshot; draft: TransferDraft | null; notice: { code: string; message: string } | null }) {
  const account = snap.account!;
  const [error, setError] = useState<string | null>(null);
  // A draft coming back holds the canonical amount that was sent for review: show it the user's way.
  const draftAmount = draft?.amount && /^\d+(\.\d+)?$/.test(draft.amount) ? localizeDecimal(draft.amount, currentLocale()) : (draft?.amount ?? '');
  const initial: Fields = { destination: draft?.destination ?? '', currency: draft?.currency || account.currency, amount: draftAmount, reference: draft?.reference ?? '' };
  const { register, handleSubmit, watch, formState, getValues, trigger } = useForm<Fields>({ mode: 'onChange', defaultValues: initial });
  const currency = watch('currency');
  const destination = watch('destination');
  const typedAmount = readAmount(watch('amount') ?? '', currency);
  const exp = isSupportedCurrency(currency) ? currencyExponent(currency) : 2;
  const available = snap.balances.find((b) => b.currency === currency)?.amount ?? null;
  const online = snap.connection === 'online';

  // Keep the fields in the core as they are typed (and when leaving), so navigation loses nothing.
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const sub = watch(() => {
      if (saveTimer.current) clearTimeout(saveTimer.current);
      saveTimer.current = setTimeout(() => void treasury.saveTransferDraft(getValues()).catch(() => undefined), 250);
    });
    return () => {
      sub.unsubscribe();
      if (saveTimer.current) {
        clearTimeout(saveTimer.current);
        void treasury.saveTransferDraft(getValues()).catch(() => undefined);
      }
    };
  }, [watch, getValues]);
  // A filled-in draft coming back (after Edit or a refusal) shows its problems at once.
  useEffect(() => {
    if (initial.destination || initial.amount) void trigger();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // The balance changes live: re-check the amount against it.
  useEffect(() => {
    if (getValues('amount')) void trigger('amount');
  }, [available, getValues, trigger]);

  const review = handleSubmit(async (v) => {
    setError(null);
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    const amount = readAmount(v.amount, v.currency);
    try {
      // The core gets the canonical decimal string, whatever the locale it was typed in.
      await treasury.prepareTransfer({ ...v, amount: amount.ok ? amount.canonical : v.amount });
    } catch (e) {
      setError(errorOf(e).message);
    }
  });

  const shownError = error ?? (notice && notice.code !== 'CANCELLED' ? notice.message : null);
  return (
    <form className="form card" onSubmit={(e) => void review(e)} noValidate data-testid="transfer-form">
      {notice?.code === 'CANCELLED' && !error && (
        <div className="banner info" role="status">
          {notice.message}
        </div>
      )}
      <label>
        {L('transfer.to')}
        <input
          {...register('destination', {
            validate: (v) => {
              if (!v.trim()) return L('transfer.enterDestination');
              const d = classifyDestination(v, networkOf(snap.address));
              if (d.ok) return d.kind === 'address' && d.destination === snap.address ? L('transfer.ownAccount') : true;
              return d.problem === 'INVALID_IBAN' ? L('transfer.badIban', { reason: d.reason }) : d.problem === 'WRONG_NETWORK' ? L('transfer.wrongNetwork') : L('transfer.neither');
            },
          })}
          placeholder="bc1q… or DE89 3704 0044 0532 0130 00"
          autoFocus
          spellCheck={false}
          aria-invalid={!!formState.errors.destination}
          aria-describedby="transfer-destination-note"
        />
        <span id="transfer-destination-note" className={formState.errors.destination ? 'field-error' : 'field-hint'}>{formState.errors.destination?.message ?? describeDestination(destination, networkOf(snap.address)) ?? ' '}</span>
      </label>
      <div className="grid2">
        <label>
          {L('transfer.currency')}
          <select {...register('currency')}>
            {SUPPORTED_CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          {L('transfer.amount')}
          <input
            {...register('amount', {
              validate: (v) => {
                const r = readAmount(v, currency);
                if (!r.ok) return r.message;
                const have = available === null ? 0n : parseWireAmount(available, currency as CurrencyCode);
                if (r.minor > have) return L('transfer.insufficient', { available: displayAmount(available ?? '0'), amount: displayAmount(r.canonical), currency });
                return true;
              },
            })}
            inputMode="decimal"
            className="num"
            placeholder={exp === 0 ? '0' : `0.${'0'.repeat(exp)}`}
            aria-invalid={!!formState.errors.amount}
            aria-describedby="transfer-amount-error"
          />
          {formState.errors.amount ? (
            <span id="transfer-amount-error" className="field-error">
              {formState.errors.amount.message}
            </span>
          ) : (
            <span id="transfer-amount-error" className="field-hint" data-testid="amount-canonical">
              {typedAmount.ok ? L('transfer.sentAs', { amount: typedAmount.canonical, currency }) : ' '}
            </span>
          )}
        </label>
      </div>
      <div className="muted small" data-testid="available">
        {L('transfer.available')} {available !== null ? <Amount value={available} currency={currency} /> : `0 ${currency}`}
      </div>
      <label>
        <span>
          {L('transfer.reference')} <span className="muted">{L('transfer.referenceNote')}</span>
        </span>
        <input
          {...register('reference', {
            maxLength: { value: 140, message: L('transfer.max140') },
            // Your Ledger must show the reference exactly as typed.
            validate: (v) => !v.trim() || isConfirmableReference(v.trim()) || L('transfer.plainReference'),
          })}
          placeholder="Invoice 2026-118"
          aria-invalid={!!formState.errors.reference}
          aria-describedby="transfer-reference-error"
        />
        <span id="transfer-reference-error" className="field-error">
          {formState.errors.reference?.message}
        </span>
      </label>
      {shownError && (
        <div className="banner danger" role="alert">
          {shownError}
        </div>
      )}
      {!online && (
        <div className="banner warn" role="status">
          {plainWords('OFFLINE')}
        </div>
      )}
      <div className="actions">
        <button className="primary" disabled={!formState.isValid || formState.isSubmitting || !online}>
          {L('transfer.review')}
        </button>
      </div>
    </form>
  );
}

/** The friendly form beside the exact form the Ledger shows, so the correspondence is obvious. */
function Comparison({ review }: { review: TransferReview }) {
  const friendlyTo = review.destinationKind === 'iban' ? formatIban(review.destination) : review.destination;
  return (
    <table className="compare" data-testid="transfer-compare">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">{L('transfer.field')}</span>
          </th>
          <th scope="col">{L('transfer.asYouRead')}</th>
          <th scope="col">{L('transfer.asLedger')}</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{L('transfer.amount')}</th>
          <td className="num">
            {displayAmount(review.amount)} {review.currency}
          </td>
          <td className="num">
            <code>
              {review.amount} {review.currency}
            </code>
          </td>
        </tr>
        <tr>
          <th scope="row">{L('transfer.to')}</th>
          <td>
            <span className="nowrap-groups">{friendlyTo}</span>
            <div className="muted small">{review.destinationKind === 'iban' ? L('transfer.ibanKind') : L('transfer.cccKind')}</div>
          </td>
          <td>
            <code className="break">{review.destination}</code>
          </td>
        </tr>
        {review.reference && (
          <tr>
            <th scope="row">{L('transfer.reference')}</th>
            <td>{review.reference}</td>
            <td className="muted small">{L('transfer.bothStatements')}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function ReviewCard({ snap, t, review }: { snap: AppSnapshot; t: TrackedTransfer; review: TransferReview }) {
  const [error, setError] = useState<string | null>(null);
  const online = snap.connection === 'online';
  const act = (p: Promise<unknown>) => p.then(() => setError(null), (e) => setError(errorOf(e).message));
  const waiting = t.phase === 'awaiting-device';
  const heading = useFocusOn<HTMLHeadingElement>(t.phase);
  return (
    <div className="card review" data-testid="transfer-review" data-phase={t.phase}>
      <Comparison review={review} />
      <div className="device-preview">
        <h2 ref={heading}>{waiting ? L('transfer.approve') : t.phase === 'sending' ? L('transfer.approved') : L('transfer.willShow')}</h2>
        <DeviceScreens screens={review.deviceScreens} waiting={waiting} />
        {review.deviceShowsHash ? (
          <p className="muted small">{L('transfer.hashNote')}</p>
        ) : (
          <p className="muted small">
            {L('transfer.checkNote', { server: snap.profileId === 'sandbox' ? L('transfer.theSandbox') : L('transfer.yourServer') })}
          </p>
        )}
      </div>
      {error && (
        <div className="banner danger" role="alert">
          {error}
        </div>
      )}
      {!online && t.phase !== 'sending' && (
        <div className="banner warn" role="status">
          {plainWords('OFFLINE')}
        </div>
      )}
      {t.phase === 'review' && (
        <div className="actions">
          <button className="ghost" onClick={() => void act(treasury.cancelTransfer(review.requestId))}>
            {L('transfer.back')}
          </button>
          <button className="primary" disabled={!online} onClick={() => void act(treasury.confirmTransfer(review.requestId))} data-testid="confirm-on-ledger">
            {L('transfer.confirm')}
          </button>
        </div>
      )}
      {waiting && (
        <div className="actions spread">
          <p className="waiting-note" role="status">
            {L('transfer.waiting')}
          </p>
          <button className="ghost" onClick={() => void act(treasury.cancelTransfer(review.requestId))} data-testid="cancel-on-ledger">
            {L('transfer.cancel')}
          </button>
        </div>
      )}
      {t.phase === 'sending' && (
        <p className="waiting-note" role="status" data-testid="sending">
          {online ? L('transfer.sending') : L('transfer.sendingOffline')}
        </p>
      )}
    </div>
  );
}

function StoppedCard({ snap, t, review }: { snap: AppSnapshot; t: TrackedTransfer; review: TransferReview }) {
  const [error, setError] = useState<string | null>(null);
  const online = snap.connection === 'online';
  const act = (p: Promise<unknown>) => p.then(() => setError(null), (e) => setError(errorOf(e).message));
  const rejected = t.phase === 'rejected';
  const sendFailed = t.error?.where === 'send';
  const heading = useFocusOn<HTMLHeadingElement>(t.phase);
  return (
    <div className={`card result ${rejected ? 'calm' : 'failed'}`} data-testid="transfer-result" data-status={rejected ? 'rejected' : 'failed'} role="alert">
      <h2 ref={heading}>{rejected ? L('transfer.rejected') : sendFailed ? L('transfer.notMade') : L('transfer.notConfirmed')}</h2>
      <p>{rejected ? L('transfer.rejectedBody') : t.error?.message}</p>
      <p className="muted small">
        <Amount value={review.amount} currency={review.currency} /> {L('transfer.to').toLowerCase()} {review.destinationKind === 'iban' ? formatIban(review.destination) : review.destination}
        {t.error && !rejected && <> · {L('transfer.code', { code: t.error.code })}</>}
      </p>
      {error && (
        <div className="banner danger" role="alert">
          {error}
        </div>
      )}
      <div className="actions">
        <button className="ghost" onClick={() => void act(treasury.dismissTransfer())}>
          {L('transfer.discard')}
        </button>
        <button className="ghost" onClick={() => void act(treasury.editTransfer())} data-testid="edit-transfer">
          {L('transfer.edit')}
        </button>
        {t.canRetry && (
          <button className="primary" disabled={!online} onClick={() => void act(treasury.retryTransfer())} data-testid="retry-transfer">
            {sendFailed ? L('transfer.sendAgain') : L('transfer.tryAgain')}
          </button>
        )}
      </div>
    </div>
  );
}

function SentCard({ t, review, rows }: { t: TrackedTransfer; review: TransferReview; rows: TxRow[] }) {
  const live = (t.tx && rows.find((r) => r.txid === t.tx!.txid)) ?? t.tx!;
  const heading = useFocusOn<HTMLHeadingElement>(live.txid);
  return (
    <div className="card result sent" data-testid="transfer-result" data-status={live.status} role="status">
      <h2 ref={heading}>{live.status === 'pending' ? L('transfer.payoutSubmitted') : live.status === 'failed' ? L('transfer.payoutFailed') : L('transfer.sent')}</h2>
      <p>
        <Amount value={review.amount} currency={review.currency} /> {L('transfer.to').toLowerCase()} <code>{review.destinationKind === 'iban' ? formatIban(review.destination) : review.destination}</code>
      </p>
      <p className="muted small">{L('transfer.txNumber', { txid: live.txid })}</p>
      {live.status === 'pending' && <p className="pending-note">{L('transfer.processing')}</p>}
      {live.status === 'failed' && <p className="banner danger">{withFullStop(live.message ?? L('transfer.payoutFailedDefault'))} {L('transfer.returned')}</p>}
      {live.status === 'complete' && review.destinationKind === 'iban' && <p className="banner success">{L('transfer.completed')}</p>}
      <div className="actions">
        <button className="primary" onClick={() => void treasury.dismissTransfer()}>
          {L('transfer.newTransfer')}
        </button>
      </div>
    </div>
  );
}

function withFullStop(s: string): string {
  return /[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`;
}
