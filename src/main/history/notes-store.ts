// The user's own notes and labels on transactions, kept locally per profile and account (a JSON file
// in the app's data directory), never sent anywhere and never mixed into signed data: a statement shows
// them in a column of their own. Written atomically (temp file + rename). A file that cannot be read is
// left untouched and reported: notes are the user's work, never silently replaced.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { TxNote } from '../../shared/app-api';
import { CodedError } from '../../shared/errors';
import { checkText } from '../../shared/text-policy';
import { describeIssues } from '../../shared/protocol';

export const NOTE_MAX = 500;
export const LABEL_MAX = 30;
export const LABELS_MAX = 10;

export class NotesError extends CodedError<'NOTE_INVALID' | 'NOTES_UNREADABLE'> {}

const FileSchema = z.strictObject({
  version: z.literal(1),
  notes: z.record(z.string().regex(/^[1-9][0-9]{0,18}$/), z.strictObject({ note: z.string(), labels: z.array(z.string()) })),
});

/** A note and its labels as the user typed them → their stored form; throws NotesError('NOTE_INVALID') with the reason. */
export function normaliseNote(input: { note?: unknown; labels?: unknown }): TxNote | null {
  const noteText = typeof input.note === 'string' ? input.note.trim() : '';
  let note = '';
  if (noteText) {
    const c = checkText(noteText, NOTE_MAX);
    if (!c.ok) throw new NotesError('NOTE_INVALID', `The note ${c.reason}.`);
    note = c.value;
  }
  const raw = Array.isArray(input.labels) ? input.labels : [];
  const labels: string[] = [];
  for (const l of raw) {
    if (typeof l !== 'string' || !l.trim()) continue;
    const c = checkText(l.trim().replace(/^#/, ''), LABEL_MAX);
    if (!c.ok) throw new NotesError('NOTE_INVALID', `The label “${String(l).slice(0, 40)}” ${c.reason}.`);
    if (/\s/.test(c.value)) throw new NotesError('NOTE_INVALID', `A label is one word (no spaces): “${c.value}”.`);
    if (!labels.includes(c.value)) labels.push(c.value);
  }
  if (labels.length > LABELS_MAX) throw new NotesError('NOTE_INVALID', `At most ${LABELS_MAX} labels on one transaction.`);
  return note || labels.length ? { note, labels } : null;
}

export class NotesStore {
  private readonly file: string;
  private notes = new Map<number, TxNote>();
  /** Set when the file exists but cannot be read: nothing is written over it. */
  private unreadable: string | null = null;

  constructor(dataDir: string, profileId: string, address: string) {
    const key = crypto.createHash('sha256').update(`${profileId}\n${address}`).digest('hex').slice(0, 32);
    this.file = path.join(dataDir, 'notes', `${key}.json`);
    this.load();
  }

  private load(): void {
    if (!fs.existsSync(this.file)) return;
    try {
      const parsed = FileSchema.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      if (!parsed.success) throw new Error(describeIssues(parsed.error));
      for (const [txid, n] of Object.entries(parsed.data.notes)) this.notes.set(Number(txid), n);
    } catch (e) {
      this.unreadable = `Your notes file ${this.file} cannot be read (${(e as Error).message}); it was left untouched — repair or move it away to write notes again.`;
    }
  }

  get problem(): string | null {
    return this.unreadable;
  }

  all(): ReadonlyMap<number, TxNote> {
    return this.notes;
  }

  /** Sets (or, with null, removes) a transaction's note and labels, and writes the file. */
  set(txid: number, note: TxNote | null): void {
    if (this.unreadable) throw new NotesError('NOTES_UNREADABLE', this.unreadable);
    if (note) this.notes.set(txid, note);
    else this.notes.delete(txid);
    const body = { version: 1, notes: Object.fromEntries([...this.notes].sort((a, b) => a[0] - b[0]).map(([t, n]) => [String(t), n])) };
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(body, null, 1) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
