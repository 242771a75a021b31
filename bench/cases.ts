/**
 * The benchmark cases of issue 3. Each starts its own server (see service.ts), runs its
 * reference tool before or after it (never at the same time) and returns table rows.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { MemoryPeak } from '../harness/memory.js';
import { corpusFile, sleep } from '../harness/service.js';
import { accuracy, splitPages, worstPages, type Accuracy } from './accuracy.js';
import { ocrmypdf, pdfPageCount, pdftotext, tesseractPages, type OcrmypdfRun } from './reference.js';
import { jobTimings, outcomeSummary, runDocuments, withScaledService, withService, type JobOutcome, type ServerInfo } from './service.js';

export const BENCH_PDF = corpusFile('bench/scanned_report_44p.pdf');
export const BENCH_EXPECTED = corpusFile('bench/scanned_report_44p.expected.txt');
export const TEXT_PDF = corpusFile('text/pdkids.pdf');

/** The targets. */
const TARGET = {
  idleRssMb: 70,
  peakPssMb: 400,
  peakMemoryMb: 512,
  throughputRatio: 0.7,
  latencyRatio: 0.5,
  textRatio: 10,
  accuracyRatio: 0.95,
};
/** Resolution of the tesseract reference: the service's default OCR_DPI. */
const OCR_DPI = 200;
const CONCURRENT_DOCS = 4;
/** The text case is around a second: median of a few runs evens out scheduling noise. */
const TEXT_RUNS = 3;
/** The bench gives up on a job after this long (the service's own JOB_TIMEOUT_S is 600). */
const OCR_WAIT_MS = 15 * 60_000;
const TEXT_WAIT_MS = 60_000;

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
  /** Run ocrmypdf on all four documents for the throughput reference instead of once ×4. */
  full: boolean;
  log(message: string): void;
  /** Extra facts for the JSON file (per-page accuracy, job timings, load…). */
  details: Record<string, unknown>;
  /** What the last server started reported (OCR model, workers, child cap). */
  server?: ServerInfo;
  /** ocrmypdf on the bench document, measured once per bench run and shared by two cases. */
  ocrmypdfOnce(): Promise<OcrmypdfRun>;
}

