import type { UseFormRegister } from 'react-hook-form';
import { SUPPORTED_CURRENCIES } from '../../../shared/currencies';
import { countryOptions } from '../countries';
import { useTranslation } from 'react-i18next';

/** Country of residence (ISO 3166-1) and preferred currency (the supported ISO 4217 set), side by side. */
export function CountryCurrencyFields({ register, countryError, placeholder = false }: { register: UseFormRegister<{ country: string; currency: string }>; countryError?: string; placeholder?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="grid2">
      <label>
        {t('account.country')}
        <select {...register('country', { required: t('account.chooseCountry') })} aria-invalid={!!countryError} aria-describedby="country-error">
          {placeholder && <option value="">{t('account.choose')}</option>}
          {countryOptions().map((c) => (
            <option key={c.code} value={c.code}>
              {c.name} ({c.code})
            </option>
          ))}
        </select>
        <span id="country-error" className="field-error">
          {countryError}
        </span>
      </label>
      <label>
        {t('account.currency')}
        <select {...register('currency')}>
          {SUPPORTED_CURRENCIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
    </div>
  );
}
