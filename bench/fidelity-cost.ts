/**
 * What fidelity (issue 12) costs on text pages, and on OCR pages: the child's own compiled code
 * run both ways over the same pages by fidelity-pass.ts. Each reading is a fresh process started
 * as the Supervisor starts a child (its node flags and env), so its CPU is cold as a child's is
 * and its peak memory is its own. In one long-lived process neither held: memory that earlier
 * readings left resident hid the difference (the same reading's extra peak read −0.2 to +10 MB
 * from one repetition to the next), and pdfjs's legacy build installs core-js polyfills in the
 * process that loads it (workers/pdfjs.ts puts only push and JSON.stringify back), which would
 * have slowed the bench process itself.
 */
import path from 'node:path';
import type { ChildRead } from '../harness/child.js';
import { ROOT } from '../harness/service.js';
import { parseConfig } from '../src/config.js';
import { childEnv, childNodeFlags } from '../src/jobs/supervisor.js';
import type { BenchContext, Row } from './cases.js';
import type { OcrPass, TextPass } from './fidelity-pass.js';
import { runCommand } from './reference.js';

const PASS = path.join(ROOT, 'dist/bench/fidelity-pass.js');
/** Readings of each document each way; the median is kept. */
const RUNS = 3;
/** Issue 12's targets: fidelity adds under 10 % time and under 10 MB. */
const TARGET = { share: 0.1, mb: 10 };

async function pass<T>(args: string[]): Promise<T> {
  const r = await runCommand(process.execPath, [...childNodeFlags(parseConfig({}).childMemoryMb), PASS, ...args], childEnv());
  if (r.code !== 0) throw new Error(`fidelity-pass ${args.join(' ')} exited with ${r.code}: ${r.stderr.slice(-1000)}`);
  return JSON.parse(r.stdout) as T;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Each figure of a pass, the median over the runs. */
function medians(passes: TextPass[]): TextPass {
  const m = (key: keyof TextPass) => median(passes.map((p) => p[key]));
  return { cpuS: m('cpuS'), fidelityS: m('fidelityS'), messageS: m('messageS'), peakMb: m('peakMb'), pages: m('pages') };
}

interface DocumentCost {
  file: string;
  plain: TextPass;
  full: TextPass;
  /** Every reading, for the JSON details. */
  runs: { plain: TextPass[]; full: TextPass[] };
}

async function documentCost(file: string): Promise<DocumentCost> {
  const runs = { plain: [] as TextPass[], full: [] as TextPass[] };
  for (let i = 0; i < RUNS; i++) {
    runs.plain.push(await pass<TextPass>(['text', file, 'plain']));
    runs.full.push(await pass<TextPass>(['text', file, 'full']));
  }
  return { file, plain: medians(runs.plain), full: medians(runs.full), runs };
}

/**
 * What fidelity added: the whole readings' difference. The calls timed inside (words, layout,
 * Markdown; the larger message) account for most of it (60-80 % measured); the rest falls
 * outside them (the collection of their garbage, among other things), so the timed calls alone
 * would flatter it.
 */
const extraS = (d: DocumentCost) => d.full.cpuS - d.plain.cpuS;

/**
 * The cost row, on text documents the real child has read (in the fidelity case): its CPU per
 * page and owned peak, as the service runs it, are quoted beside.
 */
export async function fidelityCostRow(ctx: BenchContext, children: { file: string; read: ChildRead }[], scans: string[]): Promise<Row> {
  const docs: DocumentCost[] = [];
  for (const { file } of children) {
    ctx.log(`fidelity cost: ${path.basename(file)} read ${RUNS}× without and ${RUNS}× with words and Markdown, a fresh process each`);
    docs.push(await documentCost(file));
  }
  ctx.log(`fidelity cost: OCR results read both ways on ${scans.length} scanned pages`);
  const ocr = await pass<OcrPass>(['ocr', ...scans]);
  ctx.details.fidelityCost = { docs, ocr };

  const plainS = docs.reduce((sum, d) => sum + d.plain.cpuS, 0);
  const addedS = docs.reduce((sum, d) => sum + extraS(d), 0);
  const share = addedS / plainS;
  const extraMb = Math.max(...docs.map((d) => d.full.peakMb - d.plain.peakMb));
  const perDoc = docs.map((d) => {
    const messageS = d.full.messageS - d.plain.messageS;
    return (
      `${path.basename(d.file)} (${d.plain.pages}p): ${d.plain.cpuS.toFixed(2)} → ${d.full.cpuS.toFixed(2)} s (+${((100 * extraS(d)) / d.plain.cpuS).toFixed(0)} %): ` +
      `words/layout/Markdown ${d.full.fidelityS.toFixed(2)}, the larger message ${messageS.toFixed(2)}, outside those calls ${(extraS(d) - d.full.fidelityS - messageS).toFixed(2)}; ` +
      `peak RSS ${d.plain.peakMb.toFixed(1)} → ${d.full.peakMb.toFixed(1)} MB`
    );
  });
  const child = children.map(({ file, read }) => {
    const profile = read.exit.profile;
    if (!profile) return `${path.basename(file)}: no profile from the child`;
    const perPage = (ms: number) => `${(ms / read.pages.length).toFixed(1)} ms`;
    const extraMs = 1000 * extraS(docs.find((d) => d.file === file)!);
    return (
      `${path.basename(file)} ${perPage(profile.totalCpuMs - profile.cpuMs.startup)} CPU a page after start-up (text stage ${perPage(profile.cpuMs.text)}), ` +
      `${(profile.totalCpuMs / 1000).toFixed(2)} s the whole job (start-up included), +${((100 * extraMs) / (profile.totalCpuMs - extraMs)).toFixed(0)} % over it without fidelity; owned peak ${read.exit.peakMemoryMb} MB`
    );
  });
  const ms = (s: number) => `${((1000 * s) / ocr.pages).toFixed(0)} ms`;
  return {
    case: 'fidelity: cost (text pages)',
    oursS: plainS + addedS,
    referenceS: plainS,
    ratio: (plainS + addedS) / plainS,
    peakPssMb: null,
    peakMemoryMb: null,
    target: `≤ ${1 + TARGET.share}× CPU, ≤ +${TARGET.mb} MB peak`,
    pass: share <= TARGET.share && extraMb <= TARGET.mb,
    notes: [
      `CPU s of the child's code reading ${docs.reduce((n, d) => n + d.plain.pages, 0)} text pages (fidelity-pass.js, a fresh process per reading as a child is, median of ${RUNS}): ` +
        `reference = getTextContent + the layer's text + the page's message; ours = that + words, layout, Markdown, packing, and the larger message (fitted to its share, serialised): ` +
        `+${addedS.toFixed(2)} s (${(100 * share).toFixed(0)} %), peak RSS up to +${extraMb.toFixed(1)} MB`,
      ...perDoc,
      `the real child (this case's reads, fidelity on): ${child.join('; ')}`,
      `not in the figure: the parent's share of the larger message (JSON over IPC, its check and storage)`,
      `OCR pages (${ocr.pages} one-page scans at ${parseConfig({}).ocrDpi} dpi, one process): recognition ${ms(ocr.recognizeS)} a page; plain text ${ms(ocr.plainS)} ` +
        `against words from the result iterator ${ms(ocr.wordsS)} + their layout and Markdown ${ms(ocr.layoutS)}: ` +
        `+${((100 * (ocr.wordsS + ocr.layoutS - ocr.plainS)) / ocr.recognizeS).toFixed(1)} % of the recognition (the first page's includes the engine's warm-up)`,
    ],
  };
}
