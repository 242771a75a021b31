/**
 * CPU time from the kernel's accounting (/proc/<pid>/stat), not from wall clocks: the machine
 * is shared, and a busy neighbour stretches wall time far more than it does CPU time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ), 100 on Linux as built today. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface ProcessCpu {
  /** The process's own user + system seconds. */
  selfS: number;
  /** User + system seconds of its children that have ended and been waited for (their own children included). */
  childrenS: number;
}

/** utime, stime, cutime, cstime of a live process. */
export function processCpu(pid: number | 'self'): ProcessCpu {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: fields resume after the last ')', at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const [utime, stime, cutime, cstime] = fields.slice(11, 15) as [number, number, number, number];
  return { selfS: (utime + stime) / TICKS, childrenS: (cutime + cstime) / TICKS };
}

/** CPU seconds a process and its ended children spent between two readings. */
export function cpuSince(pid: number | 'self', before: ProcessCpu): ProcessCpu {
  const now = processCpu(pid);
  return { selfS: now.selfS - before.selfS, childrenS: now.childrenS - before.childrenS };
}