export interface BenchCase {
  name: string;
  /** Other names that select this case with --only (its row names). */
  aliases: string[];
  /** Reference tools the case needs installed. */
  tools: string[];
  run(ctx: BenchContext): Promise<Row[]>;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The load averages (1, 5, 15 min): a busy machine makes timings noisy. */
export const load = () => os.loadavg().map((l) => round(l)).join(' ');

/** The idle server alone: started, asked for its health once, then left alone for 3 s. */
const idle: BenchCase = {
  name: 'idle',
  aliases: [],
  tools: [],
  async run(ctx) {
    const run = await withService(async (server) => {
      await fetch(`${server.url}/healthz`).then((r) => r.text());
      await sleep(3000);
    });
    ctx.server = run.server;
    const rss = run.memory.rssMb;
    return [
      {
        case: 'idle server',
        oursS: null,
        referenceS: null,
        ratio: null,
        peakPssMb: run.memory.pssMb,
        peakMemoryMb: rss,
        target: `RSS ≤ ${TARGET.idleRssMb} MB`,
        pass: rss <= TARGET.idleRssMb,
        notes: [`${run.memory.processes} process(es), ${run.memory.samples} samples`],
      },
    ];
  },
};

/** A text-layer PDF end to end, server start included, against pdftotext. */
const text: BenchCase = {
  name: 'text',
  aliases: [],
  tools: ['pdftotext'],
  async run(ctx) {
    const refs: number[] = [];
    for (let i = 0; i < TEXT_RUNS; i++) refs.push(await pdftotext(TEXT_PDF));
    const runs: TextRun[] = [];
    for (let i = 0; i < TEXT_RUNS; i++) runs.push(await textRun(ctx));
    const outcomes = runs.flatMap((r) => r.jobs);
    const summary = outcomeSummary(outcomes);
    const pages = outcomes[0]?.result?.pages ?? [];
    const ours = median(runs.map((r) => r.seconds));
    const ratio = ours / median(refs);
    ctx.details.text = { runs: runs.map(({ jobs, ...r }) => ({ ...r, jobs: jobTimings(jobs) })), pdftotextS: refs };
    return [
      {
        case: 'text pdkids.pdf (55p)',
        oursS: ours,
        referenceS: median(refs),
        ratio,
        peakPssMb: Math.max(...runs.map((r) => r.pssMb)),
        peakMemoryMb: Math.max(...runs.map((r) => r.rssMb)),
        target: `≤ ${TARGET.textRatio}× pdftotext`,
        pass: summary.ok && ratio <= TARGET.textRatio,
        notes: [
          `median of ${TEXT_RUNS}; ours = spawn of the server (as npm start runs it) → result fetched (listening after ${median(runs.map((r) => r.listeningS)).toFixed(2)} s)`,
          `${pages.filter((p) => p.source === 'text').length}/${pages.length} pages from the text layer`,
          summary.text,
        ],
      },
    ];
  },
};

interface TextRun {
  /** Spawn of the server → result fetched. */
  seconds: number;
  /** Spawn of the server → its "listening" log line. */
  listeningS: number;
  pssMb: number;
  rssMb: number;
  jobs: JobOutcome[];
}

/** One fresh server, one text PDF: the clock starts at the server's spawn, as a cold start does. */
async function textRun(ctx: BenchContext): Promise<TextRun> {
  const run = await withService(async (server) => {
    const listeningS = (performance.now() - server.spawnedAt) / 1000;
    const docs = await runDocuments(server.url, [TEXT_PDF], TEXT_WAIT_MS);
    return { seconds: (performance.now() - server.spawnedAt) / 1000, listeningS, jobs: docs.jobs };
  });
  ctx.server = run.server;
  return { ...run.value, pssMb: run.memory.pssMb, rssMb: run.memory.rssMb };
}

/** One scanned document alone: latency against ocrmypdf, accuracy against the tesseract CLI. */
const lone: BenchCase = {
  name: 'lone',
  aliases: ['latency', 'accuracy'],
  tools: ['ocrmypdf', 'tesseract', 'pdftoppm'],
  async run(ctx) {
    const reference = await ctx.ocrmypdfOnce();
    ctx.log(`ours: one ${BENCH_PDF.split('/').pop()} (load ${load()})`);
    const run = await withService((server) => runDocuments(server.url, [BENCH_PDF], OCR_WAIT_MS));
    ctx.server = run.server;
    const docs = run.value;
    const summary = outcomeSummary(docs.jobs);
    // A failed job ends early: its time says nothing about speed.
    const ratio = summary.ok ? docs.seconds / reference.seconds : null;
    ctx.details.lone = { jobs: jobTimings(docs.jobs), memory: run.memory, load: load(), timeline: run.timeline };
    const latency: Row = {
      case: 'latency 1×44p scanned',
      oursS: docs.seconds,
      referenceS: reference.seconds,
      ratio,
      peakPssMb: run.memory.pssMb,
      peakMemoryMb: run.memory.rssMb,
      target: `≤ ${TARGET.latencyRatio}× ocrmypdf`,
      pass: ratio !== null && ratio <= TARGET.latencyRatio,
      notes: [summary.text, 'ocrmypdf -j 2 --force-ocr --output-type none --sidecar'],
    };

    const ourPages = docs.jobs[0]?.result?.pages.map((p) => p.text);
    return [latency, await accuracyRow(ctx, ourPages, docs.seconds, reference)];
  },
};

async function accuracyRow(ctx: BenchContext, ourPages: string[] | undefined, oursS: number, ocrmypdfRun: OcrmypdfRun): Promise<Row> {
  const pageCount = await pdfPageCount(BENCH_PDF);
  const expected = splitPages(readFileSync(BENCH_EXPECTED, 'utf8'), pageCount);
  ctx.log(`reference: tesseract CLI on ${pageCount} pages at ${OCR_DPI} dpi, 2 at a time (load ${load()})`);
  const tess = await tesseractPages(BENCH_PDF, pageCount, OCR_DPI);
  const theirs = accuracy(tess.pages, expected);
  const sidecar = accuracy(splitPages(ocrmypdfRun.text, pageCount), expected);
  const row: Row = {
    case: 'accuracy 44p scanned',
    oursS,
    referenceS: tess.seconds,
    ratio: null,
    peakPssMb: null,
    peakMemoryMb: null,
    target: `word acc ≥ ${TARGET.accuracyRatio}× tesseract`,
    pass: false,
    notes: [],
  };
  if (!ourPages) {
    row.notes.push(
      `no OCR text: the job failed (see the latency row); tesseract CLI ${theirs.overall.toFixed(3)}, ocrmypdf sidecar ${sidecar.overall.toFixed(3)}`,
    );
    ctx.details.accuracy = { tesseract: theirs, ocrmypdfSidecar: sidecar.overall };
    return row;
  }
  const ours: Accuracy = accuracy(ourPages, expected);
  row.ratio = ours.overall / theirs.overall;
  row.pass = row.ratio >= TARGET.accuracyRatio;
  row.notes.push(
    `word acc ours ${ours.overall.toFixed(3)}, tesseract CLI ${theirs.overall.toFixed(3)} (ocrmypdf sidecar ${sidecar.overall.toFixed(3)})`,
    `worst pages vs tesseract: ${worstPages(ours, theirs)}`,
    'times: ours = the latency run, reference = pdftoppm + tesseract, 2 pages at a time',
  );
  ctx.details.accuracy = { ours, tesseract: theirs, ocrmypdfSidecar: sidecar.overall };
  return row;
}

/** Four scanned documents at once (2 running, 2 queued): peak memory and throughput. */
const four: BenchCase = {
  name: 'four',
  aliases: ['memory', 'throughput'],
  tools: ['ocrmypdf'],
  async run(ctx) {
    const reference = await throughputReference(ctx);
    ctx.log(`ours: ${CONCURRENT_DOCS} uploads at once (load ${load()})`);
    const files = Array.from({ length: CONCURRENT_DOCS }, () => BENCH_PDF);
    const run = await withService((server) => runDocuments(server.url, files, OCR_WAIT_MS));
    ctx.server = run.server;
    const docs = run.value;
    const summary = outcomeSummary(docs.jobs);
    const { pssMb, rssMb } = run.memory;
    const ratio = summary.ok ? docs.seconds / reference.seconds : null;
    ctx.details.four = { jobs: jobTimings(docs.jobs), memory: run.memory, load: load(), timeline: run.timeline };
    ctx.details.fourSeconds = docs.seconds;
    return [
      memoryRow(`memory ${CONCURRENT_DOCS}×44p at once`, docs.seconds, run.memory, summary, [
        `up to ${run.memory.processes} processes; PSS peak at ${run.memory.pssPeakAtS.toFixed(1)} s`,
      ]),
      {
        case: `throughput ${CONCURRENT_DOCS}×44p`,
        oursS: docs.seconds,
        referenceS: reference.seconds,
        ratio,
        peakPssMb: pssMb,
        peakMemoryMb: rssMb,
        target: `≤ ${TARGET.throughputRatio}× ocrmypdf ×${CONCURRENT_DOCS} sequential`,
        pass: ratio !== null && ratio <= TARGET.throughputRatio,
        notes: [summary.text, reference.note],
      },
    ];
  },
};

/** ocrmypdf on the four documents one after another; by default one run ×4 to fit the time budget. */
async function throughputReference(ctx: BenchContext): Promise<{ seconds: number; note: string }> {
  const first = await ctx.ocrmypdfOnce();
  if (!ctx.full) {
    return {
      seconds: first.seconds * CONCURRENT_DOCS,
      note: `reference = one ocrmypdf run (${first.seconds.toFixed(1)} s) ×${CONCURRENT_DOCS}, estimated; --full runs all ${CONCURRENT_DOCS}`,
    };
  }
  const runs = [first.seconds];
  for (let i = 1; i < CONCURRENT_DOCS; i++) {
    ctx.log(`reference: ocrmypdf ${i + 1}/${CONCURRENT_DOCS} (load ${load()})`);
    runs.push((await ocrmypdf(BENCH_PDF)).seconds);
  }
  ctx.details.ocrmypdfRunsS = runs.map((s) => round(s, 1));
  return { seconds: runs.reduce((a, b) => a + b, 0), note: `reference = ${CONCURRENT_DOCS} ocrmypdf runs one after another (--full)` };
}

/**
 * The same four documents through Redis and BullMQ (issue 8): one API instance takes them, one
 * worker instance runs them. The worker instance must keep the 512 MB promise as the embedded
 * service does, with BullMQ and ioredis loaded in its parent.
 */
const scaled: BenchCase = {
  name: 'scaled',
  aliases: [],
  tools: ['redis-server'],
  async run(ctx) {
    ctx.log(`ours, scaled: ${CONCURRENT_DOCS} uploads to an API instance, one worker instance (load ${load()})`);
    const files = Array.from({ length: CONCURRENT_DOCS }, () => BENCH_PDF);
    const run = await withScaledService((api) => runDocuments(api.url, files, OCR_WAIT_MS));
    const docs = run.value;
    ctx.details.scaled = { jobs: jobTimings(docs.jobs), memory: run.memory, apiMemory: run.apiMemory, load: load(), timeline: run.timeline };
    const embedded = ctx.details.fourSeconds;
    return [
      memoryRow(`scaled worker ${CONCURRENT_DOCS}×44p`, docs.seconds, run.memory, outcomeSummary(docs.jobs), [
        `worker instance: up to ${run.memory.processes} processes; API instance peak PSS ${Math.round(run.apiMemory.pssMb)} MB, RSS ${Math.round(run.apiMemory.rssMb)} MB`,
        ...(typeof embedded === 'number' ? [`the embedded service took ${embedded.toFixed(1)} s for the same four (memory row)`] : []),
      ]),
    ];
  },
};

/** A row held to the 512 MB promise: the peak of a process tree while its jobs ran. */
function memoryRow(name: string, seconds: number, memory: MemoryPeak, summary: { ok: boolean; text: string }, notes: string[]): Row {
  return {
    case: name,
    oursS: seconds,
    referenceS: null,
    ratio: null,
    peakPssMb: memory.pssMb,
    peakMemoryMb: memory.rssMb,
    target: `PSS ≤ ${TARGET.peakPssMb} MB, RSS < ${TARGET.peakMemoryMb} MB`,
    pass: summary.ok && memory.pssMb <= TARGET.peakPssMb && memory.rssMb < TARGET.peakMemoryMb,
    notes: [summary.text, ...notes],
  };
}

/** In the order they run: cheap first, so a --only-less run shows early numbers early. */
export const CASES: BenchCase[] = [idle, text, lone, four, scaled];
