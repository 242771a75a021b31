/**
 * `npm run bench`: measures the service against the targets of issue 3 and prints one
 * table. Cases run one after another, each on a fresh server, and never at the same time
 * as a reference tool. See the README's Performance section.
 *
 *   --only=<case>[,<case>]  idle | text | fidelity | forms | lone, lone300 (latency, accuracy, CPU, small host) |
 *                           four, four300 (memory, throughput) | scaled
 *   --update-readme         write the table into README.md's Performance section
 *
 * Exit code: 0 every target met, 1 a target missed, 2 the bench itself could not run.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CORPUS, ROOT, SERVER } from '../harness/service.js';
import type { BenchCase, BenchContext, Row } from './case.js';
import { CASES, TEXT_PDF, load } from './cases.js';
import { ocrmypdf, tesseractPages, toolVersions, type OcrmypdfRun, type TesseractRun } from './reference.js';
import { formatContext, formatNotes, formatTable, updateReadme, writeJson, type Report } from './report.js';
import { BOOK_SCAN, BOOK_SCAN_EXPECTED, REPORT_SCAN, REPORT_SCAN_EXPECTED } from './scan-pdf.js';

interface Options {
  cases: BenchCase[];
  updateReadme: boolean;
  flags: string[];
}

const USAGE = `usage: npm run bench [-- --only=<case>[,<case>…]] [--update-readme]
cases: ${CASES.map((c) => (c.aliases.length ? `${c.name} (${c.aliases.join(', ')})` : c.name)).join(', ')}`;

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const options: Options = { cases: CASES, updateReadme: false, flags: argv };
  for (const arg of argv) {
    if (arg === '--update-readme') options.updateReadme = true;
    else if (arg.startsWith('--only=')) options.cases = selectCases(arg.slice('--only='.length).split(','));
    else throw new UsageError(`unknown argument ${arg}`);
  }
  return options;
}

/** Cases named by name or by one of their rows' aliases, in their usual order. */
function selectCases(names: string[]): BenchCase[] {
  for (const name of names) {
    if (!CASES.some((c) => c.name === name || c.aliases.includes(name))) throw new UsageError(`unknown case ${name}`);
  }
  return CASES.filter((c) => names.some((n) => c.name === n || c.aliases.includes(n)));
}

/** Fails early, with the fix, on what the bench needs and does not find. */
async function preflight(cases: BenchCase[]): Promise<Record<string, string>> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build (npm run bench does)`);
  for (const file of [REPORT_SCAN.source, REPORT_SCAN_EXPECTED, BOOK_SCAN.source, BOOK_SCAN_EXPECTED, TEXT_PDF]) {
    if (!existsSync(file)) throw new Error(`corpus file missing: ${file} (the corpus lives in ${CORPUS})`);
  }
  const tools = [...new Set(cases.flatMap((c) => c.tools))];
  return toolVersions(tools);
}

function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function createContext(): BenchContext {
  const runs = new Map<string, OcrmypdfRun[]>();
  const tesseractRuns = new Map<string, Promise<TesseractRun>>();
  return {
    log,
    details: {},
    async ocrmypdfRuns(pdf, n) {
      const done = runs.get(pdf) ?? [];
      runs.set(pdf, done);
      while (done.length < n) {
        log(`reference: ocrmypdf ${done.length + 1}/${n} on ${path.basename(pdf)} (load ${load()})`);
        const run = await ocrmypdf(pdf);
        log(`reference: ocrmypdf took ${run.seconds.toFixed(1)} s, ${run.cpuS.toFixed(1)} CPU s`);
        done.push(run);
      }
      return done.slice(0, n);
    },
    tesseractRun(pdf, pageCount, dpi) {
      const key = `${pdf}@${dpi}`;
      if (!tesseractRuns.has(key)) {
        log(`reference: tesseract CLI on ${pageCount} pages of ${path.basename(pdf)} at ${dpi} dpi, 2 at a time (load ${load()})`);
        tesseractRuns.set(key, tesseractPages(pdf, pageCount, dpi));
      }
      return tesseractRuns.get(key)!;
    },
  };
}

/** Runs a case; a case that throws becomes a failed row instead of ending the bench. */
async function runCase(c: BenchCase, ctx: BenchContext): Promise<Row[]> {
  const started = performance.now();
  log(`case ${c.name} (load ${load()})`);
  try {
    const rows = await c.run(ctx);
    log(`case ${c.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${rows.map((r) => `${r.case} ${r.pass ? 'pass' : 'FAIL'}`).join(', ')}`);
    return rows;
  } catch (err) {
    log(`case ${c.name} broke: ${(err as Error).stack ?? String(err)}`);
    const message = (err as Error).message.split('\n')[0]!;
    return [{ case: c.name, oursS: null, referenceS: null, ratio: null, peakPssMb: null, peakMemoryMb: null, target: '–', pass: false, notes: [`bench error: ${message}`] }];
  }
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const options = parseArgs(process.argv.slice(2));
  const tools = await preflight(options.cases);
  const started = performance.now();
  const date = new Date().toISOString();
  const loadAtStart = load();
  const ctx = createContext();
  const rows: Row[] = [];
  for (const c of options.cases) rows.push(...(await runCase(c, ctx)));

  const report: Report = {
    date,
    flags: options.flags,
    machine: { cpus: os.cpus().length, node: process.versions.node, kernel: os.release(), loadAtStart, loadAtEnd: load() },
    ocrModel: ctx.server?.ocrModel ?? 'unknown (no server started)',
    tools,
    rows,
    details: { server: ctx.server, ...ctx.details },
    durationS: (performance.now() - started) / 1000,
  };
  console.log(`\n${formatContext(report)}\n\n${formatTable(rows)}\n\n${formatNotes(rows)}\n`);
  console.log(`results: ${path.relative(process.cwd(), writeJson(path.join(ROOT, 'bench/results'), report))}`);
  if (options.updateReadme) {
    updateReadme(path.join(ROOT, 'README.md'), report);
    console.log('README.md Performance section updated');
  }
  return rows.every((r) => r.pass) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? `${err.message}\n${USAGE}` : `bench: ${(err as Error).message}`);
    process.exit(2);
  },
);
