/**
 * The reference tools the service is measured against: ocrmypdf (throughput, latency),
 * the tesseract CLI (accuracy) and pdftotext (text-layer speed). Each is timed on its
 * own, never while the service is running.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuSince, processCpu } from './cpu.js';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to its end and times it; never throws for a non-zero exit. */
export function runCommand(cmd: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    proc.stdout.on('data', (d: Buffer) => out.push(d));
    proc.stderr.on('data', (d: Buffer) => err.push(d));
    proc.once('error', reject);
    proc.once('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        seconds: (performance.now() - started) / 1000,
      }),
    );
  });
}

/** Like runCommand, but a non-zero exit is an error naming the command. */
export async function mustRun(cmd: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const r = await runCommand(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code}: ${r.stderr.slice(-2000)}`);
  return r;
}

export const SETUP_HINT = 'apt-get install -y ocrmypdf tesseract-ocr poppler-utils ghostscript redis-server qpdf';

/** Version strings of the reference tools; throws with the setup step when one is missing. */
export async function toolVersions(tools: string[]): Promise<Record<string, string>> {
  const probes: Record<string, [string, string[]]> = {
    ocrmypdf: ['ocrmypdf', ['--version']],
    tesseract: ['tesseract', ['--version']],
    pdftotext: ['pdftotext', ['-v']],
    pdftoppm: ['pdftoppm', ['-v']],
    gs: ['gs', ['--version']],
    'redis-server': ['redis-server', ['--version']],
    qpdf: ['qpdf', ['--version']],
  };
  const versions: Record<string, string> = {};
  for (const tool of tools) {
    const [cmd, args] = probes[tool]!;
    const r = await runCommand(cmd, args).catch(() => undefined);
    if (!r || r.code !== 0) throw new Error(`${tool} is not installed; run: ${SETUP_HINT}`);
    const first = (r.stdout + r.stderr).trim().split('\n')[0]!.trim();
    // ocrmypdf prints a bare version number: name it.
    versions[tool] = first.startsWith(tool) ? first : `${tool} ${first}`;
  }
  return versions;
}

export interface OcrmypdfRun {
  seconds: number;
  /** CPU seconds of ocrmypdf and everything it ran (Ghostscript, tesseract), from the kernel. */
  cpuS: number;
  /** The sidecar text, pages separated by \f. */
  text: string;
}

/** ocrmypdf as the issue defines it: 2 jobs, forced OCR, no output PDF, text to a sidecar. */
export async function ocrmypdf(pdf: string): Promise<OcrmypdfRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-ocrmypdf-'));
  try {
    const sidecar = path.join(dir, 'sidecar.txt');
    // --output-type none writes no PDF but still wants an output argument: '-' (nothing is written to it).
    // Nothing else of the bench's ends meanwhile, so its children's CPU is ocrmypdf's tree.
    const before = processCpu('self');
    const r = await mustRun('ocrmypdf', ['-q', '-j', '2', '--force-ocr', '--output-type', 'none', '--sidecar', sidecar, pdf, '-']);
    return { seconds: r.seconds, cpuS: cpuSince('self', before).childrenS, text: readFileSync(sidecar, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TesseractRun {
  /** Wall time of the OCR, rendering excluded. */
  seconds: number;
  /** CPU seconds of the tesseract processes (model loads included), from the kernel. */
  cpuS: number;
  /** Text per page, in page order. */
  pages: string[];
}

/**
 * The tesseract CLI on every page, rendered as the service does (`pdftoppm -r <dpi> -gray`),
 * one process a page, `lanes` pages at a time: the engine's own cost, the floor the service is
 * held to. All pages are rendered first, so the rendering's CPU stays out of the figure.
 * OMP_THREAD_LIMIT=1 keeps each tesseract on one core, as ocrmypdf does, so two lanes use the
 * two cores without oversubscribing them.
 */
export async function tesseractPages(pdf: string, pageCount: number, dpi: number, lanes = 2): Promise<TesseractRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-tesseract-'));
  const image = (page: number) => path.join(dir, `page-${page}`);
  const inLanes = async (work: (page: number) => Promise<void>) => {
    let next = 1;
    const lane = async () => {
      for (let page = next++; page <= pageCount; page = next++) await work(page);
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  };
  try {
    await inLanes(async (page) => {
      await mustRun('pdftoppm', ['-r', String(dpi), '-gray', '-f', String(page), '-l', String(page), '-singlefile', pdf, image(page)]);
    });
    const pages: string[] = new Array<string>(pageCount).fill('');
    const started = performance.now();
    const before = processCpu('self');
    await inLanes(async (page) => {
      pages[page - 1] = (await mustRun('tesseract', [`${image(page)}.pgm`, '-'], { OMP_THREAD_LIMIT: '1' })).stdout;
    });
    return { seconds: (performance.now() - started) / 1000, cpuS: cpuSince('self', before).childrenS, pages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `pdftotext <pdf> -`, text to stdout as a caller would read it. */
export async function pdftotext(pdf: string): Promise<number> {
  return (await mustRun('pdftotext', [pdf, '-'])).seconds;
}

/** Page count, from pdfinfo (poppler-utils). */
export async function pdfPageCount(pdf: string): Promise<number> {
  const r = await mustRun('pdfinfo', [pdf]);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(r.stdout)?.[1]);
  if (!pages) throw new Error(`pdfinfo found no page count in ${pdf}`);
  return pages;
}
