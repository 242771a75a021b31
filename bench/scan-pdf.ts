/**
 * Builds a scanned document for the bench from a corpus PDF instead of committing one: its
 * pages rasterised to JPEGs by Ghostscript (which ocrmypdf installs anyway) and wrapped
 * image-only into a PDF, as a scanner's software would write it. The result is cached by
 * name, so a bench run (or a test reading the same scan) pays for it once.
 */
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusFile, ROOT } from '../harness/service.js';
import { jpegFrame } from '../workers/pdf/jpeg-scan.js';
import { runCommand } from './reference.js';

export interface ScanSpec {
  /** The corpus PDF to rasterise. */
  source: string;
  /** Its first pages only, when set. */
  pages?: number;
  dpi: number;
  /** JPEG quality, 0-100. */
  quality: number;
  color: 'gray' | 'rgb';
}

/** The 44-page report of issue 3: a text book of the corpus scanned in colour at 200 dpi. */
export const REPORT_SCAN: ScanSpec = { source: corpusFile('text/pdkids.pdf'), pages: 44, dpi: 200, quality: 75, color: 'rgb' };
/** Its ground truth: what pdftotext reads on the source's pages 1-44. */
export const REPORT_SCAN_EXPECTED = corpusFile('bench/scanned_report_44p.expected.txt');
/** Issue 15: a typed manual as many scanners write it, 300 dpi gray JPEG. */
export const BOOK_SCAN: ScanSpec = { source: corpusFile('bench/text_book_44p.pdf'), dpi: 300, quality: 75, color: 'gray' };
export const BOOK_SCAN_EXPECTED = corpusFile('bench/text_book_44p.expected.txt');
/** Where built scans are kept (git-ignored). */
export const SCAN_CACHE = path.join(ROOT, 'bench/results/cache');

const DEVICES = { gray: 'jpeggray', rgb: 'jpeg' } as const;

/** The cached scan of `spec`, built first if missing; returns its path. */
export async function scannedPdf(spec: ScanSpec, cacheDir = SCAN_CACHE): Promise<string> {
  const pages = spec.pages ? `_p1-${spec.pages}` : '';
  const name = `${path.basename(spec.source, '.pdf')}${pages}_${spec.dpi}dpi_${spec.color}_q${spec.quality}.pdf`;
  const file = path.join(cacheDir, name);
  if (existsSync(file)) return file;
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scan-'));
  try {
    const range = spec.pages ? ['-dFirstPage=1', `-dLastPage=${spec.pages}`] : [];
    const args = ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', `-sDEVICE=${DEVICES[spec.color]}`, `-r${spec.dpi}`, `-dJPEGQ=${spec.quality}`, ...range];
    const r = await runCommand('gs', [...args, `-sOutputFile=${path.join(dir, 'page-%04d.jpg')}`, spec.source]);
    if (r.code !== 0) throw new Error(`gs could not rasterise ${spec.source}: ${r.stderr.slice(-1000)}`);
    const jpegs = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(dir, f));
    // Written beside the target under a name of this process and renamed, so an interrupted
    // build leaves no half file in the cache and two builds at once do not write one file.
    const partial = `${file}.${process.pid}.partial`;
    writeImagePdf(jpegs, spec.dpi, partial);
    renameSync(partial, file);
    return file;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One page per JPEG, the image filling a page of its size at `dpi`, kept as DCTDecode. */
function writeImagePdf(jpegs: string[], dpi: number, file: string): void {
  const fd = openSync(file, 'w');
  let offset = 0;
  const offsets: number[] = [];
  const write = (data: string | Uint8Array) => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    writeSync(fd, bytes);
    offset += bytes.length;
  };
  const object = (id: number, body: string, stream?: Uint8Array) => {
    offsets[id] = offset;
    write(`${id} 0 obj\n${body}\n`);
    if (stream) {
      write('stream\n');
      write(stream);
      write('\nendstream\n');
    }
    write('endobj\n');
  };
  try {
    write('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
    // Objects: 1 catalog, 2 pages, then per page: page, contents, image.
    const pageId = (i: number) => 3 + i * 3;
    object(1, '<< /Type /Catalog /Pages 2 0 R >>');
    object(2, `<< /Type /Pages /Count ${jpegs.length} /Kids [${jpegs.map((_, i) => `${pageId(i)} 0 R`).join(' ')}] >>`);
    jpegs.forEach((jpegFile, i) => {
      const jpeg = readFileSync(jpegFile);
      const frame = jpegFrame(jpeg);
      if (!frame) throw new Error(`${jpegFile}: not a baseline 8-bit JPEG`);
      const { width, height, components } = frame;
      const colorSpace = components === 1 ? '/DeviceGray' : components === 3 ? '/DeviceRGB' : '/DeviceCMYK';
      const w = ((width / dpi) * 72).toFixed(2);
      const h = ((height / dpi) * 72).toFixed(2);
      const content = Buffer.from(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`, 'latin1');
      const id = pageId(i);
      object(id, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /XObject << /Im0 ${id + 2} 0 R >> >> /Contents ${id + 1} 0 R >>`);
      object(id + 1, `<< /Length ${content.length} >>`, content);
      object(
        id + 2,
        `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace ${colorSpace} /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>`,
        jpeg,
      );
    });
    const xrefAt = offset;
    const count = offsets.length;
    write(`xref\n0 ${count}\n0000000000 65535 f \n`);
    for (let id = 1; id < count; id++) write(`${String(offsets[id]).padStart(10, '0')} 00000 n \n`);
    write(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  } finally {
    closeSync(fd);
  }
}
