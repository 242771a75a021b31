import type { Redis } from 'ioredis';
import type { JobWatch } from '../routes/deps.js';
import { PREFIX } from './connections.js';
import { UPDATES_CHANNEL } from './records.js';

const CANCEL_CHANNEL = `${PREFIX}:cancel`;

/**
 * Redis pub/sub between instances, on one subscriber connection: job updates (published by
 * the record scripts) reach event streams on any API instance; cancel requests reach the
 * worker that runs the job. ioredis resubscribes by itself after a reconnect.
 */
export class Channels {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly cancelListeners = new Set<(id: string) => void>();

  constructor(
    subscriber: Redis,
    private readonly publisher: Redis,
  ) {
    void subscriber.subscribe(UPDATES_CHANNEL, CANCEL_CHANNEL).catch(() => {});
    subscriber.on('message', (channel: string, id: string) => {
      if (channel === UPDATES_CHANNEL) for (const listener of this.watchers.get(id) ?? []) listener();
      else if (channel === CANCEL_CHANNEL) for (const listener of this.cancelListeners) listener(id);
    });
  }

  readonly watch: JobWatch = (id, listener) => {
    const set = this.watchers.get(id) ?? new Set();
    this.watchers.set(id, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(id) === set) this.watchers.delete(id);
    };
  };

  onCancel(listener: (id: string) => void): void {
    this.cancelListeners.add(listener);
  }

  async requestCancel(id: string): Promise<void> {
    await this.publisher.publish(CANCEL_CHANNEL, id);
  }
}
