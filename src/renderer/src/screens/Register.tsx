import { useState } from 'react';
import { useForm, type UseFormRegister } from 'react-hook-form';
import type { AppSnapshot } from '../../../shared/app-api';
import { EmailSchema, PhoneSchema } from '../../../shared/protocol';
import { treasury, errorOf } from '../treasury';
import { CountryCurrencyFields } from '../components/CountryCurrencyFields';

type Fields = { name: string; email: string; country: string; currency: string; address: string; phone: string };

export function RegisterScreen({ snap }: { snap: AppSnapshot }) {
  const { register, handleSubmit, formState } = useForm<Fields>({ mode: 'onTouched', defaultValues: { name: '', email: '', country: '', currency: 'USD', address: '', phone: '' } });
  const [error, setError] = useState<string | null>(null);
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
      <h1>Open your CCC account</h1>
      <p className="lead">
        The address <code>{snap.address}</code> has no account yet. Register it; then complete the KYC verification on the Crypto Capital website to receive your IBAN and start sending.
      </p>
      <form className="form card" onSubmit={(ev) => void submit(ev)} noValidate data-testid="register-form">
        <label>
          Full legal name (company or person)
          <input {...register('name', { required: 'required', maxLength: { value: 200, message: 'at most 200 characters' } })} autoFocus aria-invalid={!!e.name} aria-describedby="register-name-error" />
          <span id="register-name-error" className="field-error">
            {e.name?.message}
          </span>
        </label>
        <label>
          Email
          <input type="email" {...register('email', { validate: (v) => EmailSchema.safeParse(v).success || 'a valid email address' })} aria-invalid={!!e.email} aria-describedby="register-email-error" />
          <span id="register-email-error" className="field-error">
            {e.email?.message}
          </span>
        </label>
        <CountryCurrencyFields register={register as unknown as UseFormRegister<{ country: string; currency: string }>} countryError={e.country?.message} placeholder />
        <label>
          <span>
            Street address <span className="muted">(optional)</span>
          </span>
          <input {...register('address', { maxLength: { value: 300, message: 'at most 300 characters' } })} placeholder="123 Main Street, Anytown, ST, 12345" />
        </label>
        <label>
          <span>
            Phone <span className="muted">(optional, with country code)</span>
          </span>
          <input
            {...register('phone', { validate: (v) => !v || PhoneSchema.safeParse(v).success || 'international format, e.g. +507 123 1234' })}
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
            {formState.isSubmitting ? 'Registering…' : 'Register'}
          </button>
        </div>
      </form>
    </div>
  );
}
