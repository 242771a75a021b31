/** Delays before attempts 2, 3, …, in units of the base: 5 s, 15 s, 30 s, 60 s, 180 s ≈ 5 min at base 5 s. */
const SCHEDULE = [1, 3, 6, 12, 36];
const JITTER = 0.2;
/** A receiver may ask for a pause, but not for one longer than the whole default schedule. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** The pause after `failedAttempts` attempts, ±20% jitter so receivers coming back are not stampeded. */
export function backoffMs(failedAttempts: number, baseMs: number, random: () => number = Math.random): number {
  const step = SCHEDULE[Math.min(failedAttempts, SCHEDULE.length) - 1] ?? 1;
  return Math.round(step * baseMs * (1 - JITTER + 2 * JITTER * random()));
}

/** A `Retry-After` value (seconds or HTTP date) in ms, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
