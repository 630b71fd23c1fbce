// Balance over time on the dashboard: one currency at a time (the preferred first), drawn from the
// verified local history (shared/balance-series.ts, computed by the core) with Recharts; theme colours come from the CSS variables,
// so it reads the same in light and dark. The exact figure of every point is in its tooltip.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DeskSummary } from '../../../shared/app-api';
import type { CurrencyCode } from '../../../shared/currencies';
import { displayAmount, formatDateTime } from '../format';
import { currentLocale } from '../locale';

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export function BalanceChart({ series }: { series: DeskSummary['series'] }) {
  const { t } = useTranslation();
  const currencies = series.map((s) => s.currency);
  const [chosen, setChosen] = useState<CurrencyCode | null>(null);
  const currency = chosen && currencies.includes(chosen) ? chosen : currencies[0];
  const data = series.find((s) => s.currency === currency)?.points ?? [];
  if (!currency || data.length < 2) return null;
  const last = data[data.length - 1];
  // Axis labels in the user's locale. Within two days, ticks show the time of day; otherwise the date.
  const locale = currentLocale();
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const tickFormat = new Intl.DateTimeFormat(locale, last.t - data[0].t < 2 * 86_400_000 ? { hour: '2-digit', minute: '2-digit' } : { year: 'numeric', month: '2-digit', day: '2-digit' });
  const tick = (t: number) => tickFormat.format(t);
  return (
    <section className="card balance-chart" aria-labelledby="balance-chart-title" data-testid="balance-chart">
      <header className="card-head">
        <h2 id="balance-chart-title">{t('dashboard.chart.title')}</h2>
        <div className="chart-currencies" role="group" aria-label={t('dashboard.chart.currency')}>
          {currencies.map((c) => (
            <button key={c} className={`chip ${c === currency ? 'on' : ''}`} aria-pressed={c === currency} onClick={() => setChosen(c)}>
              {c}
            </button>
          ))}
        </div>
      </header>
      <p className="muted small">{t('dashboard.chart.body', { currency, amount: displayAmount(last.amount) })}</p>
      <div className="chart-area" role="img" aria-label={t('dashboard.chart.aria', { currency, from: day(data[0].t), to: day(last.t), amount: displayAmount(last.amount) })}>
        <ResponsiveContainer width="100%" height={180}>
          <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={tick} stroke="var(--muted)" fontSize={11} minTickGap={40} />
            <YAxis dataKey="y" tickFormatter={(v: number) => compact.format(v)} stroke="var(--muted)" fontSize={11} width={56} />
            <Tooltip
              contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }}
              labelFormatter={(t) => formatDateTime(Number(t))}
              formatter={(_v, _n, item) => [`${displayAmount((item.payload as { amount: string }).amount)} ${currency}`, t('dashboard.chart.available')]}
            />
            <Area type="stepAfter" dataKey="y" stroke="var(--accent)" fill="var(--accent)" fillOpacity={0.12} strokeWidth={2} isAnimationActive={false} />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
