import os from 'node:os';

/**
 * The container's memory limit (a cgroup's, as `process.constrainedMemory()` reads it on Node 24:
 * a Render instance's 512 MB, `docker run --memory`), in MB; undefined when there is none, which
 * Node reports as 0, 2^64 or at least the host's memory.
 */
export function containerMemoryMb(bytes: number = process.constrainedMemory()): number | undefined {
  return bytes > 0 && bytes < os.totalmem() ? Math.floor(bytes / (1024 * 1024)) : undefined;
}
