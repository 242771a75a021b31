/**
 * Builds a scanned document for the bench from a corpus PDF instead of committing one: every
 * page rasterised in gray to a JPEG (Ghostscript's jpeggray device, which ocrmypdf installs
 * anyway) and wrapped image-only into a PDF, as a scanner's software would write it. The
 * result is cached by name, so a bench run pays for it once.
 */
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jpegFrame } from '../workers/jpeg-scan.js';
import { runCommand } from './reference.js';

export interface ScanSpec {
  /** The corpus PDF to rasterise. */
  source: string;
  dpi: number;
  /** JPEG quality, 0-100. */
  quality: number;
}

/** The cached scan of `spec`, built first if missing; returns its path. */
export async function scannedPdf(spec: ScanSpec, cacheDir: string): Promise<string> {
  const name = `${path.basename(spec.source, '.pdf')}_${spec.dpi}dpi_gray_q${spec.quality}.pdf`;
  const file = path.join(cacheDir, name);
  if (existsSync(file)) return file;
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scan-'));
  try {
    const args = ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=jpeggray', `-r${spec.dpi}`, `-dJPEGQ=${spec.quality}`];
    const r = await runCommand('gs', [...args, `-sOutputFile=${path.join(dir, 'page-%04d.jpg')}`, spec.source]);
    if (r.code !== 0) throw new Error(`gs could not rasterise ${spec.source}: ${r.stderr.slice(-1000)}`);
    const pages = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(dir, f));
    // Written beside the target and renamed, so an interrupted build leaves no half file in the cache.
    const partial = `${file}.partial`;
    writeImagePdf(pages, spec.dpi, partial);
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
