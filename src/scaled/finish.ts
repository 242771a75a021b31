import type { Job } from '../jobs/job.js';
import type { PageResult } from '../protocol.js';
import type { PdfTransfer } from './pdf-transfer.js';
import type { JobRecords } from './records.js';

/**
 * Ends a job across instances: its final state is written once (the record script lets only
 * the first writer through), and that writer alone sends the webhook and drops the upload,
 * so two instances that both believe they ran a job never send two webhooks.
 */
export type FinishJob = (job: Job, location: string, newPages?: PageResult[]) => Promise<boolean>;

export function createFinisher(records: JobRecords, pdfs: PdfTransfer, deliver: (job: Job) => void): FinishJob {
  return async (job, location, newPages = []) => {
    if (!(await records.finalize(job, newPages))) return false;
    deliver(job);
    await pdfs.remove(location).catch(() => {});
    return true;
  };
}
