/**
 * The scanned forms' marks and answer boxes read from the page image the child hands to OCR
 * (workers/image/page-image.ts on the scans of test/forms), against their ground truth: each
 * mark's state and box (± 4 pt), no mark on the control and report pages, and no ink left on a
 * mark once scanForm has erased it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bbox } from '../src/protocol.js';
import { scanForm } from '../workers/forms/scan-form.js';
import type { PageForm } from '../workers/forms/page-form.js';
import { pageImage } from '../workers/image/page-image.js';
import type { GrayImage } from '../workers/image/pixels.js';
import { StageClock } from '../workers/output/profile.js';
import { JpegScans } from '../workers/pdf/jpeg-scan.js';
import { openPdf } from '../workers/pdf/pdf.js';

const DIR = path.resolve('test/forms');
const MAX_PIXELS = 12_000_000;
/** A found box within this many points of the printed one (each edge). */
const BOX_SLACK = 4;

interface TruthMark {
  box: Bbox;
  state: boolean;
  shape: 'square' | 'circle';
  style: string;
}
interface Truth {
  kind: 'form' | 'control' | 'report';
  pages: Array<{ page: number; marks: TruthMark[]; answers: Array<{ box: Bbox }> }>;
}
interface IndexEntry {
  file: string;
  truth: string;
  kind: string;
  variant: string;
  dpi?: number;
  mode?: string;
}

const scans = (JSON.parse(readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { files: IndexEntry[] }).files.filter((f) => f.variant === 'scan');

/** Each page's image as the child builds it for OCR at `dpi`. */
async function pageImages(file: string, dpi: number): Promise<GrayImage[]> {
  const jpegs = JpegScans.open(file);
  const doc = await openPdf(file, undefined, MAX_PIXELS);
  try {
    const images: GrayImage[] = [];
    for (let p = 1; p <= doc.numPages; p++) images.push(await pageImage(await doc.getPage(p), { dpi, maxPixels: MAX_PIXELS }, new StageClock(), jpegs));
    return images;
  } finally {
    jpegs?.close();
    await doc.destroy();
  }
}

function near(a: Bbox, b: Bbox): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= BOX_SLACK);
}

/** Dark pixels left in a page-point box of the image. */
function inkLeft(image: GrayImage, box: Bbox): number {
  const [a, , , d, e, f] = image.placement;
  const x0 = Math.max(0, Math.floor((box[0] - e) / a));
  const x1 = Math.min(image.width, Math.ceil((box[2] - e) / a));
  const y0 = Math.max(0, Math.floor((box[1] - f) / d));
  const y1 = Math.min(image.height, Math.ceil((box[3] - f) / d));
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (image.pixels[y * image.width + x]! < 128) n++;
  return n;
}

interface Score {
  file: string;
  marks: number;
  right: number;
  wrongState: string[];
  missed: string[];
  falseMarks: Bbox[];
  answers: number;
  answersFound: number;
  /** Answer boxes found where the truth has none (a box drawn around a printed word, on the controls). */
  answersExtra: number;
  inkLeft: number;
  ms: number;
}

function score(file: string, truth: Truth, forms: PageForm[], erased: GrayImage[], ms: number): Score {
  const s: Score = { file, marks: 0, right: 0, wrongState: [], missed: [], falseMarks: [], answers: 0, answersFound: 0, answersExtra: 0, inkLeft: 0, ms };
  truth.pages.forEach((page, p) => {
    const found = [...forms[p]!.marks];
    for (const mark of page.marks) {
      s.marks++;
      const at = found.findIndex((m) => near(m.bbox, mark.box) && m.shape === mark.shape);
      if (at < 0) {
        s.missed.push(`${mark.style} ${mark.shape} [${mark.box.map(Math.round).join(',')}]`);
        continue;
      }
      const [m] = found.splice(at, 1);
      s.inkLeft += inkLeft(erased[p]!, mark.box);
      if (m!.checked === mark.state) s.right++;
      else s.wrongState.push(`${mark.style} [${mark.box.map(Math.round).join(',')}] share conf ${m!.confidence}`);
    }
    s.falseMarks.push(...found.map((m) => m.bbox));
    s.answers += page.answers.length;
    s.answersFound += page.answers.filter((a) => forms[p]!.answerBoxes.some((b) => near(b, a.box))).length;
    s.answersExtra += forms[p]!.answerBoxes.filter((b) => !page.answers.some((a) => near(b, a.box))).length;
  });
  return s;
}

const scores: Score[] = [];
afterAll(() => {
  const rows = scores.map((s) => `${s.file.padEnd(40)} marks ${s.right}/${s.marks}  false ${s.falseMarks.length}  answers ${s.answersFound}/${s.answers} (+${s.answersExtra})  ${s.ms.toFixed(1)} ms  ${[...s.missed.map((m) => `missed ${m}`), ...s.wrongState, ...s.falseMarks.map((b) => `false mark [${b.map(Math.round).join(',')}]`)].join('; ')}`);
  console.log(['scanForm on the scanned forms (child path, 200 dpi):', ...rows].join('\n'));
});

describe('scanForm on the scanned forms corpus', () => {
  it.each(scans.map((f) => [f.file, f] as const))('%s', async (_name, entry) => {
    const truth = JSON.parse(readFileSync(path.join(DIR, entry.truth), 'utf8')) as Truth;
    const images = await pageImages(path.join(DIR, entry.file), 200);
    const before = process.cpuUsage();
    const forms = images.map((image) => scanForm(image));
    const used = process.cpuUsage(before);
    const s = score(entry.file, truth, forms, images, (used.user + used.system) / 1000 / images.length);
    scores.push(s);
    if (truth.kind !== 'form') expect(s.falseMarks, 'false marks').toEqual([]);
    expect(s.inkLeft, 'ink left on erased marks').toBe(0);
  });

  it('reads at least 98 % of all the marks right', () => {
    const marks = scores.reduce((n, s) => n + s.marks, 0);
    const right = scores.reduce((n, s) => n + s.right, 0);
    expect(marks).toBeGreaterThan(0);
    expect(right / marks).toBeGreaterThanOrEqual(0.98);
  });
});
