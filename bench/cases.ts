/**
 * The benchmark cases of issue 3. Each starts its own server (see service.ts), runs its
 * reference tool before or after it (never at the same time) and returns table rows.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { MemoryPeak } from '../harness/memory.js';
import { corpusFile, ROOT, sleep } from '../harness/service.js';
import { median } from '../src/stats.js';
import { accuracy, splitPages, worstPages, type Accuracy } from './accuracy.js';
import { fidelity } from './fidelity.js';
import { forms } from './forms.js';
import { smallPrint } from './smallprint.js';
import { caseProfile, formatProfile, type CaseProfile } from './profile.js';
import type { BenchCase, BenchContext, Row } from './case.js';
import { pdfPageCount, pdftotext, type OcrmypdfRun, type TesseractRun } from './reference.js';
import { BOOK_SCAN, BOOK_SCAN_EXPECTED, REPORT_SCAN, REPORT_SCAN_EXPECTED, scannedPdf } from './scan-pdf.js';
import {
  jobTimings,
  outcomeSummary,
  runDocuments,
  withScaledService,
  withService,
  type JobOutcome,
  type ServiceRun,
} from './service.js';

export const TEXT_PDF = corpusFile('text/pdkids.pdf');

interface MemoryTarget {
  pssMb: number;
  rssMb: number;
}

/** The targets: issue 3's, tightened for scans by issue 15. */
const TARGET = {
  idleRssMb: 70,
  textRatio: 10,
  /** Four scans at once: the whole tree, and each child's own memory. */
  memory: { pssMb: 380, rssMb: 480 } satisfies MemoryTarget,
  childPeakMb: 150,
  /** A worker instance of the scaled setup (issue 8). */
  scaledMemory: { pssMb: 400, rssMb: 512 } satisfies MemoryTarget,
  latencyRatio: 0.6,
  accuracyRatio: 0.99,
  /** Per engine (issue 22): four scans against four ocrmypdf runs, and CPU seconds a page against the tesseract CLI's. */
  engine: {
    native: { throughputRatio: 0.6, cpuRatio: 1.05 },
    wasm: { throughputRatio: 0.7, cpuRatio: 1.15 },
  },
};
/** The OCR engines the scan cases run with, side by side (OCR_ENGINE). */
type Engine = keyof typeof TARGET.engine;
/** A case's name for an engine: the native engine's are the plain names (the service's default where tesseract is installed). */
const engineSuffix = (engine: Engine) => (engine === 'native' ? '' : `-${engine}`);
/** Shares of a CPU small hosts give (a Render starter instance, a free one). */
const SMALL_HOST_SHARES = [0.5, 0.1];
/** Resolution of the tesseract reference: the service's default OCR_DPI. */
const OCR_DPI = 200;
const CONCURRENT_DOCS = 4;
/** The text case is around a second: median of a few runs evens out scheduling noise. */
const TEXT_RUNS = 3;
/** The bench gives up on a job after this long (the service's own JOB_TIMEOUT_S is 600). */
const OCR_WAIT_MS = 15 * 60_000;
const TEXT_WAIT_MS = 60_000;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
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

/** A scanned document the bench reads, built from a text PDF of the corpus on first use. */
interface ScanDoc {
  /** Ends the case names: '' for the 200-dpi scan (the cases of issue 3), '300' for the other. */
  key: string;
  label: string;
  expected: string;
  /** The PDF, built on first use. */
  pdf(): Promise<string>;
  tools: string[];
}

const SCAN_200: ScanDoc = { key: '', label: '44p 200dpi', expected: REPORT_SCAN_EXPECTED, pdf: () => scannedPdf(REPORT_SCAN), tools: ['gs'] };
const SCAN_300: ScanDoc = { key: '300', label: '44p 300dpi', expected: BOOK_SCAN_EXPECTED, pdf: () => scannedPdf(BOOK_SCAN), tools: ['gs'] };

/** The service's CPU over a run: the server and every child it ran, from the kernel's accounting. */
function serviceCpuS(run: ServiceRun<unknown>): number {
  return run.cpu.selfS + run.cpu.childrenS;
}

