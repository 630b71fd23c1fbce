import { useState, type ReactNode } from 'react';
import { useForm, type UseFormRegister } from 'react-hook-form';
import type { AppSnapshot } from '../../../shared/app-api';
import { EmailSchema, PhoneSchema } from '../../../shared/protocol';
import { treasury, errorOf } from '../treasury';
import { CountryCurrencyFields } from '../components/CountryCurrencyFields';
import { useTranslation } from 'react-i18next';

type Fields = { name: string; email: string; country: string; currency: string; address: string; phone: string };

export function RegisterScreen({ snap, children }: { snap: AppSnapshot; /** shown under the form (acting for a company account instead) */ children?: ReactNode }) {
  const { register, handleSubmit, formState } = useForm<Fields>({ mode: 'onTouched', defaultValues: { name: '', email: '', country: '', currency: 'USD', address: '', phone: '' } });
  const [error, setError] = useState<string | null>(null);
  const { t } = useTranslation();
  const submit = handleSubmit(async (v) => {
    setError(null);
    try {
      await treasury.register(v);
    } catch (e) {
      setError(errorOf(e).message);
    }
  });
  const e = formState.errors;
  return (
    <div className="page narrow">
      <h1>{t('register.title')}</h1>
      <p className="lead">
        {t('register.leadBefore')} <code>{snap.address}</code> {t('register.leadAfter')}
      </p>
      <form className="form card" onSubmit={(ev) => void submit(ev)} noValidate data-testid="register-form">
        <label>
          {t('register.name')}
          <input {...register('name', { required: t('register.required'), maxLength: { value: 200, message: t('register.max200') } })} autoFocus aria-invalid={!!e.name} aria-describedby="register-name-error" />
          <span id="register-name-error" className="field-error">
            {e.name?.message}
          </span>
        </label>
        <label>
          {t('register.email')}
          <input type="email" {...register('email', { validate: (v) => EmailSchema.safeParse(v).success || t('register.validEmail') })} aria-invalid={!!e.email} aria-describedby="register-email-error" />
          <span id="register-email-error" className="field-error">
            {e.email?.message}
          </span>
        </label>
        <CountryCurrencyFields register={register as unknown as UseFormRegister<{ country: string; currency: string }>} countryError={e.country?.message} placeholder />
        <label>
          <span>
            {t('register.address')} <span className="muted">{t('register.optional')}</span>
          </span>
          <input {...register('address', { maxLength: { value: 300, message: t('register.max300') } })} placeholder={t('register.addressPlaceholder')} />
        </label>
        <label>
          <span>
            {t('register.phone')} <span className="muted">{t('register.phoneOptional')}</span>
          </span>
          <input
            {...register('phone', { validate: (v) => !v || PhoneSchema.safeParse(v).success || t('register.validPhone') })}
            placeholder="+5071231234"
            aria-invalid={!!e.phone}
            aria-describedby="register-phone-error"
          />
          <span id="register-phone-error" className="field-error">
            {e.phone?.message}
          </span>
        </label>
        {error && (
          <div className="banner danger" role="alert">
            {error}
          </div>
        )}
        <div className="actions">
          <button className="primary" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? t('register.submitting') : t('register.submit')}
          </button>
        </div>
      </form>
      {children}
    </div>
  );
}
