import { QueueFull } from './errors.js';
import type { Admission, JobQueue } from './queue.js';
import type { JobRepository } from './repository.js';
import type { Scheduler } from './scheduler.js';

/**
 * One instance's queue: the repository in memory and the scheduler of this process. Uploads
 * still arriving count toward the limit, so a burst of slow uploads cannot get past it.
 */
export function localQueue(repository: JobRepository, scheduler: Scheduler, options: { slots: number; queueLimit: number }): JobQueue {
  let uploading = 0;
  return {
    async admit(): Promise<Admission> {
      const { running, queued } = scheduler.stats();
      if (running + queued + uploading >= options.slots + options.queueLimit) throw new QueueFull(scheduler.waitEstimateS(queued + uploading + 1));
      uploading++;
      let held = true;
      return {
        release() {
          if (held) uploading--;
          held = false;
        },
      };
    },
    async submit(job) {
      if (job.upload.kind !== 'local') throw new Error(`one instance reads local uploads, not ${job.upload.kind}`);
      const created = await repository.create(job);
      if (created.created) void scheduler.submit({ id: job.id, file: job.upload.path });
      return created;
    },
    cancel: (id) => scheduler.cancel(id),
    stats: async () => scheduler.stats(),
  };
}
