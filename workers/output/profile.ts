import { profileStageSchema, type Profile, type ProfileStage } from '../../src/protocol.js';

/** CPU microseconds this process has used so far, all threads (V8's helpers and WebAssembly included). */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
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
