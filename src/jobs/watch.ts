import type { JobWatch } from '../routes/deps.js';
import type { JobStore } from './store.js';

/**
 * The store's EventEmitter as the routes' `watch(id, listener) => unsubscribe`: one
 * 'update' listener per watcher, filtered to its job, removed by the returned function.
 */
export function storeWatch(store: JobStore): JobWatch {
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
