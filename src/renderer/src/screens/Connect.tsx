// The login screen: choose a server profile, then the Ledger walk (connect, unlock, open the app, read the
// address, confirm the login that names the server's host), with the virtual Ledger's panel in the sandbox.
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { AppSnapshot, LoginStep, Profile, ProfileInput } from '../../../shared/app-api';
import { parseBitcoinAddress } from '../../../shared/bitcoin-address';
import { endpointProblemCode, normaliseFingerprint } from '../../../shared/endpoint-policy';
import { treasury, errorOf } from '../treasury';
import { VirtualDevicePanel } from '../components/VirtualDevicePanel';
import { DeviceScreens } from '../components/DeviceScreens';
import { useTranslation } from 'react-i18next';

/** The login steps (connect.steps.* in the catalogues); what the device will show names the server's host,
 * so the user can check it. */
const STEP_IDS: readonly LoginStep[] = ['connect-device', 'unlock', 'open-app', 'get-address', 'connect-server', 'confirm-login', 'protect-account'];

function hostOf(endpoint: string | undefined): string | null {
  try {
    return endpoint ? new URL(endpoint).host : null;
  } catch {
    return null;
  }
}

export function ConnectScreen({ snap, theme, onToggleTheme }: { snap: AppSnapshot; theme: string; onToggleTheme: () => void }) {
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const { t } = useTranslation();

  const reload = () =>
    treasury.listProfiles().then(
      (r) => {
        setProfiles(r.profiles);
        setSelected((s) => s ?? r.activeId ?? r.profiles[0]?.id ?? null);
      },
      (e) => setError(errorOf(e)),
    );
  useEffect(() => {
    void reload();
  }, []);

  const connect = async () => {
    if (!selected) return;
    setBusy(true);
    setError(null);
    try {
      await treasury.login(selected);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  };

  const current = snap.loginStep;
  const profile = profiles.find((p) => p.id === selected);
  const host = hostOf(profile?.endpoint) ?? t('connect.theServer');
  const STEPS = STEP_IDS.map((id) => ({ id, label: t(`connect.steps.${id}.label`), hint: t(`connect.steps.${id}.hint`, { host }) }));
  const currentIndex = STEPS.findIndex((s) => s.id === current);
  const failed = !busy && error;

  return (
    <main className="connect">
      <div className="connect-card">
        <header className="connect-head">
          <div className="brand">
            <span className="brand-mark" aria-hidden>
              C
            </span>
            <div>
              <h1 className="brand-name">CCC Treasury</h1>
              <div className="brand-sub">{t('connect.signIn')}</div>
            </div>
          </div>
          <button className="ghost" onClick={onToggleTheme}>
            {theme === 'dark' ? t('shell.lightTheme') : t('shell.darkTheme')}
          </button>
        </header>

        <section>
          <h2>{t('connect.server')}</h2>
          <div className="profiles" role="radiogroup" aria-label={t('connect.profiles')}>
            {profiles.map((p) => (
              <label key={p.id} className={`profile ${selected === p.id ? 'on' : ''}`}>
                <input type="radio" name="profile" value={p.id} checked={selected === p.id} onChange={() => setSelected(p.id)} />
                <span className="profile-name">{p.sandbox ? t('connect.sandboxName') : p.name}</span>
                <span className="profile-meta">
                  {p.endpoint} · {p.transport === 'virtual' ? t('connect.virtualLedger') : p.transport === 'usb' ? t('connect.usbLedger') : t('connect.speculos', { port: p.speculosPort ?? 5000 })}
                </span>
                <span className="profile-meta">{t('connect.trusted', { address: p.trustedAddress })}</span>
              </label>
            ))}
            {profiles.length === 0 && <p className="muted">{t('connect.noServer')}</p>}
          </div>
          {!adding ? (
            <button className="link" onClick={() => setAdding(true)}>
              {t('connect.addServer')}
            </button>
          ) : (
            <ProfileForm
              onCancel={() => setAdding(false)}
              onSaved={(p) => {
                setAdding(false);
                setSelected(p.id);
                void reload();
              }}
            />
          )}
        </section>

        {profile?.transport === 'virtual' && <VirtualDevicePanel />}

        <section>
          <h2>{t('connect.ledger')}</h2>
          <ol className="steps" data-testid="login-steps">
            {STEPS.filter((s) => s.id !== 'protect-account' || current === 'protect-account').map((s, i) => {
              const state = failed && i === currentIndex ? 'failed' : current === 'authenticated' || i < currentIndex ? 'done' : i === currentIndex && busy ? 'active' : 'todo';
              return (
                <li key={s.id} className={`step ${state}`}>
                  <span className="step-dot" aria-hidden />
                  <div>
                    <div className="step-label">{s.label}</div>
                    {(state === 'active' || state === 'failed') && <div className="step-hint">{s.hint}</div>}
                    {s.id === 'get-address' && snap.address && state === 'done' && (
                      <div className="step-hint">
                        {t('connect.using')} <code>{snap.address}</code>
                      </div>
                    )}
                  </div>
                </li>
              );
            })}
          </ol>
          {snap.device.state === 'awaiting-confirmation' && busy && (
            <div className="confirm-on-device">
              <p>{t('connect.ledgerShows')}</p>
              <DeviceScreens screens={snap.device.screens} waiting />
            </div>
          )}
          {error && (
            <div className="banner danger" role="alert" data-testid="login-error">
              <strong>{error.message.split('. ')[0]}.</strong> {error.message.split('. ').slice(1).join('. ')}
            </div>
          )}
          <button className="primary wide" onClick={() => void connect()} disabled={!selected || busy} data-testid="connect">
            {busy ? t('connect.connecting') : error ? t('connect.tryAgain') : t('connect.connect')}
          </button>
        </section>
      </div>
    </main>
  );
}

function ProfileForm({ onSaved, onCancel }: { onSaved: (p: Profile) => void; onCancel: () => void }) {
  const { register, handleSubmit, watch, formState } = useForm<ProfileInput & { speculosPort?: number }>({
    mode: 'onChange',
    defaultValues: { name: '', endpoint: 'wss://', trustedAddress: '', transport: 'usb', network: 'mainnet', addressKind: 'p2wpkh', derivationPath: "84'/0'/0'/0/0" },
  });
  const [error, setError] = useState<string | null>(null);
  const { t } = useTranslation();
  const network = watch('network');
  const transport = watch('transport');
  const submit = handleSubmit(async (v) => {
    try {
      onSaved(await treasury.saveProfile({ ...v, certificateSha256: v.certificateSha256 || undefined, speculosPort: v.transport === 'speculos' ? Number(v.speculosPort || 5000) : undefined }));
    } catch (e) {
      setError(errorOf(e).message);
    }
  });
  return (
    <form className="form grid2" onSubmit={(e) => void submit(e)}>
      <label>
        {t('connect.form.name')}
        <input {...register('name', { required: t('connect.form.nameRequired') })} placeholder={t('connect.form.namePlaceholder')} />
      </label>
      <label>
        {t('connect.form.endpoint')}
        <input
          {...register('endpoint', {
            validate: (v) => {
              const problem = endpointProblemCode(v);
              return problem ? t(`connect.form.endpoint_${problem}`) : true;
            },
          })}
        />
        <span className="field-error">{formState.errors.endpoint?.message}</span>
      </label>
      <label>
        <span>
          {t('connect.form.certificate')} <span className="muted">{t('connect.form.certificateNote')}</span>
        </span>
        <input {...register('certificateSha256', { validate: (v) => !v || normaliseFingerprint(v) !== null || t('connect.form.certificateInvalid') })} placeholder="AB:CD:…" />
        <span className="field-error">{formState.errors.certificateSha256?.message}</span>
      </label>
      <label className="span2">
        {t('connect.form.trusted')}
        <input {...register('trustedAddress', { validate: (v) => parseBitcoinAddress(v)?.network === network || t('connect.form.trustedInvalid', { network }) })} placeholder="1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU" />
        <span className="field-error">{formState.errors.trustedAddress?.message}</span>
      </label>
      <label>
        {t('connect.form.device')}
        <select {...register('transport')}>
          <option value="usb">{t('connect.form.usb')}</option>
          <option value="speculos">{t('connect.form.speculos')}</option>
        </select>
      </label>
      {transport === 'speculos' && (
        <label>
          {t('connect.form.speculosPort')}
          <input type="number" {...register('speculosPort')} placeholder="5000" />
        </label>
      )}
      <label>
        {t('connect.form.network')}
        <select {...register('network')}>
          <option value="mainnet">{t('connect.form.mainnet')}</option>
          <option value="testnet">{t('connect.form.testnet')}</option>
        </select>
      </label>
      <label>
        {t('connect.form.addressType')}
        <select {...register('addressKind')}>
          <option value="p2wpkh">{t('connect.form.p2wpkh')}</option>
          <option value="p2sh">{t('connect.form.p2sh')}</option>
          <option value="p2pkh">{t('connect.form.p2pkh')}</option>
        </select>
      </label>
      <label>
        {t('connect.form.path')}
        <input {...register('derivationPath', { required: true })} />
      </label>
      {error && <div className="banner danger span2">{error}</div>}
      <div className="actions span2">
        <button type="button" className="ghost" onClick={onCancel}>
          {t('connect.form.cancel')}
        </button>
        <button className="primary" disabled={!formState.isValid}>
          {t('connect.form.save')}
        </button>
      </div>
    </form>
  );
}
