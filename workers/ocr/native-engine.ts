import { spawn, type ChildProcess } from 'node:child_process';
import type { GrayImage } from '../image/pixels.js';
import { JobFailure } from '../pdf/pdf.js';
import type { OcrEngine } from './engine.js';
import type { OcrText } from './ocr.js';
import { readTsv } from './tsv.js';

/** As ocr.ts's WebAssembly engine is set: the LSTM engine alone, fully automatic page segmentation. */
const OEM_LSTM_ONLY = '1';
const PSM_AUTO = '3';
/** What of tesseract's own account of a failure the log keeps. */
const STDERR_TAIL_CHARS = 2000;
/** What tesseract (C++, under the child's inherited data limit) says when an allocation fails. */
const OUT_OF_MEMORY = /bad_alloc|cannot allocate|out of memory/i;

/** How a pass ended: its output, or why there is none. */
interface PassEnd {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all. */
  error?: Error;
}

/**
 * The system's tesseract program, one process per pass: the page goes in on stdin as a PGM,
 * its words come back as TSV on stdout. A process per pass loads the model each time (the fast
 * model: well under a tenth of a page's CPU) but keeps nothing between pages, and lives under
 * the child: its memory counts toward the child's cap, and it dies with the child's process
 * group (src/jobs/process-tree.ts). node:child_process, not execa: nothing more for a child to load.
 */
export class NativeOcr implements OcrEngine {
  private pass: ChildProcess | undefined;

  constructor(
    private readonly binary: string,
    private readonly lang: string,
    private readonly modelDir: string,
  ) {
    // A child whose parent went away exits at once (pdf-worker.ts): its pass goes with it.
    process.once('exit', () => this.pass?.kill('SIGKILL'));
  }

  /** Nothing is shared between passes: each process loads its own model. */
  async start(): Promise<void> {}

  async recognize(image: GrayImage): Promise<OcrText> {
    const end = await this.run(image);
    if (end.error || end.code !== 0) throw failure(end);
    return readTsv(end.stdout, image.placement);
  }

  close(): void {}

  private run(image: GrayImage): Promise<PassEnd> {
    return new Promise((resolve) => {
      // One thread, as the WebAssembly engine has: the service runs pages side by side instead.
      const pass = spawn(this.binary, this.args(image), { env: { OMP_THREAD_LIMIT: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
      this.pass = pass;
      const stdout: Buffer[] = [];
      let stderr = '';
      pass.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
      pass.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)));
      const done = (end: Omit<PassEnd, 'stdout' | 'stderr'>) => {
        this.pass = undefined;
        resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr, ...end });
      };
      pass.once('error', (error) => done({ code: null, signal: null, error }));
      pass.once('close', (code, signal) => done({ code, signal }));
      // EPIPE when the process died before reading the whole page: how it ended says why.
      pass.stdin!.on('error', () => {});
      // A PGM: its header, then GrayImage's bytes as they are (8-bit gray, rows top to bottom).
      pass.stdin!.write(`P5\n${image.width} ${image.height}\n255\n`);
      pass.stdin!.end(image.pixels);
    });
  }

  private args(image: GrayImage): string[] {
    return [
      'stdin', 'stdout',
      '--tessdata-dir', this.modelDir,
      '-l', this.lang,
      '--oem', OEM_LSTM_ONLY,
      '--psm', PSM_AUTO,
      // A PGM carries no resolution; the WebAssembly engine is told it with SetSourceResolution.
      '--dpi', String(Math.round(image.dpi)),
      '-c', 'tessedit_create_tsv=1',
    ];
  }
}

/**
 * A pass that did not finish fails the child as a crash would (or as running out of memory), so
 * that the scheduler retries its page like any page that took a child down: again, then at half
 * the resolution, then as a page error. A program that cannot be started fails the job.
 */
function failure(end: PassEnd): JobFailure {
  const how = end.error ? end.error.message : end.signal ? `signal ${end.signal}` : `exit code ${end.code}`;
  const detail = `tesseract: ${how}\n${end.stderr}`;
  if (end.error) return new JobFailure('ocr_failed', 'the OCR engine (tesseract) could not be started', detail);
  if (OUT_OF_MEMORY.test(end.stderr)) return new JobFailure('memory_limit', 'the OCR engine (tesseract) ran out of memory', detail);
  return new JobFailure('worker_crashed', `the OCR engine (tesseract) stopped unexpectedly (${how})`, detail);
}
