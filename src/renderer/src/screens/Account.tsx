import { useEffect, useState } from 'react';
import { useForm, type UseFormRegister } from 'react-hook-form';
import type { AppSnapshot } from '../../../shared/app-api';
import { EmailSchema, PhoneSchema } from '../../../shared/protocol';
import { formatIban } from '../../../shared/iban';
import { treasury, errorOf } from '../treasury';
import { countryName } from '../countries';
import { CountryCurrencyFields } from '../components/CountryCurrencyFields';
import { LOCALE_CHOICES, chooseLocale, chosenLocale, currentLocale, systemLocale } from '../locale';
import { displayAmount, formatDateTime } from '../format';
import { useTranslation } from 'react-i18next';

type Fields = { email: string; address: string; phone: string; country: string; currency: string };

export function AccountScreen({ snap }: { snap: AppSnapshot }) {
  useEffect(() => {
    // The account may have been verified (or changed) outside the app since we last looked.
    void treasury.refreshAccount().catch(() => undefined);
  }, []);
  const a = snap.account!;
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const defaults = { email: a.email, address: a.address ?? '', phone: a.phone ?? '', country: a.country, currency: a.currency };
  const { register, handleSubmit, watch, formState, reset } = useForm<Fields>({ mode: 'onChange', defaultValues: defaults });
  const country = watch('country');
  const submit = handleSubmit(async (v) => {
    setError(null);
    setSaved(false);
    const changes: Partial<Fields> = {};
    for (const k of Object.keys(v) as (keyof Fields)[]) if (v[k] !== defaults[k]) changes[k] = v[k];
    if (Object.keys(changes).length === 0) return;
    try {
      const next = await treasury.updateAccount(changes);
      reset({ email: next.email, address: next.address ?? '', phone: next.phone ?? '', country: next.country, currency: next.currency });
      setSaved(true);
    } catch (e) {
      setError(errorOf(e).message);
    }
  });
  return (
    <div className="page narrow">
      <h1>{t('account.title')}</h1>
      <section className="card">
        <dl className="summary">
          <dt>{t('account.holder')}</dt>
          <dd>{a.name}</dd>
          <dt>{t('account.verification')}</dt>
          <dd>{a.isVerified ? <span className="badge complete">{t('account.verified')}</span> : <span className="badge pending">{t('account.pending')}</span>}</dd>
          <dt>IBAN</dt>
          <dd>{a.iban ? <code>{formatIban(a.iban)}</code> : <span className="muted">{t('account.ibanLater')}</span>}</dd>
          <dt>{t('account.signingAddress')}</dt>
          <dd>
            <code>{snap.team?.member ?? snap.address}</code>
          </dd>
        </dl>
      </section>
      <IdleLockSetting />
      <LocaleSetting />
      {/* A company account's details are its administrators' to change (the server refuses others). */}
      {(!snap.team || snap.team.role === 'administrator') && (
        <form className="form card" onSubmit={(e) => void submit(e)} noValidate data-testid="account-form">
          <h2>{t('account.contact')}</h2>
          <label>
            {t('account.email')}
            <input
              type="email"
              {...register('email', { validate: (v) => EmailSchema.safeParse(v).success || t('register.validEmail') })}
              aria-invalid={!!formState.errors.email}
              aria-describedby="account-email-error"
            />
            <span id="account-email-error" className="field-error">
              {formState.errors.email?.message}
            </span>
          </label>
          <label>
            {t('account.address')}
            <input {...register('address')} />
          </label>
          <label>
            {t('account.phone')}
            <input
              {...register('phone', { validate: (v) => !v || PhoneSchema.safeParse(v).success || t('register.validPhone') })}
              aria-invalid={!!formState.errors.phone}
              aria-describedby="account-phone-error"
            />
            <span id="account-phone-error" className="field-error">
              {formState.errors.phone?.message}
            </span>
          </label>
          <CountryCurrencyFields register={register as unknown as UseFormRegister<{ country: string; currency: string }>} />
          {country !== a.country && (
            <div className="banner warn" data-testid="reverify-warning">
              <strong>{t('account.reverifyTitle')}</strong> {t('account.reverifyBody', { from: countryName(a.country), to: countryName(country) })}
            </div>
          )}
          {error && (
            <div className="banner danger" role="alert">
              {error}
            </div>
          )}
          {saved && !formState.isDirty && (
            <div className="banner success" role="status">
              {t('account.saved')}
            </div>
          )}
          <div className="actions">
            <button className="primary" disabled={!formState.isDirty || Object.keys(formState.errors).length > 0 || formState.isSubmitting}>
              {t('account.save')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** How numbers, amounts, dates and times are written and how typed amounts are read (this window only). */
function LocaleSetting() {
  const chosen = chosenLocale();
  const system = systemLocale();
  const known = LOCALE_CHOICES.some((c) => c.id === chosen);
  const { t } = useTranslation();
  return (
    <section className="card form" data-testid="locale-setting">
      <h2>{t('settings.formatsTitle')}</h2>
      <label>
        {t('settings.format')}
        <select value={chosen ?? ''} onChange={(e) => chooseLocale(e.target.value || null)}>
          <option value="">{t('settings.system', { locale: system })}</option>
          {chosen && !known && <option value={chosen}>{chosen}</option>}
          {LOCALE_CHOICES.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.id})
            </option>
          ))}
        </select>
        <span className="field-hint" data-testid="locale-example">
          {t('settings.example', { amount: displayAmount('1234567.89'), date: formatDateTime(Date.now()), locale: currentLocale() })}
        </span>
      </label>
    </section>
  );
}

/** How long the app may sit idle before it locks (then the Ledger unlocks it). */
function IdleLockSetting() {
  const [minutes, setMinutes] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { t } = useTranslation();
  useEffect(() => {
    void treasury.getPreferences().then((p) => setMinutes(p.idleLockMinutes), () => undefined);
  }, []);
  if (minutes === null) return null;
  return (
    <section className="card form" data-testid="idle-lock-setting">
      <h2>{t('idleLock.title')}</h2>
      <label>
        {t('idleLock.after')}
        <select
          value={minutes}
          onChange={(e) =>
            void treasury.setPreferences({ idleLockMinutes: Number(e.target.value) }).then(
              (p) => (setMinutes(p.idleLockMinutes), setError(null)),
              (err) => setError(errorOf(err).message),
            )
          }
        >
          {[2, 5, 10, 15, 30, 60].map((m) => (
            <option key={m} value={m}>
              {t('idleLock.minutes', { n: m })}
            </option>
          ))}
          <option value={0}>{t('idleLock.never')}</option>
        </select>
        <span className="field-hint">{t('idleLock.hint')}</span>
      </label>
      {error && <div className="field-error">{error}</div>}
    </section>
  );
}
