import { existsSync } from 'node:fs';
import { execaNode, type ResultPromise } from 'execa';
import { killGroup, ownGroup, treeOwnedKb } from './process-tree.js';
import { childMessageSchema, describeProtocolError, type FailureCode, type NarrowMessage, type PageResult, type Profile, type StartMessage } from '../protocol.js';

export interface SupervisorOptions {
  /** The compiled child entry point. */
  workerFile: string;
  childMemoryMb: number;
  /** A child that reports no page for this long is stuck (a slow host still reports pages). */
  pageTimeoutMs: number;
  /** Observers of each child's life (logs, metrics); they must not throw. */
  onChildSpawn?(pid: number | undefined, tag: string): void;
  onChildExit?(exit: ChildExit): void;
}

export interface ChildExit {
  pid: number | undefined;
  /** What the caller named the run (a job id prefix), for logs. */
  tag: string;
  exitCode: number | undefined;
  signal: string | undefined;
  peakMemoryMb: number;
  /** Page results the child sent. */
  pages: number;
  durationMs: number;
  outcome: RunOutcome;
  /** Where the child's CPU time went, as it reported when done; absent when it died first. */
  profile?: Profile;
}

export type Task = Omit<StartMessage, 'type'>;

export interface RunListener {
  onDocument(documentPages: number, selected: number[]): void;
  onPage(result: PageResult): void;
}

export type RunOutcome =
  | { ok: true; peakMemoryMb: number }
  /** `detail`: the child's own account of its failure, for the log only (it may name server paths). */
  | { ok: false; code: FailureCode; message: string; detail?: string; peakMemoryMb: number };

export interface Run {
  readonly pid: number | undefined;
  readonly outcome: Promise<RunOutcome>;
  /** Kills the child; the outcome then reports `cancelled`, unless it had already ended. */
  cancel(): void;
  /** Limits the child to these pages from its next page on. */
  narrow(pages: number[]): void;
}

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
/**
 * The data limit bounds address space, not what is touched: Skia reserves ~1 GB when it loads
 * and V8 a few hundred MB more, nearly all of it never used (measured: VmData 1.25 GB at 130 MB
 * owned). Below that, Skia's allocations fail at random ("Read pixels from canvas failed").
 * Node 24 itself reserves ~525 MB more at start (`node -e`: VmData 573 MB, Node 20's 48 MB; a
 * child's peak 1.73 GB on redp5110_sampled.pdf, Node 20's 1.19): under Node 20's 1536 MB of
 * headroom its OCR pages failed ("Create skia surface failed", SIGABRT).
 * The limit sits above those reservations and still stops a runaway allocation (WASM growing
 * by gigabytes) at once; the watchdog on owned memory is the tight cap.
 */
const DATA_LIMIT_HEADROOM_MB = 2048;
/** A child's JS heap holds ~20 MB in use; a larger cap only makes V8 reserve more. */
const MAX_HEAP_MB = 128;
const STDERR_TAIL_BYTES = 4096;
/** How often a child's memory is read: a fast runaway is caught within this. */
const WATCH_INTERVAL_MS = 100;

/**
 * Starts one fresh child process per run and owns its whole life: memory caps, wall time,
 * cancellation, exit. It maps every way a child can end to an outcome and never throws.
 */
export class Supervisor {
  private readonly children = new Set<ResultPromise>();

  constructor(private readonly options: SupervisorOptions) {}

  get running(): number {
    return this.children.size;
  }

  run(task: Task, listener: RunListener, tag: string): Run {
    const child = this.spawn();
    this.children.add(child);
    ownGroup(child);
    const { pid } = child;
    const spawnedAt = Date.now();
    let pages = 0;
    let profile: Profile | undefined;
    let exited: { exitCode?: number; signal?: string } = {};
    this.options.onChildSpawn?.(child.pid, tag);
    let ended: { code: FailureCode; message: string; detail?: string } | undefined;
    const kill = (code: FailureCode, message: string) => {
      ended ??= { code, message };
      // The group: the native OCR engine's process is the child's, and must not outlive it.
      if (pid !== undefined) killGroup(pid);
    };
    const watch = this.watchMemory(child, kill);
    const { pageTimeoutMs } = this.options;
    let opened = false;
    const stalled = () => kill('timeout', opened ? `the worker reported no page for ${pageTimeoutMs / 1000} s` : `the PDF did not open within ${pageTimeoutMs / 1000} s`);
    let timer = setTimeout(stalled, pageTimeoutMs);
    const progressed = () => {
      clearTimeout(timer);
      timer = setTimeout(stalled, pageTimeoutMs);
    };
    const stderr = tail(child);
    let done = false;

    child.on('message', (raw: unknown) => {
      const parsed = childMessageSchema.safeParse(raw);
      if (!parsed.success) return kill('worker_crashed', `the worker broke the protocol (${describeProtocolError(parsed.error)})`);
      const message = parsed.data;
      switch (message.type) {
        case 'ready':
          child.send({ type: 'start', ...task } satisfies StartMessage);
          break;
        case 'document':
          opened = true;
          progressed();
          listener.onDocument(message.pagesTotal, message.pages);
          break;
        case 'page':
          progressed();
          pages++;
          listener.onPage(message.result);
          break;
        case 'done':
          done = true;
          profile = message.profile;
          break;
        case 'failed':
          ended ??= { code: message.code, message: message.message, detail: message.detail };
          break;
      }
    });

    const outcome = child.then(
      (result) => result,
      (error: unknown) => error as { exitCode?: number; signal?: string },
    ).then((result): RunOutcome => {
      exited = result;
      clearTimeout(timer);
      clearInterval(watch.timer);
      this.children.delete(child);
      const peakMemoryMb = watch.peakMb();
      if (ended) return { ok: false, ...ended, peakMemoryMb };
      if (done && result.exitCode === 0) return { ok: true, peakMemoryMb };
      return { ok: false, ...crashReason(result, stderr(), peakMemoryMb, this.options.childMemoryMb), peakMemoryMb };
    }).then((outcome) => {
      const { exitCode, signal } = exited;
      this.options.onChildExit?.({ pid: child.pid, tag, exitCode, signal, peakMemoryMb: outcome.peakMemoryMb, pages, durationMs: Date.now() - spawnedAt, outcome, profile });
      return outcome;
    });

    return {
      pid: child.pid,
      outcome,
      cancel: () => kill('cancelled', 'the job was cancelled'),
      narrow: (pages) => {
        if (child.connected) child.send({ type: 'narrow', pages } satisfies NarrowMessage);
      },
    };
  }

