import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * The CPUs this process may use: its affinity, capped by a cgroup CPU quota (a container with
 * `--cpus=0.5`, a Render instance's share). A fraction stays a fraction.
 */
export function availableCpus(): number {
  const quota = readQuota();
  return quota === undefined ? os.availableParallelism() : Math.min(os.availableParallelism(), quota);
}

/** cgroup v2's `cpu.max` ("max 100000" or "<quota> <period>") as CPUs; undefined when unlimited. */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  return cpusOf(quota, period);
}

function cpusOf(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && q > 0 && p > 0 ? q / p : undefined;
}

function readQuota(): number | undefined {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  if (v2 !== undefined) return parseCpuMax(v2);
  return cpusOf(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim(), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim());
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
