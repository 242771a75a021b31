/**
 * Runs the real, compiled child program through the real Supervisor, without a server: what the
 * child says of each page (fields, words, Markdown) comes back whole, not through the API's
 * formats. Shared by the tests (test/helpers.ts) and the benchmark (bench/), so it must not
 * import vitest.
 */
import path from 'node:path';
import { ocrEngineSchema, type PageResult } from '../src/protocol.js';
import { parseConfig } from '../src/config.js';
import { Supervisor, type ChildExit, type RunOutcome, type Task } from '../src/jobs/supervisor.js';
import { ROOT } from './service.js';

/** The compiled child program. */
export const WORKER = path.join(ROOT, 'dist/workers/pdf-worker.js');

/**
 * A child's task with the service's defaults, for `file`. OCR_ENGINE is taken from the
 * environment, as the servers the tests start take it: `OCR_ENGINE=wasm npx vitest run …`
 * runs a test file with the other engine.
 */
export function childTask(file: string, extra: Partial<Task> = {}): Task {
  const { ocrModel: model, ocrEngine, maxPages, maxResultBytes, ocrDpi, maxPagePixels } = parseConfig({ OCR_ENGINE: process.env.OCR_ENGINE });
  return {
    file,
    ocr: 'auto',
    lang: 'eng',
    pages: null,
    skip: [],
    reduced: [],
    only: null,
    maxPages,
    maxResultBytes,
    ocrDpi,
    maxPagePixels,
    model: { dir: model.dir, gzip: model.gzip },
    engine: ocrEngineSchema.parse(ocrEngine),
    ...extra,
  };
}

export interface ChildRead {
  outcome: RunOutcome;
  /** The pages the child sent, in page order. */
  pages: PageResult[];
  /** The child's end: owned memory peak and its CPU profile. */
  exit: ChildExit;
}

/** One child, capped and timed as the service's defaults say, reads `file`; resolves when it has exited. */
export async function readWithChild(file: string, extra: Partial<Task> = {}): Promise<ChildRead> {
  const { childMemoryMb, pageTimeoutMs } = parseConfig({});
  const pages: PageResult[] = [];
  let exit: ChildExit | undefined;
  const supervisor = new Supervisor({ workerFile: WORKER, childMemoryMb, pageTimeoutMs, onChildExit: (e) => (exit = e) });
  const outcome = await supervisor.run(childTask(file, extra), { onDocument: () => {}, onPage: (p) => pages.push(p) }, path.basename(file)).outcome;
  return { outcome, pages: pages.sort((a, b) => a.page - b.page), exit: exit! };
}
