/**
 * The `scan` variant: each page rasterised by poppler's pdftoppm, turned by a small skew,
 * blurred a little and dusted on some, then stored as gray JPEG, colour JPEG (on off-white
 * paper) or 1-bit (Flate, no CCITT/JBIG2) and wrapped by pdf-lib as an image-only PDF whose
 * page is the scan's size (pixels × 72 / dpi). The ground truth's boxes go through the same
 * rotation: each box becomes the axis-aligned box around its four turned corners, in the
 * points of the scan's page (origin top-left).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { concatTransformationMatrix, drawObject, PDFName, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import sharp from 'sharp';
import { newDoc, round, roundBox } from './common.mjs';

export const JPEG_QUALITY = 75;

function rasterise(pdf, dpi, gray) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'forms-scan-'));
  try {
    writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), ...(gray ? ['-gray'] : []), '-png', 'in.pdf', 'p'], { cwd: dir, stdio: 'pipe' });
    const n = Number(execFileSync('pdfinfo', ['in.pdf'], { cwd: dir }).toString().match(/Pages:\s+(\d+)/)[1]);
    const width = String(n).length;
    return Array.from({ length: n }, (_, i) => readFileSync(path.join(dir, `p-${String(i + 1).padStart(width, '0')}.png`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Raw pixels of `image` with `channels` channels: sharp turns a one-channel raw input into
 * sRGB on rotate() and extract(), so a gray image is brought back to one channel.
 */
async function raw(image, channels) {
  const { data, info } = await (channels === 1 ? image.toColourspace('b-w') : image).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`image has ${info.channels} channels, expected ${channels}`);
  return { data, width: info.width, height: info.height };
}

/** Rotates by `angle` degrees (clockwise as seen) about the centre, keeping the page's size. */
async function skew(png, angle, channels) {
  const page = await raw(sharp(png).removeAlpha(), channels);
  const { width, height } = page;
  if (!angle) return { ...page, map: (x, y) => [x, y] };
  const rawIn = (img) => ({ raw: { width: img.width, height: img.height, channels } });
  const rot = await raw(sharp(page.data, rawIn(page)).rotate(angle, { background: '#ffffff' }), channels);
  const left = Math.round((rot.width - width) / 2);
  const top = Math.round((rot.height - height) / 2);
  const out = await raw(sharp(rot.data, rawIn(rot)).extract({ left, top, width, height }), channels);
  const [c, s] = [Math.cos((angle * Math.PI) / 180), Math.sin((angle * Math.PI) / 180)];
  const [cx, cy, cx2, cy2] = [width / 2, height / 2, rot.width / 2, rot.height / 2];
  const map = (x, y) => [cx2 + (x - cx) * c - (y - cy) * s - left, cy2 + (x - cx) * s + (y - cy) * c - top];
  return { ...out, map };
}

/** Dark specks (and a hair now and then) of `count`, away from `avoid` boxes (pixels). */
function dust(img, channels, rnd, count, avoid, maxR) {
  const specks = [];
  while (specks.length < count) {
    const x = rnd.range(20, img.width - 20);
    const y = rnd.range(20, img.height - 20);
    if (avoid.some(([l, t, r, b]) => x > l && x < r && y > t && y < b)) continue;
    const r = rnd.range(0.6, maxR);
    const len = rnd.chance(0.15) ? rnd.range(6, 24) : 0;
    const dx = rnd.range(-1, 1);
    for (let k = 0; k <= len; k++) {
      const px = x + k * dx;
      const py = y + k;
      for (let yy = Math.floor(py - r); yy <= py + r; yy++)
        for (let xx = Math.floor(px - r); xx <= px + r; xx++)
          if (xx >= 0 && yy >= 0 && xx < img.width && yy < img.height && (xx - px) ** 2 + (yy - py) ** 2 <= r * r) for (let ch = 0; ch < channels; ch++) img.data[(yy * img.width + xx) * channels + ch] = 40;
    }
    specks.push([x, y, r, len]);
  }
  return specks;
}

