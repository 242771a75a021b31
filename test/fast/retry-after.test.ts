/**
 * The Retry-After of `429 queue_full`, one estimate for both queues: these are the figures each
 * queue gave before they shared it (the scheduler from its timed jobs, the scaled queue from the
 * typical job), so sharing it changed no client's wait.
 */
import { describe, expect, it } from 'vitest';
import { queueWaitS, TYPICAL_JOB_SECONDS } from '../../src/jobs/retry-after.js';

describe('queueWaitS', () => {
  it('is the typical job times the jobs ahead, shared by the slots, rounded up', () => {
    expect(TYPICAL_JOB_SECONDS).toBe(20);
    expect(queueWaitS(1, 2)).toBe(10);
    expect(queueWaitS(3, 2)).toBe(30);
    expect(queueWaitS(5, 4)).toBe(25);
    expect(queueWaitS(1, 64)).toBe(1);
  });

  it('takes the scheduler its measured job length', () => {
    expect(queueWaitS(3, 2, 7.5)).toBe(12);
    // Jobs that took no measurable time still ask the client to wait a second.
    expect(queueWaitS(3, 2, 0)).toBe(1);
  });

  it('assumes one job ahead and one slot when Redis counts none (no worker registered yet)', () => {
    // Scaled: ahead = taken - slots + 1, which is 0 or less when uploads hold the room.
    expect(queueWaitS(0, 4)).toBe(5);
    expect(queueWaitS(-3, 4)).toBe(5);
    expect(queueWaitS(6, 0)).toBe(120);
  });
});
