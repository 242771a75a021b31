/**
 * What fidelity (issue 12) costs on text pages, and on OCR pages: the child's own compiled code
 * run each way over the same pages by fidelity-pass.ts (its TextWays). Each reading is a fresh process started
 * as the Supervisor starts a child (its node flags and env), so its CPU is cold as a child's is
 * and its peak memory is its own. In one long-lived process neither held: memory that earlier
 * readings left resident hid the difference (the same reading's extra peak read −0.2 to +10 MB
 * from one repetition to the next), and pdfjs's legacy build installs core-js polyfills in the
 * process that loads it (workers/pdf/pdfjs.ts puts only push and JSON.stringify back), which would
 * have slowed the bench process itself.
 */
import path from 'node:path';
import type { ChildRead } from '../harness/child.js';
import { ROOT } from '../harness/service.js';
import { median } from '../src/stats.js';
import { parseConfig } from '../src/config.js';
import { childEnv, childNodeFlags } from '../src/jobs/supervisor.js';
import type { BenchContext, Row } from './case.js';
import type { OcrPass, TextPass } from './fidelity-pass.js';
import { TEXT_WAYS, type TextWay } from './fidelity-ways.js';
import { runCommand } from './reference.js';

const PASS = path.join(ROOT, 'dist/bench/fidelity-pass.js');
/** Readings of each document each way; the median is kept (with 3, the ratio swung ±0.06 between runs of one build). */
const RUNS = 5;
/** Issue 12's targets: words and Markdown add under 10 % time and under 10 MB to plain text. */
const TARGET = { share: 0.1, mb: 10 };

async function pass<T>(args: string[]): Promise<T> {
  const r = await runCommand(process.execPath, [...childNodeFlags(parseConfig({}).childMemoryMb), PASS, ...args], childEnv());
  if (r.code !== 0) throw new Error(`fidelity-pass ${args.join(' ')} exited with ${r.code}: ${r.stderr.slice(-1000)}`);
  return JSON.parse(r.stdout) as T;
}

/** Each figure of a pass, the median over the runs. */
function medians(passes: TextPass[]): TextPass {
  const m = (key: keyof TextPass) => median(passes.map((p) => p[key]));
  return { cpuS: m('cpuS'), fidelityS: m('fidelityS'), messageS: m('messageS'), peakMb: m('peakMb'), pages: m('pages') };
}

interface DocumentCost {
  file: string;
  /** Each way's medians. */
  ways: Record<TextWay, TextPass>;
  /** Every reading, for the JSON details. */
  runs: Record<TextWay, TextPass[]>;
}

async function documentCost(file: string): Promise<DocumentCost> {
  const runs = { layer: [], text: [], full: [] } as Record<TextWay, TextPass[]>;
  // Interleaved, so that a slower minute of the machine falls on every way alike.
  for (let i = 0; i < RUNS; i++) for (const way of TEXT_WAYS) runs[way].push(await pass<TextPass>(['text', file, way]));
  return { file, ways: { layer: medians(runs.layer), text: medians(runs.text), full: medians(runs.full) }, runs };
}

/** What `to` added over `from`: the whole readings' difference, CPU s. */
const extraS = (d: DocumentCost, from: TextWay, to: TextWay) => d.ways[to].cpuS - d.ways[from].cpuS;
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
const percent = (part: number, whole: number) => `${signed((100 * part) / whole, 0)} %`;

/**
 * The cost row, on text documents the real child has read (in the fidelity case): its CPU per
 * page and owned peak, as the service runs it, are quoted beside. Issue 12's target is on "the
 * extra time and child memory of producing words and Markdown versus plain text": the plain
 * text the API promises, in reading order (the `text` way), is the reference. What reading
 * order itself costs over the layer's text in pdfjs's order, as the child read it before issue
 * 12 (`layer`), is in the notes, and so is the whole of it.
 */
