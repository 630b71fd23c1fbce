// Updates for a finance app installed by an IT department, as pure rules (tested under Node):
// - off unless this installation has an update configuration file written by an administrator;
// - the feed is the company's own "generic" server (electron-builder's latest*.yml + installers);
// - never silent: the user sees the offered version and decides to download, then decides when to install.
// electron-updater itself checks each download's sha512 against the feed's metadata, and the code
// signature of the installer (Windows: publisherName; macOS: Squirrel.Mac's designated requirement).
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../shared/protocol';

export const UPDATE_CONFIG_FILE = 'update.json';

const isLoopback = (host: string) => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

export const UpdateConfigSchema = z
  .object({
    /** Base URL of the generic feed: the folder holding latest.yml / latest-mac.yml / latest-linux.yml. */
    url: z
      .string()
      .url()
      .refine((u) => {
        const url = new URL(u);
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
      }, 'the update feed must be https:// (http:// only on this machine)'),
    /** The feed's channel (latest, beta…): which latest*.yml is read. */
    channel: z.string().regex(/^[a-z0-9-]{1,32}$/, 'a channel is lower-case letters, digits and dashes').default('latest'),
    /** Look for an update when the app starts (else only from the menu). */
    checkOnStart: z.boolean().default(true),
  })
  .strict();

export type UpdateConfig = z.infer<typeof UpdateConfigSchema>;

/**
 * Where an administrator puts update.json: a machine-wide folder that a normal user cannot write, so that
 * nothing running as the user can point the app at another feed.
 */
export function updateConfigPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, productName = 'CCC Treasury'): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', productName, UPDATE_CONFIG_FILE);
  if (platform === 'darwin') return path.posix.join('/Library/Application Support', productName, UPDATE_CONFIG_FILE);
  return path.posix.join('/etc', productName.toLowerCase().replace(/\s+/g, '-'), UPDATE_CONFIG_FILE);
}

export type UpdateConfigResult =
  | { state: 'off'; reason: string }
  | { state: 'on'; config: UpdateConfig; source: string }
  | { state: 'invalid'; source: string; message: string };

/** Reads the configuration file; a missing file means updates are off, a broken one is reported and also off. */
export function loadUpdateConfig(file: string, readFile: (file: string) => string): UpdateConfigResult {
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'off', reason: `no ${file}` };
    return { state: 'invalid', source: file, message: (e as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { state: 'invalid', source: file, message: `not JSON: ${(e as Error).message}` };
  }
  const parsed = UpdateConfigSchema.safeParse(json);
  if (!parsed.success) return { state: 'invalid', source: file, message: describeIssues(parsed.error) };
  return { state: 'on', config: parsed.data, source: file };
}

export interface OfferedUpdate {
  version: string;
  releaseDate?: string;
  releaseNotes?: string | { version: string; note: string | null }[] | null;
}

/** Release notes as plain text (feeds may carry HTML; the dialog shows text only). */
export function releaseNotesText(notes: OfferedUpdate['releaseNotes'], max = 1200): string {
  if (!notes) return '';
  const text = typeof notes === 'string' ? notes : notes.map((n) => `${n.version}: ${n.note ?? ''}`).join('\n');
  const plain = text
    .replace(/<\/(p|li|h\d)>|<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

export interface UpdateDialog {
  title: string;
  message: string;
  detail: string;
  /** Button labels; index 0 is the action, the last one is "not now" (the cancel and default button). */
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

/** The offer: which version, from which installed one, what changed; the user chooses. */
export function offerDialog(appName: string, currentVersion: string, offered: OfferedUpdate): UpdateDialog {
  const notes = releaseNotesText(offered.releaseNotes);
  const date = offered.releaseDate ? ` (released ${offered.releaseDate.slice(0, 10)})` : '';
  return {
    title: 'Update available',
    message: `${appName} ${offered.version} is available${date}.`,
    detail: [`You have ${currentVersion}.`, notes && `\nWhat changed:\n${notes}`, '\nThe download is checked against the update server’s checksum and the publisher’s signature before it can be installed.']
      .filter(Boolean)
      .join('\n'),
    buttons: ['Download', 'Not now'],
    // "Not now" is the default: pressing Enter never starts a download.
    defaultId: 1,
    cancelId: 1,
  };
}

/** Downloaded and verified: the user picks the moment (a restart closes the session). */
export function readyDialog(appName: string, version: string): UpdateDialog {
  return {
    title: 'Update ready',
    message: `${appName} ${version} is downloaded and verified.`,
    detail: 'Restarting closes your session; log in again with your Ledger afterwards. If you choose Later, it installs when you quit.',
    buttons: ['Restart and install', 'Later'],
    defaultId: 1,
    cancelId: 1,
  };
}

export function upToDateDialog(appName: string, currentVersion: string): UpdateDialog {
  return { title: 'No update', message: `${appName} ${currentVersion} is the latest version.`, detail: '', buttons: ['OK'], defaultId: 0, cancelId: 0 };
}

export function updateErrorDialog(message: string): UpdateDialog {
  return {
    title: 'Update check failed',
    message: 'The update could not be checked or verified. Nothing was installed.',
    detail: message.split('\n')[0].slice(0, 500),
    buttons: ['OK'],
    defaultId: 0,
    cancelId: 0,
  };
}

/**
 * electron-updater checks a Windows installer's Authenticode signature against `publisherName` in the
 * packaged app-update.yml (electron-builder writes it from the signing certificate or win.publisherName);
 * without it the check is skipped, so the shell refuses to download instead.
 */
export function windowsPublisherPinned(appUpdateYml: string | null): boolean {
  return !!appUpdateYml && /^publisherName:[ \t]*(?:[^\s[]|\[\s*[^\s\]]|\r?\n[ \t]+-[ \t]*\S)/m.test(appUpdateYml);
}
