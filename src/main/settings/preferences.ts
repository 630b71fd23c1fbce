// The desk's own preferences (separate from the profiles file): how long the app may sit idle
// before it locks. A broken file is ignored (defaults apply) and overwritten on the next change.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DeskPreferences } from '../../shared/app-api';

/** Minutes the user may choose; 0 = never lock. */
export const IDLE_LOCK_CHOICES = [0, 2, 5, 10, 15, 30, 60] as const;

const Schema = z.strictObject({
  idleLockMinutes: z.number().int().refine((n) => (IDLE_LOCK_CHOICES as readonly number[]).includes(n), `one of ${IDLE_LOCK_CHOICES.join(', ')}`),
});

export class PreferencesStore {
  private readonly file: string;
  constructor(
    dataDir: string,
    private readonly defaults: DeskPreferences,
  ) {
    this.file = path.join(dataDir, 'preferences.json');
  }

  load(): DeskPreferences {
    try {
      const parsed = Schema.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : { ...this.defaults };
    } catch {
      return { ...this.defaults };
    }
  }

  /** Validates and saves; throws with plain words on a value that is not offered. */
  save(changes: Partial<DeskPreferences>): DeskPreferences {
    const parsed = Schema.safeParse({ ...this.load(), ...changes });
    if (!parsed.success) throw Object.assign(new Error(`Lock after: choose ${IDLE_LOCK_CHOICES.filter((n) => n > 0).join(', ')} minutes, or never.`), { code: 'INVALID_PARAMS' });
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(parsed.data, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    return parsed.data;
  }
}
