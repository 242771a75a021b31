/**
 * Memory of a whole process tree, read from /proc. The service's children are
 * `prlimit`-exec'd node processes (same pid as the spawn, parent = the server), so the
 * tree is walked through every process's parent pid: this kernel has no
 * /proc/<pid>/task/<tid>/children.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface MemoryPeak {
  /** Highest PSS summed over the tree in any one sample (MB). */
  pssMb: number;
  /** Highest RSS summed over the tree in any one sample (MB); shared pages count once per process. */
  rssMb: number;
  /** Most processes seen in the tree at once. */
  processes: number;
  samples: number;
  /** Seconds from the start of sampling to the PSS peak. */
  pssPeakAtS: number;
}

/** One sample: [seconds since start, PSS MB, RSS MB, processes], for the JSON details. */
export type MemorySample = [number, number, number, number];

/** Every live process's parent, from /proc/<pid>/stat. */
function parentMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrEmpty(`/proc/${entry}/stat`);
    if (!stat) continue;
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  return children;
}

/** `root` and all of its descendants that are alive now. */
export function processTree(root: number): number[] {
  const children = parentMap();
  const tree: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    tree.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** PSS (smaps_rollup) and RSS (status) of one process in kB; zeros if it has just gone. */
export function processMemoryKb(pid: number): { pssKb: number; rssKb: number } {
  const rollup = readOrEmpty(`/proc/${pid}/smaps_rollup`);
  const status = readOrEmpty(`/proc/${pid}/status`);
  return {
    pssKb: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
    rssKb: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0),
  };
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // The process ended while we looked.
  }
}

/**
 * Samples a process tree every `intervalMs` until stopped. Reads are synchronous on
 * purpose: one sample is a few small /proc reads, and samples can then never overlap.
 */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = performance.now();
  private peak: MemoryPeak = { pssMb: 0, rssMb: 0, processes: 0, samples: 0, pssPeakAtS: 0 };
  /** Every sample, so a peak can be placed in the run afterwards. */
  readonly timeline: MemorySample[] = [];

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** Takes a last sample and returns the peaks; later calls just return them again. */
  stop(): MemoryPeak {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.sample();
    }
    return { ...this.peak };
  }

  private sample(): void {
    const tree = processTree(this.rootPid);
    let pssKb = 0;
    let rssKb = 0;
    for (const pid of tree) {
      const m = processMemoryKb(pid);
      pssKb += m.pssKb;
      rssKb += m.rssKb;
    }
    const atS = (performance.now() - this.startedAt) / 1000;
    const mb = (kb: number) => Math.round(kb / 1024);
    this.timeline.push([Number(atS.toFixed(1)), mb(pssKb), mb(rssKb), tree.length]);
    const p = this.peak;
    p.samples++;
    p.processes = Math.max(p.processes, tree.length);
    p.rssMb = Math.max(p.rssMb, rssKb / 1024);
    if (pssKb / 1024 > p.pssMb) {
      p.pssMb = pssKb / 1024;
      p.pssPeakAtS = atS;
    }
  }
}