/** One scanned document alone: latency against ocrmypdf, accuracy and CPU against the tesseract CLI. */
function loneCase(doc: ScanDoc, engine: Engine): BenchCase {
  const suffix = engineSuffix(engine);
  const label = `${doc.label} ${engine}`;
  return {
    name: `lone${doc.key}${suffix}`,
    aliases: [`latency${doc.key}${suffix}`, `accuracy${doc.key}${suffix}`, `cpu${doc.key}${suffix}`],
    tools: ['ocrmypdf', 'tesseract', 'pdftoppm', ...doc.tools],
    async run(ctx) {
      const pdf = await doc.pdf();
      const [reference] = (await ctx.ocrmypdfRuns(pdf, 1)) as [OcrmypdfRun];
      ctx.log(`ours: one ${path.basename(pdf)}, OCR_ENGINE=${engine} (load ${load()})`);
      const run = await withService((server) => runDocuments(server.url, [pdf], OCR_WAIT_MS), { OCR_ENGINE: engine });
      ctx.server = run.server;
      const docs = run.value;
      const summary = outcomeSummary(docs.jobs);
      // A failed job ends early: its time says nothing about speed.
      const ratio = summary.ok ? docs.seconds / reference.seconds : null;
      const profile = caseProfile(run.children, run.cpu.selfS);
      ctx.details[`lone${doc.key}${suffix}`] = { jobs: jobTimings(docs.jobs), memory: run.memory, cpu: run.cpu, profile, load: load(), timeline: run.timeline };
      const latency: Row = {
        case: `latency 1×${label}`,
        oursS: docs.seconds,
        referenceS: reference.seconds,
        ratio,
        peakPssMb: run.memory.pssMb,
        peakMemoryMb: run.memory.rssMb,
        target: `≤ ${TARGET.latencyRatio}× ocrmypdf`,
        pass: ratio !== null && ratio <= TARGET.latencyRatio,
        notes: [summary.text, 'ocrmypdf -j 2 --force-ocr --output-type none --sidecar'],
      };
      const pageCount = await pdfPageCount(pdf);
      const tess = await ctx.tesseractRun(pdf, pageCount, OCR_DPI);
      const ourPages = docs.jobs[0]?.result?.pages.map((p) => p.text);
      const ourCpuS = serviceCpuS(run);
      return [
        latency,
        accuracyRow(ctx, { ...doc, label, key: `${doc.key}${suffix}` }, pageCount, ourPages, docs.seconds, tess, reference),
        cpuRow({ ...doc, label }, engine, pageCount, summary.ok ? ourCpuS : null, tess, reference, profile),
        smallHostRow({ ...doc, label }, summary.ok ? ourCpuS : null, run.server.jobTimeoutS),
      ];
    },
  };
}

function accuracyRow(
  ctx: BenchContext,
  doc: ScanDoc,
  pageCount: number,
  ourPages: string[] | undefined,
  oursS: number,
  tess: TesseractRun,
  ocrmypdfRun: OcrmypdfRun,
): Row {
  const expected = splitPages(readFileSync(doc.expected, 'utf8'), pageCount);
  const theirs = accuracy(tess.pages, expected);
  const sidecar = accuracy(splitPages(ocrmypdfRun.text, pageCount), expected);
  const row: Row = {
    case: `accuracy ${doc.label}`,
    oursS,
    referenceS: tess.seconds,
    ratio: null,
    peakPssMb: null,
    peakMemoryMb: null,
    target: `word acc ≥ ${TARGET.accuracyRatio}× tesseract`,
    pass: false,
    notes: [],
  };
  const key = `accuracy${doc.key}`;
  if (!ourPages) {
    row.notes.push(
      `no OCR text: the job failed (see the latency row); tesseract CLI ${theirs.overall.toFixed(3)}, ocrmypdf sidecar ${sidecar.overall.toFixed(3)}`,
    );
    ctx.details[key] = { tesseract: theirs, ocrmypdfSidecar: sidecar.overall };
    return row;
  }
  const ours: Accuracy = accuracy(ourPages, expected);
  row.ratio = ours.overall / theirs.overall;
  row.pass = row.ratio >= TARGET.accuracyRatio;
  row.notes.push(
    `word acc ours ${ours.overall.toFixed(3)}, tesseract CLI ${theirs.overall.toFixed(3)} (ocrmypdf sidecar ${sidecar.overall.toFixed(3)})`,
    `worst pages vs tesseract: ${worstPages(ours, theirs)}`,
    `times: ours = the latency run, reference = tesseract on pages pdftoppm rendered beforehand, 2 at a time`,
  );
  ctx.details[key] = { ours, tesseract: theirs, ocrmypdfSidecar: sidecar.overall };
  return row;
}

