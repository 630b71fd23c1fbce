// Passing notices. Good news (a deposit) is polite and goes after 6 s; a security alert is assertive
// and stays until the user dismisses it.
import { useTranslation } from 'react-i18next';
export interface Toast {
  id: string;
  kind: 'success' | 'danger' | 'info';
  title: string;
  body: string;
}

function ToastItem({ t, onDismiss }: { t: Toast; onDismiss: (id: string) => void }) {
  const { t: tr } = useTranslation();
  return (
    <div className={`toast ${t.kind}`}>
      <strong>{t.title}</strong>
      <span>{t.body}</span>
      <button className="link toast-close" onClick={() => onDismiss(t.id)} aria-label={tr('toast.dismissNamed', { title: t.title })}>
        {tr('toast.dismiss')}
      </button>
    </div>
  );
}

export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: string) => void }) {
  return (
    <div className="toasts">
      <div role="alert" aria-live="assertive" className="toast-stack" data-testid="toasts-assertive">
        {toasts
          .filter((t) => t.kind === 'danger')
          .map((t) => (
            <ToastItem key={t.id} t={t} onDismiss={onDismiss} />
          ))}
      </div>
      <div role="status" aria-live="polite" className="toast-stack">
        {toasts
          .filter((t) => t.kind !== 'danger')
          .map((t) => (
            <ToastItem key={t.id} t={t} onDismiss={onDismiss} />
          ))}
      </div>
    </div>
  );
}
