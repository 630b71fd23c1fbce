// Profiles and settings, persisted as JSON in the app's data directory. Validated on read and on
// write; a file that cannot be read or does not validate is reported and NEVER overwritten (the
// user may want to repair it). Writes are atomic (temp file + rename).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Profile, ProfileInput } from '../../shared/app-api';
import { parseBitcoinAddress } from '../../shared/bitcoin-address';
import { checkDerivationPath } from '../device/derivation-path';
import { endpointProblem, normaliseFingerprint } from '../../shared/endpoint-policy';
import { describeIssues } from '../../shared/protocol';
import { CodedError } from '../../shared/errors';

export class SettingsError extends CodedError<'SETTINGS_UNREADABLE' | 'SETTINGS_INVALID' | 'PROFILE_INVALID' | 'PROFILE_NOT_FOUND'> {}

export const ProfileSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/),
    name: z.string().trim().min(1).max(60),
    endpoint: z.string().url().superRefine((u, ctx) => {
      const problem = endpointProblem(u);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /** SHA-256 fingerprint of the server's TLS certificate; when set, only that certificate is accepted. */
    certificateSha256: z
      .string()
      .transform((s, ctx) => normaliseFingerprint(s) ?? (ctx.addIssue({ code: 'custom', message: 'must be a SHA-256 fingerprint: 64 hex digits, colons allowed' }), z.NEVER))
      .optional(),
    trustedAddress: z.string(),
    transport: z.enum(['virtual', 'usb', 'speculos']),
    speculosPort: z.number().int().min(1).max(65535).optional(),
    network: z.enum(['mainnet', 'testnet']),
    addressKind: z.enum(['p2pkh', 'p2sh', 'p2wpkh']),
    derivationPath: z.string(),
    sandbox: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    const a = parseBitcoinAddress(p.trustedAddress);
    if (!a || a.network !== p.network) ctx.addIssue({ code: 'custom', path: ['trustedAddress'], message: `must be a ${p.network} Bitcoin address` });
    try {
      checkDerivationPath(p.derivationPath, p.addressKind, p.network);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['derivationPath'], message: (e as Error).message });
    }
  });

const SettingsSchema = z.strictObject({
  version: z.literal(1),
  profiles: z.array(ProfileSchema),
  activeProfileId: z.string().nullable(),
  /** Last txid seen, per "profileId address", for gap filling after a restart. */
  lastSeen: z.record(z.string(), z.number().int().min(0)),
});
export type Settings = z.infer<typeof SettingsSchema>;

const EMPTY: Settings = { version: 1, profiles: [], activeProfileId: null, lastSeen: {} };

export class SettingsStore {
  readonly file: string;
  private cache: Settings | null = null;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'settings.json');
  }

  /** Reads the settings; throws SettingsError (and leaves the file alone) when it is unreadable or invalid. */
  load(): Settings {
    if (this.cache) return this.cache;
    if (!fs.existsSync(this.file)) return (this.cache = structuredClone(EMPTY));
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new SettingsError('SETTINGS_UNREADABLE', `The settings file ${this.file} cannot be read (${(e as Error).message}). It was left untouched: repair or move it away.`);
    }
    const parsed = SettingsSchema.safeParse(raw);
    if (!parsed.success) {
      throw new SettingsError('SETTINGS_INVALID', `The settings file ${this.file} is invalid (${describeIssues(parsed.error)}). It was left untouched: repair or move it away.`);
    }
    return (this.cache = parsed.data);
  }

  private save(next: Settings): void {
    SettingsSchema.parse(next);
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.cache = next;
  }

  saveProfile(input: ProfileInput): Profile {
    const current = this.load(); // throws for a broken file: never overwritten
    const profile = { ...input, id: input.id ?? `p-${crypto.randomBytes(4).toString('hex')}` };
    const parsed = ProfileSchema.safeParse(profile);
    if (!parsed.success) throw new SettingsError('PROFILE_INVALID', describeIssues(parsed.error));
    if (parsed.data.sandbox) throw new SettingsError('PROFILE_INVALID', 'the sandbox profile is built in');
    const profiles = current.profiles.filter((p) => p.id !== parsed.data.id).concat(parsed.data);
    this.save({ ...current, profiles });
    return parsed.data;
  }

  deleteProfile(id: string): void {
    const current = this.load();
    if (!current.profiles.some((p) => p.id === id)) throw new SettingsError('PROFILE_NOT_FOUND', `no profile ${id}`);
    this.save({ ...current, profiles: current.profiles.filter((p) => p.id !== id), activeProfileId: current.activeProfileId === id ? null : current.activeProfileId });
  }

  setActive(id: string | null): void {
    const current = this.load();
    if (current.activeProfileId !== id) this.save({ ...current, activeProfileId: id });
  }

  lastSeen(profileId: string, address: string): number | null {
    return this.load().lastSeen[`${profileId} ${address}`] ?? null;
  }

  setLastSeen(profileId: string, address: string, txid: number): void {
    const current = this.load();
    const key = `${profileId} ${address}`;
    if ((current.lastSeen[key] ?? -1) >= txid) return;
    this.save({ ...current, lastSeen: { ...current.lastSeen, [key]: txid } });
  }
}
