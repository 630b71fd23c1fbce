import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { AppSnapshot, TransferOutcome, TransferReview, TxRow } from '../../../shared/app-api';
import { SUPPORTED_CURRENCIES, isSupportedCurrency, currencyExponent } from '../../../shared/currencies';
import { parseAmount } from '../../../shared/money';
import { parseBitcoinAddress } from '../../../shared/bitcoin-address';
import { checkIban, formatIban, looksLikeIban } from '../../../shared/iban';
import { treasury, errorOf } from '../treasury';
import { Amount } from '../components/Amount';
import { DeviceScreens } from '../components/DeviceScreens';

type Fields = { destination: string; currency: string; amount: string; reference: string };
type Step = { name: 'form' } | { name: 'review'; review: TransferReview } | { name: 'confirm'; review: TransferReview } | { name: 'result'; review: TransferReview; outcome: TransferOutcome };

function describeDestination(v: string): string | null {
  const t = v.trim();
  if (!t) return null;
  const a = parseBitcoinAddress(t);
  if (a) return `CCC account address (${a.kind === 'p2wpkh' ? 'native segwit' : a.kind === 'p2sh' ? 'nested segwit' : 'legacy'})`;
  const i = checkIban(t);
  if (i.ok) return `IBAN · ${i.country} · ${formatIban(i.iban)}`;
  return null;
}

export function TransferScreen({ snap, rows }: { snap: AppSnapshot; rows: TxRow[] }) {
  const account = snap.account!;
  const [step, setStep] = useState<Step>({ name: 'form' });
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, watch, formState, reset } = useForm<Fields>({ mode: 'onChange', defaultValues: { destination: '', currency: account.currency, amount: '', reference: '' } });
  const currency = watch('currency');
  const destination = watch('destination');
  const exp = isSupportedCurrency(currency) ? currencyExponent(currency) : 2;

  const review = handleSubmit(async (v) => {
    setError(null);
    try {
      setStep({ name: 'review', review: await treasury.prepareTransfer(v) });
    } catch (e) {
      setError(errorOf(e).message);
    }
  });

  const confirm = async (r: TransferReview) => {
    setStep({ name: 'confirm', review: r });
    try {
      const outcome = await treasury.confirmTransfer(r.requestId);
      setStep({ name: 'result', review: r, outcome });
    } catch (e) {
      const err = errorOf(e);
      setStep({ name: 'result', review: r, outcome: { status: 'failed', code: err.code, message: err.message } });
    }
  };

  const restart = () => {
    reset({ destination: '', currency: account.currency, amount: '', reference: '' });
    setError(null);
    setStep({ name: 'form' });
  };

  if (!account.isVerified) {
    return (
      <div className="page narrow">
        <h1>New transfer</h1>
        <div className="banner info">Sending is possible once your account is verified (KYC). Deposits to your account arrive meanwhile.</div>
      </div>
    );
  }

  return (
    <div className="page narrow">
      <h1>New transfer</h1>
      <ol className="wizard" aria-label="Progress">
        {['Details', 'Review', 'Confirm on Ledger', 'Result'].map((label, i) => {
          const index = ['form', 'review', 'confirm', 'result'].indexOf(step.name);
          return (
            <li key={label} className={i < index ? 'done' : i === index ? 'current' : ''}>
              {label}
            </li>
          );
        })}
      </ol>

      {step.name === 'form' && (
        <form className="form card" onSubmit={(e) => void review(e)} noValidate data-testid="transfer-form">
          <label>
            To
            <input
              {...register('destination', {
                validate: (v) => {
                  const t = v.trim();
                  if (!t) return 'enter a CCC account address or an IBAN';
                  if (parseBitcoinAddress(t)) return t === snap.address ? 'that is your own address' : true;
                  const i = checkIban(t);
                  if (i.ok) return true;
                  return looksLikeIban(t) ? `invalid IBAN: ${i.reason}` : 'not a Bitcoin address or an IBAN';
                },
              })}
              placeholder="bc1q… or DE89 3704 0044 0532 0130 00"
              autoFocus
              spellCheck={false}
            />
            <span className={formState.errors.destination ? 'field-error' : 'field-hint'}>{formState.errors.destination?.message ?? describeDestination(destination) ?? ' '}</span>
          </label>
          <div className="grid2">
            <label>
              Currency
              <select {...register('currency')}>
                {SUPPORTED_CURRENCIES.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </label>
            <label>
              Amount
              <input
                {...register('amount', {
                  validate: (v) => {
                    if (!isSupportedCurrency(currency)) return 'choose a currency';
                    const r = parseAmount(v.trim(), currency);
                    return r.ok || r.error.message;
                  },
                })}
                inputMode="decimal"
                className="num"
                placeholder={exp === 0 ? '0' : `0.${'0'.repeat(exp)}`}
              />
              <span className="field-error">{formState.errors.amount?.message}</span>
            </label>
          </div>
          <div className="muted small">
            Available:{' '}
            {snap.balances
              .filter((b) => b.currency === currency)
              .map((b) => (
                <Amount key={b.currency} value={b.amount} currency={b.currency} />
              ))}
            {!snap.balances.some((b) => b.currency === currency) && `0 ${currency}`}
          </div>
          <label>
            <span>
              Reference <span className="muted">(optional, on both statements)</span>
            </span>
            <input {...register('reference', { maxLength: { value: 140, message: 'at most 140 characters' } })} placeholder="Invoice 2026-118" />
            <span className="field-error">{formState.errors.reference?.message}</span>
          </label>
          {error && (
            <div className="banner danger" role="alert">
              {error}
            </div>
          )}
          <div className="actions">
            <button className="primary" disabled={!formState.isValid || formState.isSubmitting}>
              Review
            </button>
          </div>
        </form>
      )}

      {(step.name === 'review' || step.name === 'confirm') && (
        <div className="card review" data-testid="transfer-review">
          <dl className="summary">
            <dt>To</dt>
            <dd>
              <code>{step.review.destinationKind === 'iban' ? formatIban(step.review.destination) : step.review.destination}</code>
              <div className="muted small">{step.review.destinationKind === 'iban' ? 'IBAN payout — settles in the banking system' : 'CCC account — instant'}</div>
            </dd>
            <dt>Amount</dt>
            <dd className="big">
              <Amount value={step.review.amount} currency={step.review.currency} />
            </dd>
            {step.review.reference && (
              <>
                <dt>Reference</dt>
                <dd>{step.review.reference}</dd>
              </>
            )}
          </dl>
          <div className="device-preview">
            <h2>{step.name === 'confirm' ? 'Confirm on your Ledger' : 'Your Ledger will show'}</h2>
            <DeviceScreens screens={step.review.deviceScreens} waiting={step.name === 'confirm'} />
            {step.review.deviceShowsHash ? (
              <p className="muted small">This Bitcoin app version shows only the SHA-256 of the confirmation text. Check that the hash on the device matches the one above before approving.</p>
            ) : (
              <p className="muted small">Check that amount, currency, destination and reference on the device are exactly these before approving. The id and server at the end tie your approval to this one transfer at this server ({snap.profileId === 'sandbox' ? 'the sandbox' : 'the server you chose'}): it cannot be reused for another. Nothing is sent unless you approve on the device.</p>
            )}
          </div>
          {step.name === 'review' ? (
            <div className="actions">
              <button
                className="ghost"
                onClick={() => {
                  void treasury.cancelTransfer(step.review.requestId);
                  setStep({ name: 'form' });
                }}
              >
                Back
              </button>
              <button className="primary" onClick={() => void confirm(step.review)} data-testid="confirm-on-ledger">
                Confirm on Ledger
              </button>
            </div>
          ) : (
            <p className="waiting-note" role="status">
              Waiting for your approval on the device…
            </p>
          )}
        </div>
      )}

      {step.name === 'result' && <TransferResult step={step} rows={rows} onRestart={restart} />}
    </div>
  );
}

