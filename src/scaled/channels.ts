import type { Redis } from 'ioredis';
import { Watchers } from '../jobs/watchers.js';
import { CANCEL_CHANNEL, UPDATES_CHANNEL } from '../redis/keys.js';

/**
 * Redis pub/sub between instances, on one subscriber connection: job updates (published by
 * the repository's scripts) reach event streams on any API instance; cancel requests reach
 * the worker that runs the job. ioredis resubscribes by itself after a reconnect.
 */
export class Channels {
  private readonly watchers = new Watchers<string>();
  private readonly cancelListeners = new Set<(id: string) => void>();

  constructor(
    subscriber: Redis,
    private readonly publisher: Redis,
  ) {
    void subscriber.subscribe(UPDATES_CHANNEL, CANCEL_CHANNEL).catch(() => {});
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === CANCEL_CHANNEL) {
        for (const listener of this.cancelListeners) listener(message);
        return;
      }
      if (channel !== UPDATES_CHANNEL || this.watchers.empty) return;
      this.watchers.notify((JSON.parse(message) as { id: string }).id, message);
    });
  }

  /** Listens to one job's update messages; returns the unsubscribe. */
  readonly subscribe = (id: string, listener: (message: string) => void): (() => void) => this.watchers.add(id, listener);

  onCancel(listener: (id: string) => void): void {
    this.cancelListeners.add(listener);
  }

  async requestCancel(id: string): Promise<void> {
    await this.publisher.publish(CANCEL_CHANNEL, id);
  }
}
