// History's filter bar: dates, currency, direction, status and a search that matches what is shown.
import { useTranslation } from 'react-i18next';
import { SUPPORTED_CURRENCIES } from '../../../shared/currencies';
import type { HistoryFilterFields } from '../history/use-history-filters';

export function HistoryFilters({ fields, set }: { fields: HistoryFilterFields; set: (name: keyof HistoryFilterFields, value: string) => void }) {
  const { t } = useTranslation();
  return (
    <div className="filters" role="search">
      <label>
        {t('history.from')}
        <input type="date" value={fields.from} onChange={(e) => set('from', e.target.value)} />
      </label>
      <label>
        {t('history.to')}
        <input type="date" value={fields.to} onChange={(e) => set('to', e.target.value)} />
      </label>
      <label>
        {t('history.currency')}
        <select value={fields.currency} onChange={(e) => set('currency', e.target.value)}>
          <option value="">{t('history.all')}</option>
          {SUPPORTED_CURRENCIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        {t('history.direction')}
        <select value={fields.direction} onChange={(e) => set('direction', e.target.value)}>
          <option value="">{t('history.all')}</option>
          <option value="in">{t('history.received')}</option>
          <option value="out">{t('history.sent')}</option>
        </select>
      </label>
      <label>
        {t('history.status')}
        <select value={fields.status} onChange={(e) => set('status', e.target.value)}>
          <option value="">{t('history.all')}</option>
          <option value="complete">{t('history.complete')}</option>
          <option value="pending">{t('history.pending')}</option>
          <option value="failed">{t('history.failed')}</option>
        </select>
      </label>
      <label className="grow">
        {t('history.search')}
        <input type="search" placeholder={t('history.searchPlaceholder')} value={fields.text} onChange={(e) => set('text', e.target.value)} />
      </label>
    </div>
  );
}