function TransferResult({ step, rows, onRestart }: { step: Extract<Step, { name: 'result' }>; rows: TxRow[]; onRestart: () => void }) {
  const { outcome, review } = step;
  if (outcome.status === 'rejected-on-device') {
    return (
      <div className="card result calm" data-testid="transfer-result" data-status="rejected">
        <h2>Transfer cancelled on your Ledger</h2>
        <p>You rejected it on the device, so nothing was sent and no money moved.</p>
        <div className="actions">
          <button className="primary" onClick={onRestart}>
            New transfer
          </button>
        </div>
      </div>
    );
  }
  if (outcome.status === 'failed') {
    return (
      <div className="card result failed" data-testid="transfer-result" data-status="failed">
        <h2>The transfer was not made</h2>
        <p>{outcome.message}</p>
        <p className="muted small">Code {outcome.code}</p>
        <div className="actions">
          <button className="primary" onClick={onRestart}>
            Start again
          </button>
        </div>
      </div>
    );
  }
  const live = rows.find((r) => r.txid === outcome.tx.txid) ?? outcome.tx;
  return (
    <div className="card result sent" data-testid="transfer-result" data-status={live.status}>
      <h2>{live.status === 'pending' ? 'Payout submitted' : live.status === 'failed' ? 'Payout failed' : 'Transfer sent'}</h2>
      <p>
        <Amount value={review.amount} currency={review.currency} /> to <code>{review.destinationKind === 'iban' ? formatIban(review.destination) : review.destination}</code>
      </p>
      <p className="muted small">Transaction #{live.txid}</p>
      {live.status === 'pending' && <p className="pending-note">The bank is processing this payout. This page updates when it completes.</p>}
      {live.status === 'failed' && <p className="banner danger">{live.message ?? 'The payout failed.'} The reserved funds were returned to your balance.</p>}
      {live.status === 'complete' && review.destinationKind === 'iban' && <p className="banner success">The payout completed.</p>}
      <div className="actions">
        <button className="primary" onClick={onRestart}>
          New transfer
        </button>
      </div>
    </div>
  );
}