/** CPU seconds per page of the whole service against the engine's own: the tesseract CLI, one process a page. */
function cpuRow(doc: ScanDoc, engine: Engine, pages: number, ourCpuS: number | null, tess: TesseractRun, ocrmypdfRun: OcrmypdfRun, profile: CaseProfile): Row {
  const ours = ourCpuS === null ? null : ourCpuS / pages;
  const floor = tess.cpuS / pages;
  const ratio = ours === null ? null : ours / floor;
  const { cpuRatio } = TARGET.engine[engine];
  return {
    case: `CPU s/page ${doc.label}`,
    oursS: ours,
    referenceS: floor,
    ratio,
    peakPssMb: null,
    peakMemoryMb: null,
    target: `≤ ${cpuRatio}× tesseract CLI`,
    pass: ratio !== null && ratio <= cpuRatio,
    notes: [
      `ours = server + children (kernel accounting) over the latency run; reference = tesseract CLI at ${OCR_DPI} dpi gray, OMP_THREAD_LIMIT=1, one process a page, rendering excluded; ocrmypdf ${(ocrmypdfRun.cpuS / pages).toFixed(2)} CPU s/page`,
      formatProfile(profile),
    ],
  };
}

/** Hosts with a share of a CPU: the time a document's CPU takes there, against the job limit. */
function smallHostRow(doc: ScanDoc, ourCpuS: number | null, jobTimeoutS: number): Row {
  const at = (share: number) => (ourCpuS === null ? null : ourCpuS / share);
  const slowest = at(SMALL_HOST_SHARES.at(-1)!);
  return {
    case: `small host 1×${doc.label}`,
    oursS: slowest,
    referenceS: null,
    ratio: null,
    peakPssMb: null,
    peakMemoryMb: null,
    target: `< JOB_TIMEOUT_S (${jobTimeoutS} s) on ${SMALL_HOST_SHARES.join(' and ')} CPU`,
    pass: SMALL_HOST_SHARES.every((share) => (at(share) ?? Infinity) < jobTimeoutS),
    notes: [
      ourCpuS === null
        ? 'no estimate: the job failed'
        : `${ourCpuS.toFixed(0)} CPU s for the document: ${SMALL_HOST_SHARES.map((share) => `${at(share)!.toFixed(0)} s on ${share} CPU`).join(', ')} (CPU s ÷ share; ours = the last)`,
    ],
  };
}

/** Four scanned documents at once (2 running, 2 queued): peak memory and throughput. */
function fourCase(doc: ScanDoc, engine: Engine): BenchCase {
  const suffix = engineSuffix(engine);
  const label = `${doc.label} ${engine}`;
  const { throughputRatio } = TARGET.engine[engine];
  return {
    name: `four${doc.key}${suffix}`,
    aliases: [`memory${doc.key}${suffix}`, `throughput${doc.key}${suffix}`],
    tools: ['ocrmypdf', ...doc.tools],
    async run(ctx) {
      const pdf = await doc.pdf();
      // Four reference runs one after another, not one ×4: ocrmypdf's own time varies from run to run.
      const references = await ctx.ocrmypdfRuns(pdf, CONCURRENT_DOCS);
      const referenceS = references.reduce((sum, r) => sum + r.seconds, 0);
      ctx.log(`ours: ${CONCURRENT_DOCS} uploads at once, OCR_ENGINE=${engine} (load ${load()})`);
      const files = Array.from({ length: CONCURRENT_DOCS }, () => pdf);
      const run = await withService((server) => runDocuments(server.url, files, OCR_WAIT_MS), { OCR_ENGINE: engine });
      ctx.server = run.server;
      const docs = run.value;
      const summary = outcomeSummary(docs.jobs);
      const ratio = summary.ok ? docs.seconds / referenceS : null;
      const profile = caseProfile(run.children, run.cpu.selfS);
      const childPeakMb = Math.max(0, ...run.children.map((c) => c.peakMemoryMb));
      ctx.details[`four${doc.key}${suffix}`] = { jobs: jobTimings(docs.jobs), memory: run.memory, cpu: run.cpu, profile, childPeakMb, load: load(), timeline: run.timeline };
      if (!doc.key && engine === 'native') ctx.details.fourSeconds = docs.seconds;
      const pages = CONCURRENT_DOCS * (await pdfPageCount(pdf));
      const memory = memoryRow(`memory ${CONCURRENT_DOCS}×${label} at once`, docs.seconds, run.memory, summary, TARGET.memory, [
        `up to ${run.memory.processes} processes; PSS peak at ${run.memory.pssPeakAtS.toFixed(1)} s`,
        `child owned peak ${childPeakMb} MB (target ≤ ${TARGET.childPeakMb} MB) over ${run.children.length} children`,
      ]);
      memory.target += `, child ≤ ${TARGET.childPeakMb} MB`;
      memory.pass &&= childPeakMb <= TARGET.childPeakMb;
      return [
        memory,
        {
          case: `throughput ${CONCURRENT_DOCS}×${label}`,
          oursS: docs.seconds,
          referenceS,
          ratio,
          peakPssMb: run.memory.pssMb,
          peakMemoryMb: run.memory.rssMb,
          target: `≤ ${throughputRatio}× ocrmypdf ×${CONCURRENT_DOCS} sequential`,
          pass: ratio !== null && ratio <= throughputRatio,
          notes: [
            summary.text,
            `reference = ${CONCURRENT_DOCS} ocrmypdf runs one after another (${references.map((r) => r.seconds.toFixed(1)).join(' + ')} s)`,
            `CPU: ours ${(serviceCpuS(run) / pages).toFixed(2)} s/page, ocrmypdf ${(references.reduce((sum, r) => sum + r.cpuS, 0) / pages).toFixed(2)} s/page`,
            formatProfile(profile),
          ],
        },
      ];
    },
  };
}

