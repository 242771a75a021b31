import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';

/** An upload's directory carries its job id (src/upload/receiver.ts). */
const UPLOAD_DIR = /^pdf-ocr-([0-9a-f-]{36})-[A-Za-z0-9]+$/;

export interface SweepOptions {
  intervalMs: number;
  /** Younger directories may belong to an upload still arriving, whose job does not exist yet. */
  minAgeMs: number;
}

/**
 * SHARED_DIR holds uploads until their job ends, when the instance that ended it removes
 * them. A job whose record expired without ending (every instance that knew it died) leaves
 * its upload behind: this finds such directories and removes them.
 */
export function sweepSharedDir(dir: string, jobExists: (id: string) => Promise<boolean>, options: SweepOptions, log: Logger): () => void {
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      let removed = 0;
      for (const name of await readdir(dir)) {
        const id = UPLOAD_DIR.exec(name)?.[1];
        if (!id) continue;
        const full = path.join(dir, name);
        const { mtimeMs } = await stat(full);
        if (Date.now() - mtimeMs < options.minAgeMs || (await jobExists(id))) continue;
        await rm(full, { recursive: true, force: true });
        removed++;
      }
      if (removed > 0) log.info({ removed }, 'swept orphaned uploads');
    } catch {
      // Redis or the directory away: the next round tries again.
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