  private spawn(): ResultPromise {
    const { childMemoryMb, workerFile } = this.options;
    const nodeFlags = childNodeFlags(childMemoryMb);
    // prlimit replaces itself with node (same pid), so IPC and the RSS watchdog still see the child.
    const wrapped = PRLIMIT
      ? { nodePath: PRLIMIT, nodeOptions: [`--data=${(childMemoryMb + DATA_LIMIT_HEADROOM_MB) * 1024 * 1024}`, process.execPath, ...nodeFlags] }
      : { nodeOptions: nodeFlags };
    return execaNode(workerFile, [], {
      ...wrapped,
      serialization: 'json',
      // The child parses hostile PDFs: it gets no secret (API_KEY, WEBHOOK_SECRET, REDIS_URL), only what it runs on.
      extendEnv: false,
      env: childEnv(),
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      reject: true,
      // Its own process group, so that a kill reaches what it started too (process-tree.ts);
      // execa's cleanup skips detached children, and ownGroup kills them at this process's exit.
      detached: true,
    });
  }

  private watchMemory(child: ResultPromise, kill: (code: FailureCode, message: string) => void) {
    let peakKb = 0;
    const capKb = this.options.childMemoryMb * 1024;
    const timer = setInterval(() => {
      void (child.pid === undefined ? Promise.resolve(0) : treeOwnedKb(child.pid)).then((kb) => {
        peakKb = Math.max(peakKb, kb);
        if (kb > capKb) kill('memory_limit', `the worker used more than ${this.options.childMemoryMb} MB`);
      });
    }, WATCH_INTERVAL_MS);
    return { timer, peakMb: () => Math.round(peakKb / 1024) };
  }
}

/**
 * Node's flags for a child. Measured per child: a 1 MB semi-space saves ~20 MB at the peak;
 * --expose-gc lets the child collect decoded page images between pages. WebAssembly is compiled
 * on the main thread: V8's background compile jobs failed to allocate code space under the data
 * limit (a V8 OOM abort). --single-threaded did the same but made text-layer PDFs 1.5 s slower.
 * A child lives one document, too short for V8's defaults, which suit long-lived programs: with
 * them, optimizing compiles (pdfjs's text extraction above all, recompiled after deopts) took
 * ~0.8 s of a 55-page text PDF's ~1.4 CPU s. Without inlining and tiering up after 4× the
 * profiling budget: 0.24 s of compiles, the child's whole CPU 1.43 → 1.02-1.15 s (pdkids),
 * 1.49 → 1.05-1.21 s (tracemonkey), 8.6 → 6.1 s (276 pages); OCR pages unchanged (WebAssembly).
 * Node 24's V8 counts tiering in invocations (Maglev at 400, TurboFan at 3000): 4× both, as
 * Node 20's 4× interrupt budget did (that flag is gone).
 * (Exported for the bench, which runs its measurements of the child's code as a child runs.)
 */
export function childNodeFlags(childMemoryMb: number): string[] {
  const heapMb = Math.min(MAX_HEAP_MB, Math.max(48, Math.floor(childMemoryMb / 2)));
  return [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=1', '--wasm-num-compilation-tasks=0', '--expose-gc', '--no-turbo-inlining', '--invocation-count-for-maglev=1600', '--invocation-count-for-turbofan=12000'];
}

/** The parent's variables a child may see. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ'];

export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  // Fewer malloc arenas, and big buffers mmapped so that freeing them returns them to the OS.
  return { ...env, MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
}

function tail(child: ResultPromise): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  return () => text;
}

/** A child that died without saying why: out of memory (heap or data limit) or a crash. */
function crashReason(
  result: { exitCode?: number; signal?: string },
  stderr: string,
  peakMb: number,
  capMb: number,
): { code: FailureCode; message: string } {
  const outOfMemory = /out of memory|allocation failed|Cannot allocate|RangeError: WebAssembly/i.test(stderr);
  if (outOfMemory || peakMb > capMb * 0.9) {
    return { code: 'memory_limit', message: `the worker ran out of its ${capMb} MB of memory` };
  }
  const how = result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
  return { code: 'worker_crashed', message: `the worker stopped unexpectedly (${how})` };
}
