import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { AppSnapshot, LoginStep, Profile, ProfileInput } from '../../../shared/app-api';
import { parseBitcoinAddress } from '../../../shared/bitcoin-address';
import { endpointProblem, normaliseFingerprint } from '../../../shared/endpoint-policy';
import { treasury, errorOf } from '../treasury';
import { VirtualDevicePanel } from '../components/VirtualDevicePanel';
import { DeviceScreens } from '../components/DeviceScreens';

/** The login steps; what the device will show names the server's host, so the user can check it. */
function steps(host: string): { id: LoginStep; label: string; hint: string }[] {
  return [
    { id: 'connect-device', label: 'Connect your Ledger', hint: 'Plug it in with its USB cable.' },
    { id: 'unlock', label: 'Unlock it', hint: 'Enter your PIN on the device.' },
    { id: 'open-app', label: 'Open the Bitcoin app', hint: 'Select Bitcoin on the device and press both buttons.' },
    { id: 'get-address', label: 'Read your address', hint: 'The app asks the device for the signing address.' },
    { id: 'connect-server', label: 'Connect to the server', hint: `A session with ${host}.` },
    {
      id: 'confirm-login',
      label: 'Confirm the login on your Ledger',
      hint: `Your Ledger shows “CCC login to ${host} nonce …”. Approve only if it names ${host}; the app never asks the device to sign a login for any other server.`,
    },
    {
      id: 'protect-account',
      label: 'Protect your account on your Ledger',
      hint: 'Once per account: your Ledger shows “CCC policy require device confirmation ON …”. Approve it, and the server will refuse every transfer that was not confirmed on your Ledger.',
    },
  ];
}

function hostOf(endpoint: string | undefined): string {
  try {
    return endpoint ? new URL(endpoint).host : 'the server';
  } catch {
    return 'the server';
  }
}

export function ConnectScreen({ snap, theme, onToggleTheme }: { snap: AppSnapshot; theme: string; onToggleTheme: () => void }) {
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [adding, setAdding] = useState(false);

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
  const STEPS = steps(hostOf(profile?.endpoint));
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
              <div className="brand-sub">Sign in with your Ledger</div>
            </div>
          </div>
          <button className="ghost" onClick={onToggleTheme}>
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
        </header>

        <section>
          <h2>Server</h2>
          <div className="profiles" role="radiogroup" aria-label="Server profile">
            {profiles.map((p) => (
              <label key={p.id} className={`profile ${selected === p.id ? 'on' : ''}`}>
                <input type="radio" name="profile" value={p.id} checked={selected === p.id} onChange={() => setSelected(p.id)} />
                <span className="profile-name">{p.name}</span>
                <span className="profile-meta">
                  {p.endpoint} · {p.transport === 'virtual' ? 'virtual Ledger' : p.transport === 'usb' ? 'Ledger on USB' : `Speculos :${p.speculosPort ?? 5000}`}
                </span>
                <span className="profile-meta">Trusted back office {p.trustedAddress}</span>
              </label>
            ))}
            {profiles.length === 0 && <p className="muted">No server configured yet: add one below.</p>}
          </div>
          {!adding ? (
            <button className="link" onClick={() => setAdding(true)}>
              + Add a server
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
          <h2>Ledger</h2>
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
                        Using <code>{snap.address}</code>
                      </div>
                    )}
                  </div>
                </li>
              );
            })}
          </ol>
          {snap.device.state === 'awaiting-confirmation' && busy && (
            <div className="confirm-on-device">
              <p>Your Ledger shows:</p>
              <DeviceScreens screens={snap.device.screens} waiting />
            </div>
          )}
          {error && (
            <div className="banner danger" role="alert" data-testid="login-error">
              <strong>{error.message.split('. ')[0]}.</strong> {error.message.split('. ').slice(1).join('. ')}
            </div>
          )}
          <button className="primary wide" onClick={() => void connect()} disabled={!selected || busy} data-testid="connect">
            {busy ? 'Connecting…' : error ? 'Try again' : 'Connect'}
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
        Name
        <input {...register('name', { required: 'give it a name' })} placeholder="Production" />
      </label>
      <label>
        Endpoint
        <input {...register('endpoint', { validate: (v) => endpointProblem(v) ?? true })} />
        <span className="field-error">{formState.errors.endpoint?.message}</span>
      </label>
      <label>
        <span>
          Pinned certificate <span className="muted">(SHA-256, optional)</span>
        </span>
        <input {...register('certificateSha256', { validate: (v) => !v || normaliseFingerprint(v) !== null || '64 hex digits, colons allowed' })} placeholder="AB:CD:…" />
        <span className="field-error">{formState.errors.certificateSha256?.message}</span>
      </label>
      <label className="span2">
        Trusted back-office address
        <input {...register('trustedAddress', { validate: (v) => parseBitcoinAddress(v)?.network === network || `a ${network} Bitcoin address` })} placeholder="1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU" />
        <span className="field-error">{formState.errors.trustedAddress?.message}</span>
      </label>
      <label>
        Device
        <select {...register('transport')}>
          <option value="usb">Ledger on USB</option>
          <option value="speculos">Speculos emulator</option>
        </select>
      </label>
      {transport === 'speculos' && (
        <label>
          Speculos API port
          <input type="number" {...register('speculosPort')} placeholder="5000" />
        </label>
      )}
      <label>
        Network
        <select {...register('network')}>
          <option value="mainnet">Bitcoin mainnet</option>
          <option value="testnet">Bitcoin testnet</option>
        </select>
      </label>
      <label>
        Address type
        <select {...register('addressKind')}>
          <option value="p2wpkh">Native segwit (84')</option>
          <option value="p2sh">Nested segwit (49')</option>
          <option value="p2pkh">Legacy (44')</option>
        </select>
      </label>
      <label>
        Derivation path
        <input {...register('derivationPath', { required: true })} />
      </label>
      {error && <div className="banner danger span2">{error}</div>}
      <div className="actions span2">
        <button type="button" className="ghost" onClick={onCancel}>
          Cancel
        </button>
        <button className="primary" disabled={!formState.isValid}>
          Save server
        </button>
      </div>
    </form>
  );
}