export async function fidelityCostRow(ctx: BenchContext, children: { file: string; read: ChildRead }[], scans: string[]): Promise<Row> {
  const docs: DocumentCost[] = [];
  for (const { file } of children) {
    ctx.log(`fidelity cost: ${path.basename(file)} read ${RUNS}× each way (${TEXT_WAYS.join(', ')}), a fresh process each`);
    docs.push(await documentCost(file));
  }
  ctx.log(`fidelity cost: OCR results read both ways on ${scans.length} scanned pages`);
  const ocr = await pass<OcrPass>(['ocr', ...scans]);
  ctx.details.fidelityCost = { docs, ocr };

  const total = (way: TextWay) => docs.reduce((sum, d) => sum + d.ways[way].cpuS, 0);
  const [layerS, textS, fullS] = [total('layer'), total('text'), total('full')];
  const share = (fullS - textS) / textS;
  const extraMb = (from: TextWay) => Math.max(...docs.map((d) => d.ways.full.peakMb - d.ways[from].peakMb));
  const perDoc = docs.map((d) => {
    const { layer, text, full } = d.ways;
    return (
      `${path.basename(d.file)} (${layer.pages}p): layer ${layer.cpuS.toFixed(2)} → text ${text.cpuS.toFixed(2)} s (${percent(extraS(d, 'layer', 'text'), layer.cpuS)}: words, layout, text ${text.fidelityS.toFixed(2)}) ` +
      `→ full ${full.cpuS.toFixed(2)} s (${percent(extraS(d, 'text', 'full'), text.cpuS)}; all of it ${full.fidelityS.toFixed(2)}, the larger message ${signed(full.messageS - text.messageS, 3)}); ` +
      `peak RSS ${layer.peakMb.toFixed(1)} → ${text.peakMb.toFixed(1)} → ${full.peakMb.toFixed(1)} MB`
    );
  });
  const child = children.map(({ file, read }) => {
    const profile = read.exit.profile;
    if (!profile) return `${path.basename(file)}: no profile from the child`;
    const perPage = (ms: number) => `${(ms / read.pages.length).toFixed(1)} ms`;
    const extraMs = 1000 * extraS(docs.find((d) => d.file === file)!, 'layer', 'full');
    return (
      `${path.basename(file)} ${perPage(profile.totalCpuMs - profile.cpuMs.startup)} CPU a page after start-up (text stage ${perPage(profile.cpuMs.text)}), ` +
      `${(profile.totalCpuMs / 1000).toFixed(2)} s the whole job (start-up included), ${percent(extraMs, profile.totalCpuMs - extraMs)} over the layer's text alone; owned peak ${read.exit.peakMemoryMb} MB`
    );
  });
  const ms = (s: number) => `${((1000 * s) / ocr.pages).toFixed(0)} ms`;
  return {
    case: 'fidelity: cost (text pages)',
    oursS: fullS,
    referenceS: textS,
    ratio: fullS / textS,
    peakPssMb: null,
    peakMemoryMb: null,
    target: `≤ ${1 + TARGET.share}× CPU, ≤ +${TARGET.mb} MB peak`,
    pass: share <= TARGET.share && extraMb('text') <= TARGET.mb,
    notes: [
      `CPU s of the child's code reading ${docs.reduce((n, d) => n + d.ways.layer.pages, 0)} text pages (fidelity-pass.js, a fresh process per reading as a child is, median of ${RUNS}, the ways interleaved): ` +
        `reference = the plain text the API promises: getTextContent, the words' boxes from the fitted font metrics, the layout, the text in reading order, the page's message; ` +
        `ours = that + the glyph widths learned for the boxes, Markdown, the packed words and the larger message (fitted to its share, serialised): ${percent(fullS - textS, textS)}, peak RSS up to ${signed(extraMb('text'), 1)} MB`,
      `reading order's own cost, over the layer's text in pdfjs's order as the child read it before issue 12: ${percent(textS - layerS, layerS)}; all of issue 12 on text pages (full over layer): ` +
        `${percent(fullS - layerS, layerS)} CPU, peak RSS up to ${signed(extraMb('layer'), 1)} MB`,
      ...perDoc,
      `the real child (this case's reads, fidelity on): ${child.join('; ')}`,
      `not in the figure: the parent's share of the larger message (JSON over IPC, its check and storage)`,
      `OCR pages (${ocr.pages} one-page scans at ${parseConfig({}).ocrDpi} dpi, one process): recognition ${ms(ocr.recognizeS)} a page; plain text ${ms(ocr.plainS)} ` +
        `against words from the result iterator ${ms(ocr.wordsS)} + their layout and Markdown ${ms(ocr.layoutS)}: ` +
        `+${((100 * (ocr.wordsS + ocr.layoutS - ocr.plainS)) / ocr.recognizeS).toFixed(1)} % of the recognition (the first page's includes the engine's warm-up)`,
    ],
  };
}
