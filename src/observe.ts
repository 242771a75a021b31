import { isFinal, type JobStatus } from './jobs/job.js';
import type { JobStore } from './jobs/store.js';
import type { ChildExit, SupervisorOptions } from './jobs/supervisor.js';
import { shortId, type Logger } from './log.js';
import type { Metrics } from './metrics.js';

/** One log line and the metrics per job state change (not per page). */
export function observeJobs(store: JobStore, metrics: Metrics, log: Logger): void {
  const lastStatus = new Map<string, JobStatus>();
  store.on('update', (job) => {
    const from = lastStatus.get(job.id);
    if (from === job.status || isFinal(job.status)) return;
    lastStatus.set(job.id, job.status);
    if (job.status === 'running') metrics.jobStarted(job);
    log.info({ job: shortId(job.id), from: from ?? null, status: job.status }, 'job state');
  });
  store.on('final', (job) => {
    const from = lastStatus.get(job.id) ?? null;
    lastStatus.delete(job.id);
    const durationMs = (job.finishedAt ?? new Date()).getTime() - job.createdAt.getTime();
    const pagesTotal = job.selected?.length ?? null;
    log.info({ job: shortId(job.id), from, status: job.status, code: job.error?.code, pages: job.pages.size, pagesTotal, durationMs }, 'job state');
    metrics.jobFinished(job);
  });
}

/** The supervisor's hooks: a log line per child spawned and exited, and its metrics. */
export function observeChildren(metrics: Metrics, log: Logger): Pick<SupervisorOptions, 'onChildSpawn' | 'onChildExit'> {
  return {
    onChildSpawn: (pid, tag) => log.info({ job: tag, pid }, 'child spawned'),
    onChildExit: (exit: ChildExit) => {
      const { outcome, tag, ...rest } = exit;
      const code = outcome.ok ? undefined : outcome.code;
      log.info({ job: tag, ...rest, code }, 'child exited');
      metrics.childExited({ peakMemoryMb: exit.peakMemoryMb, outcome: code ?? 'ok' });
    },
  };
}
