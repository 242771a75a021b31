import type { EventEmitter } from 'node:events';
import type { RepositoryEvents } from '../jobs/repository.js';
import type { ChildExit, SupervisorOptions } from '../jobs/supervisor.js';
import { shortId, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

/** One log line and the metrics per job state change made here (not per page: pages are only counted). */
export function observeJobs(events: EventEmitter<RepositoryEvents>, metrics: Metrics, log: Logger): void {
  events.on('created', (job) => log.info({ job: shortId(job.id), from: null, status: job.status }, 'job state'));
  events.on('started', (job) => {
    metrics.jobStarted(job);
    log.info({ job: shortId(job.id), from: 'queued', status: job.status }, 'job state');
  });
  events.on('page', (_id, page) => metrics.pageRead(page));
  events.on('final', (job) => {
    const durationMs = (job.finishedAt ?? new Date()).getTime() - job.createdAt.getTime();
    const pagesTotal = job.selected?.length ?? null;
    const from = job.startedAt ? 'running' : 'queued';
    log.info({ job: shortId(job.id), from, status: job.status, code: job.error?.code, pages: job.pagesDone, pagesTotal, durationMs }, 'job state');
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
      const detail = outcome.ok ? undefined : outcome.detail;
      log.info({ job: tag, ...rest, code, detail }, 'child exited');
      metrics.childExited({ peakMemoryMb: exit.peakMemoryMb, outcome: code ?? 'ok' });
    },
  };
}
