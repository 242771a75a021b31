import type { Logger } from './log.js';

/** A request to the instance's own URL that takes longer than this has failed. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface KeepAwakeOptions {
  /** The instance's public URL (RENDER_EXTERNAL_URL). */
  url: string;
  intervalMs: number;
  /** Whether the instance holds work for clients: a job queued or running, or a result kept. */
  held(): Promise<boolean>;
  log: Logger;
}

/**
 * Render's free plan spins a web service down after 15 minutes without inbound requests, and
 * its memory with it: a long scan whose client waits for the webhook would be lost mid-job,
 * and results kept for RESULT_TTL_S would go with the next sleep. While the instance holds
 * work it requests its own public URL, which reaches it through Render's proxy as inbound
 * traffic; when it holds nothing it stops, so an idle instance still sleeps (and spends no
 * free instance hours). Returns the stop.
 */
export function keepAwake({ url, intervalMs, held, log }: KeepAwakeOptions): () => void {
  const target = new URL('/healthz', url).href;
  let requesting = false;
  let ticking = false;

  async function holdsWork(): Promise<boolean> {
    try {
      return await held();
    } catch (err) {
      // Unknown is treated as held: a request too many costs nothing, a sleep loses jobs.
      log.warn({ err: String(err) }, 'keep-awake: could not tell whether work is held');
      return true;
    }
  }

  async function tick(): Promise<void> {
    // One check at a time: a slow repository or request must not pile up ticks.
    if (ticking) return;
    ticking = true;
    try {
      const holding = await holdsWork();
      log.debug({ held: holding }, 'keep-awake: checked');
      if (holding !== requesting) {
        requesting = holding;
        log.info({ url: target }, holding ? 'keep-awake: work held, requesting own URL' : 'keep-awake: nothing held, stopped');
      }
      if (holding) await request();
    } finally {
      ticking = false;
    }
  }

  async function request(): Promise<void> {
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await res.body?.cancel();
      // A 503 while draining still came in as a request: only a failure to reach it is logged.
    } catch (err) {
      log.warn({ url: target, err: String((err as Error).cause ?? err) }, 'keep-awake: own URL not reached');
    }
  }

  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  log.info({ url: target, intervalS: intervalMs / 1000 }, 'keep-awake: on');
  return () => clearInterval(timer);
}