/**
 * The same four documents through Redis and BullMQ (issue 8): one API instance takes them, one
 * worker instance runs them. The worker instance must keep the 512 MB promise as the embedded
 * service does, with BullMQ and ioredis loaded in its parent.
 */
const scaled: BenchCase = {
  name: 'scaled',
  aliases: [],
  tools: ['redis-server', 'gs'],
  async run(ctx) {
    ctx.log(`ours, scaled: ${CONCURRENT_DOCS} uploads to an API instance, one worker instance (load ${load()})`);
    const pdf = await SCAN_200.pdf();
    const files = Array.from({ length: CONCURRENT_DOCS }, () => pdf);
    const run = await withScaledService((api) => runDocuments(api.url, files, OCR_WAIT_MS));
    const docs = run.value;
    ctx.details.scaled = { jobs: jobTimings(docs.jobs), memory: run.memory, apiMemory: run.apiMemory, load: load(), timeline: run.timeline };
    const embedded = ctx.details.fourSeconds;
    return [
      memoryRow(`scaled worker ${CONCURRENT_DOCS}×44p`, docs.seconds, run.memory, outcomeSummary(docs.jobs), TARGET.scaledMemory, [
        `worker instance: up to ${run.memory.processes} processes; API instance peak PSS ${Math.round(run.apiMemory.pssMb)} MB, RSS ${Math.round(run.apiMemory.rssMb)} MB`,
        ...(typeof embedded === 'number' ? [`the embedded service took ${embedded.toFixed(1)} s for the same four (memory row)`] : []),
      ]),
    ];
  },
};

/** A row held to the 512 MB promise: the peak of a process tree while its jobs ran. */
function memoryRow(name: string, seconds: number, memory: MemoryPeak, summary: { ok: boolean; text: string }, target: MemoryTarget, notes: string[]): Row {
  return {
    case: name,
    oursS: seconds,
    referenceS: null,
    ratio: null,
    peakPssMb: memory.pssMb,
    peakMemoryMb: memory.rssMb,
    target: `PSS ≤ ${target.pssMb} MB, RSS ≤ ${target.rssMb} MB`,
    pass: summary.ok && memory.pssMb <= target.pssMb && memory.rssMb <= target.rssMb,
    notes: [summary.text, ...notes],
  };
}

/** In the order they run: cheap first, so a --only-less run shows early numbers early. */
export const CASES: BenchCase[] = [
  idle,
  text,
  fidelity,
  forms,
  smallPrint,
  ...[SCAN_200, SCAN_300].flatMap((doc) => [loneCase(doc, 'native'), loneCase(doc, 'wasm')]),
  ...[SCAN_200, SCAN_300].flatMap((doc) => [fourCase(doc, 'native'), fourCase(doc, 'wasm')]),
  scaled,
];
