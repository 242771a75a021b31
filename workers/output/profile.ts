import { readFileSync } from 'node:fs';
import { profileStageSchema, type Profile, type ProfileStage } from '../../src/protocol.js';

/** /proc's clock ticks per second (USER_HZ): 100 on every Linux ABI. */
const TICKS_PER_SECOND = 100;

/**
 * CPU microseconds this process has used so far, all threads (V8's helpers and WebAssembly
 * included), and its ended children's: the native OCR engine runs in one process per pass.
 */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system + endedChildrenMicros();
}

/** cutime + cstime from /proc/self/stat (process.cpuUsage has no RUSAGE_CHILDREN); 0 where there is no /proc. */
function endedChildrenMicros(): number {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return 0;
  }
  // The command name may hold spaces: fields resume after the last ')', at field 3; cutime is field 16.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / TICKS_PER_SECOND;
}

/**
 * The child's CPU time per stage. Stages are timed one after another, never nested, so they
 * add up; what none of them holds (pdfjs's work between stages, timers) is the rest of the total.
 */
export class StageClock {
  private readonly micros = new Map<ProfileStage, number>();
  private ocrPages = 0;
  private ocrPixels = 0;
  private retries = 0;

  /** Everything the process spent before the clock existed counts as start-up. */
  constructor() {
    this.micros.set('startup', cpuMicros());
  }

  async time<T>(stage: ProfileStage, work: () => Promise<T> | T): Promise<T> {
    const before = cpuMicros();
    try {
      return await work();
    } finally {
      this.micros.set(stage, (this.micros.get(stage) ?? 0) + cpuMicros() - before);
    }
  }

  /** A page handed to OCR as an image of `pixels` pixels. */
  countOcrPage(pixels: number): void {
    this.ocrPages++;
    this.ocrPixels += pixels;
  }

  countRetry(): void {
    this.retries++;
  }

  report(): Profile {
    const ms = (micros: number) => Math.round(micros / 1000);
    const cpuMs = Object.fromEntries(profileStageSchema.options.map((stage) => [stage, ms(this.micros.get(stage) ?? 0)])) as Profile['cpuMs'];
    return { cpuMs, totalCpuMs: ms(cpuMicros()), ocrPages: this.ocrPages, ocrPixels: this.ocrPixels, retries: this.retries };
  }
}
