// Step 1 of the Transfer wizard: destination, currency, amount (typed in the user's locale) and
// reference, checked as they are typed. The fields are kept in the core as they are typed, so leaving
// the screen loses nothing; Review asks the core to prepare the transfer.
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { AppSnapshot, TransferDraft } from '../../../../shared/app-api';
import { SUPPORTED_CURRENCIES, isSupportedCurrency, currencyExponent, type CurrencyCode } from '../../../../shared/currencies';
import { parseWireAmount } from '../../../../shared/money';
import { classifyDestination } from '../../../../shared/destination';
import { isConfirmableReference } from '../../../../shared/confirmation';
import { treasury, errorOf } from '../../treasury';
import { Amount } from '../../components/Amount';
import { displayAmount } from '../../format';
import { currentLocale, localizeDecimal } from '../../locale';
import { errorWords, ibanWords } from '../../i18n/core-words';
import { L, describeDestination, networkOf, readAmount } from './words';
import type { Beneficiary } from '../../../../shared/app-api';

/** The team's beneficiary book (empty for an account without one, or a server without teams). */
function useBeneficiaries(snap: AppSnapshot): Beneficiary[] {
  const [book, setBook] = useState<Beneficiary[]>([]);
  const account = snap.team?.account;
  useEffect(() => {
    if (!account) return;
    let live = true;
    treasury.getBeneficiaries().then(
      (b) => live && setBook(b),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [account]);
  return book;
}

type Fields = { destination: string; currency: string; amount: string; reference: string };

/** Keeps the fields in the core as they are typed (and when the form goes), so navigation loses nothing. */
function useDraftSaving(watch: ReturnType<typeof useForm<Fields>>['watch'], getValues: () => Fields): { stop(): void } {
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
  return {
    stop() {
      if (saveTimer.current) clearTimeout(saveTimer.current);
      saveTimer.current = null;
    },
  };
}

export function DetailsStep({ snap, draft, notice }: { snap: AppSnapshot; draft: TransferDraft | null; notice: { code: string; message: string } | null }) {
  const account = snap.account!;
  const [error, setError] = useState<string | null>(null);
  // A draft coming back holds the canonical amount that was sent for review: show it the user's way.
  const draftAmount = draft?.amount && /^\d+(\.\d+)?$/.test(draft.amount) ? localizeDecimal(draft.amount, currentLocale()) : (draft?.amount ?? '');
  const initial: Fields = { destination: draft?.destination ?? '', currency: draft?.currency || account.currency, amount: draftAmount, reference: draft?.reference ?? '' };
  const { register, handleSubmit, watch, formState, getValues, trigger, setValue } = useForm<Fields>({ mode: 'onChange', defaultValues: initial });
  const book = useBeneficiaries(snap);
  const currency = watch('currency');
  const destination = watch('destination');
  const typedAmount = readAmount(watch('amount') ?? '', currency);
  const exp = isSupportedCurrency(currency) ? currencyExponent(currency) : 2;
  const available = snap.balances.find((b) => b.currency === currency)?.amount ?? null;
  const online = snap.connection === 'online';
  const saving = useDraftSaving(watch, getValues);

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
    saving.stop();
    const amount = readAmount(v.amount, v.currency);
    try {
      // The core gets the canonical decimal string, whatever the locale it was typed in.
      await treasury.prepareTransfer({ ...v, amount: amount.ok ? amount.canonical : v.amount });
    } catch (e) {
      setError(errorOf(e).message);
    }
  });

  const shownError = error ?? (notice && notice.code !== 'CANCELLED' ? errorWords(notice) : null);
  return (
    <form className="form card" onSubmit={(e) => void review(e)} noValidate data-testid="transfer-form">
      {notice?.code === 'CANCELLED' && !error && (
        <div className="banner info" role="status">
          {errorWords(notice)}
        </div>
      )}
      {book.length > 0 && (
        <label>
          {L('transfer.beneficiary')}
          <select
            data-testid="choose-beneficiary"
            value={book.find((b) => b.destination === destination.replace(/\s+/g, '').toUpperCase() || b.destination === destination.trim())?.destination ?? ''}
            onChange={(e) => e.target.value && setValue('destination', e.target.value, { shouldValidate: true, shouldDirty: true })}
            aria-describedby="transfer-beneficiary-note"
          >
            <option value="">{L('transfer.chooseBeneficiary')}</option>
            {book.map((b) => (
              <option key={b.destination} value={b.destination}>
                {b.name} · {b.destinationKind === 'iban' ? b.destination.replace(/(.{4})/g, '$1 ').trim() : b.destination}
              </option>
            ))}
          </select>
          <span id="transfer-beneficiary-note" className="field-hint">
            {L('transfer.beneficiaryNote')}
          </span>
        </label>
      )}
      <label>
        {L('transfer.to')}
        <input
          {...register('destination', {
            validate: (v) => {
              if (!v.trim()) return L('transfer.enterDestination');
              const d = classifyDestination(v, networkOf(snap.address));
              if (d.ok) return d.kind === 'address' && d.destination === snap.address ? L('transfer.ownAccount') : true;
              return d.problem === 'INVALID_IBAN' ? L('transfer.badIban', { reason: ibanWords(d.ibanProblems, d.reason) }) : d.problem === 'WRONG_NETWORK' ? L('transfer.wrongNetwork') : L('transfer.neither');
            },
          })}
          placeholder={L('transfer.destinationPlaceholder')}
          autoFocus
          spellCheck={false}
          aria-invalid={!!formState.errors.destination}
          aria-describedby="transfer-destination-note"
        />
        <span id="transfer-destination-note" className={formState.errors.destination ? 'field-error' : 'field-hint'}>
          {formState.errors.destination?.message ?? describeDestination(destination, networkOf(snap.address)) ?? ' '}
        </span>
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
          placeholder={L('transfer.referencePlaceholder')}
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
          {L('errors.OFFLINE')}
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
