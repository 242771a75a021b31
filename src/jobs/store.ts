import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { isFinal, type Job } from './job.js';

export interface StoreOptions {
  ttlMs: number;
  purgeIntervalMs: number;
  maxBytes: number;
}

interface StoreEvents {
  /** Any change a watcher may show: state, progress. */
  update: [job: Job];
  /** The job reached a final status; emitted once per job. */
  final: [job: Job];
}

/**
 * The only place job state lives. Queued and running jobs sit in a plain map and are never
 * evicted; finished ones move to an LRU bounded by TTL and by the bytes of their text.
 */
export class JobStore extends EventEmitter<StoreEvents> {
  private readonly active = new Map<string, Job>();
  private readonly finished: LRUCache<string, Job>;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StoreOptions) {
    super();
    this.finished = new LRUCache<string, Job>({
      ttl: options.ttlMs,
      maxSize: options.maxBytes,
      sizeCalculation: jobBytes,
      updateAgeOnGet: false,
    });
  }

  add(job: Job): void {
    this.active.set(job.id, job);
    this.emit('update', job);
  }

  get(id: string): Job | undefined {
    return this.active.get(id) ?? this.finished.get(id);
  }

  /**
   * Tells watchers that a job changed in place (status, a page result, its webhook state).
   * The move to the finished cache and 'final' happen on the first touch after the job ends
   * only, so later touches (webhook progress) are plain updates.
   */
  touch(job: Job): void {
    if (isFinal(job.status) && this.active.delete(job.id)) {
      this.finished.set(job.id, job);
      this.emit('update', job);
      this.emit('final', job);
      return;
    }
    this.emit('update', job);
  }

  delete(id: string): boolean {
    return this.active.delete(id) || this.finished.delete(id);
  }

  /** Drops expired finished jobs; returns how many went. */
  purge(): number {
    const before = this.finished.size;
    this.finished.purgeStale();
    return before - this.finished.size;
  }

  startPurging(onPurge?: (removed: number) => void): void {
    this.purgeTimer = setInterval(() => onPurge?.(this.purge()), this.options.purgeIntervalMs);
    this.purgeTimer.unref();
  }

  close(): void {
    clearInterval(this.purgeTimer);
  }

  stats(): { active: number; finished: number; bytes: number } {
    return { active: this.active.size, finished: this.finished.size, bytes: this.finished.calculatedSize };
  }
}

/** Approximate heap bytes of a finished job: its text (UTF-16) plus a fixed overhead. */
function jobBytes(job: Job): number {
  let bytes = 1024;
  for (const page of job.pages.values()) bytes += 128 + page.text.length * 2;
  return bytes;
}
