/**
 * What a benchmark case is and what it gives back: the cases (cases.ts and the fidelity ones it
 * lists), the runner and the report all speak of these, so they stand apart from any of them.
 */
import type { OcrmypdfRun, TesseractRun } from './reference.js';
import type { ServerInfo } from './service.js';

export interface Row {
  case: string;
  oursS: number | null;
  referenceS: number | null;
  /** The quantity the target bounds: ours/reference time, or accuracy ours/tesseract. */
  ratio: number | null;
  peakPssMb: number | null;
  peakMemoryMb: number | null;
  target: string;
  pass: boolean;
  notes: string[];
}

export interface BenchContext {
  log(message: string): void;
  /** Extra facts for the JSON file (per-page accuracy, job timings, load…). */
  details: Record<string, unknown>;
  /** What the last server started reported (OCR model, workers, child cap). */
  server?: ServerInfo;
  /** The first `n` ocrmypdf runs on `pdf` in this bench run, made as needed and shared by the cases. */
  ocrmypdfRuns(pdf: string, n: number): Promise<OcrmypdfRun[]>;
  /** The tesseract CLI on `pdf`'s pages at `dpi`, made once in this bench run and shared by the cases (one per engine). */
  tesseractRun(pdf: string, pageCount: number, dpi: number): Promise<TesseractRun>;
}

export interface BenchCase {
  name: string;
  /** Other names that select this case with --only (its row names). */
  aliases: string[];
  /** Reference tools the case needs installed. */
  tools: string[];
  run(ctx: BenchContext): Promise<Row[]>;
}