function bilevel(img) {
  const rowBytes = Math.ceil(img.width / 8);
  const bits = Buffer.alloc(rowBytes * img.height, 0);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) if (img.data[y * img.width + x] >= 150) bits[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
  return deflateSync(bits, { level: 9 });
}

async function encode(img, mode, blur) {
  const channels = mode === 'rgb-jpeg' ? 3 : 1;
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels } });
  if (blur) s = s.blur(blur);
  if (mode === 'rgb-jpeg') s = s.linear([0.99, 0.97, 0.91], [0, 0, 0]); // off-white paper
  if (mode === 'bilevel') return bilevel(await raw(s, 1));
  return (channels === 1 ? s.toColourspace('b-w') : s).jpeg({ quality: JPEG_QUALITY }).toBuffer();
}

async function addImagePage(doc, bytes, mode, width, height, dpi) {
  const page = doc.addPage([(width * 72) / dpi, (height * 72) / dpi]);
  if (mode !== 'bilevel') {
    const image = await doc.embedJpg(bytes);
    page.drawImage(image, { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });
    return page;
  }
  const stream = doc.context.stream(bytes, {
    Type: 'XObject', Subtype: 'Image', Width: width, Height: height, ColorSpace: 'DeviceGray', BitsPerComponent: 1, Filter: 'FlateDecode',
  });
  const name = page.node.newXObject('Im', doc.context.register(stream));
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(page.getWidth(), 0, 0, page.getHeight(), 0, 0), drawObject(name), popGraphicsState());
  return page;
}

/** Moves every box of a page's ground truth through `toScan` (points → points). */
function mapTruth(page, toScan) {
  const box = ([l, t, r, b]) => {
    const pts = [toScan(l, t), toScan(r, t), toScan(l, b), toScan(r, b)];
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    return roundBox([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
  };
  const withBox = (o) => ({ ...o, box: box(o.box), ...(o.labelBox ? { labelBox: box(o.labelBox) } : {}) });
  return {
    marks: page.marks.map(withBox), answers: page.answers.map(withBox), headings: (page.headings ?? []).map(withBox),
    tables: (page.tables ?? []).map((t) => ({ ...withBox(t), cells: t.cells.map(withBox) })),
  };
}

/**
 * Scans `pdf` (whose pages' truth is `pages`) with `opts` {dpi, mode, pageOpts: [{skew, blur,
 * dust, dustMax}]}; returns the image-only PDF and the truth of its pages.
 */
export async function scan(pdf, pages, { dpi, mode, pageOpts, rnd, avoidMarks = true }) {
  const doc = await newDoc(`scan ${dpi} dpi ${mode}`);
  const truth = [];
  const pngs = rasterise(pdf, dpi, mode !== 'rgb-jpeg');
  for (const [i, png] of pngs.entries()) {
    const o = pageOpts[i % pageOpts.length];
    const channels = mode === 'rgb-jpeg' ? 3 : 1;
    const img = await skew(png, o.skew, channels);
    const k = dpi / 72;
    const toScan = (x, y) => img.map(x * k, y * k).map((v) => v / k);
    const mapped = mapTruth(pages[i], toScan);
    const margin = 5 * k;
    const avoid = avoidMarks ? [...mapped.marks, ...mapped.answers, ...mapped.tables, ...mapped.headings].map(({ box: [l, t, r, b] }) => [l * k - margin, t * k - margin, r * k + margin, b * k + margin]) : [];
    const specks = o.dust ? dust(img, channels, rnd, o.dust, avoid, (o.dustMax ?? 1.2) * k) : [];
    await addImagePage(doc, await encode(img, mode, o.blur), mode, img.width, img.height, dpi);
    truth.push({
      width: round((img.width * 72) / dpi), height: round((img.height * 72) / dpi), skew: o.skew, blur: o.blur,
      dust: specks.map(([x, y, r, len]) => [round(x / k), round(y / k), round(r / k), round(len / k)]),
      ...mapped,
    });
  }
  return { bytes: await doc.save(), truth };
}
