import type { JobQueue, JobReader, JobWatch } from '../routes/deps.js';
import type { Scheduler } from './scheduler.js';
import type { JobStore } from './store.js';

/** The in-memory store and the in-process scheduler behind the routes' interfaces. */
export function embeddedDeps(store: JobStore, scheduler: Scheduler): { store: JobReader; queue: JobQueue; watch: JobWatch } {
  return {
    store: {
      get: async (id) => store.get(id),
      delete: async (id) => store.delete(id),
    },
    queue: {
      assertCapacity: async () => scheduler.assertCapacity(),
      submit: async (job) => scheduler.submit(job),
      cancel: (id) => scheduler.cancel(id),
      stats: async () => scheduler.stats(),
    },
    watch: storeWatch(store),
  };
}

/**
 * The store's EventEmitter as the routes' `watch(id, listener) => unsubscribe`: one
 * 'update' listener per watcher, filtered to its job, removed by the returned function.
 */
function storeWatch(store: JobStore): JobWatch {
  return (id, listener) => {
    const onUpdate = (job: { id: string }) => {
      if (job.id === id) listener();
    };
    store.on('update', onUpdate);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      store.off('update', onUpdate);
    };
  };
}
