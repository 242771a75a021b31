/**
 * Lays a form spec out on its pages: a display list both renderers draw (pdf-lib and
 * PostScript), and the ground truth of what it shows. Coordinates are PDF points from the
 * top-left corner of the page (the API's `bbox` convention); the renderers flip y.
 *
 * Each op has a `role`: `static` (printed text and rules), `outline` (a mark's box or an
 * answer box), `ink` (what the hand or the software added in a box), `value` (a typed
 * answer). The flattened variant draws `static` (and `outline` on the PostScript forms) and
 * lets AcroForm widgets draw the rest.
 */
import { metrics, rng, roundBox } from './common.mjs';

const MARGIN = 54;
const INK = [0.05, 0.1, 0.45]; // a blue-black ballpoint
const BLACK = [0, 0, 0];
/** DejaVu Sans ☐: the square spans x 184..1653 and y 0..1493 of 2048 units. */
const DINGBAT_BOX = { minX: 184 / 2048, width: 1469 / 2048 };

/** The ink of a ticked box, as display-list ops (role `ink`). */
export function inkOps(style, shape, [l, t, r, b], rnd) {
  const w = r - l;
  const h = b - t;
  const at = (fx, fy) => [l + fx * w, t + fy * h];
  const jitter = (p) => [p[0] + rnd.range(-0.06, 0.06) * w, p[1] + rnd.range(-0.06, 0.06) * h];
  switch (style) {
    case 'check-path':
      return [{ op: 'poly', pts: [at(0.2, 0.55), at(0.42, 0.8), at(0.82, 0.18)], lw: Math.max(0.8, w * 0.12), color: BLACK }];
    case 'ballot-x': {
      const lw = Math.max(0.7, w * 0.09);
      return [
        { op: 'poly', pts: [at(0.18, 0.18), at(0.82, 0.82)], lw, color: BLACK },
        { op: 'poly', pts: [at(0.82, 0.18), at(0.18, 0.82)], lw, color: BLACK },
      ];
    }
    case 'fill':
      if (shape === 'circle') return [{ op: 'circle', cx: l + w / 2, cy: t + h / 2, r: w / 2 - 1.2, fill: true, color: BLACK }];
      return [{ op: 'rect', box: [l + 1.2, t + 1.2, r - 1.2, b - 1.2], fill: true, color: BLACK }];
    case 'radio-dot':
      return [{ op: 'circle', cx: l + w / 2, cy: t + h / 2, r: w * 0.24, fill: true, color: BLACK }];
    case 'pen-stroke': {
      // A hurried tick: starts left of the box, dips, and flies past its top-right corner.
      const pts = [at(-0.15, 0.45), at(0.1, 0.62), at(0.32, 0.92), at(0.55, 0.55), at(0.9, 0.05), at(1.25, -0.35), at(1.45, -0.55)].map(jitter);
      return [{ op: 'poly', pts, lw: rnd.range(1.1, 1.6), color: INK, round: true }];
    }
    case 'check-glyph': {
      const ch = rnd.chance(0.5) ? '\u2714' : '\u2713';
      const size = h * 1.05;
      return [{ op: 'text', x: l + w * 0.08, y: b - h * 0.12, text: ch, font: 'Zapf', size, color: BLACK }];
    }
    default:
      throw new Error(`no ink for style ${style}`);
  }
}

/** A mark's box (role `outline`): a path, a form XObject, a PostScript form, or a ☐ glyph. */
function boxOps(spec, shape, box, glyph) {
  const lw = spec.lineWidth;
  if (shape === 'circle') {
    const [l, t, r, b] = box;
    return [{ op: 'circle', cx: (l + r) / 2, cy: (t + b) / 2, r: (r - l) / 2, lw, stroke: true, color: BLACK }];
  }
  if (spec.boxDrawing === 'glyph') {
    const size = (box[2] - box[0]) / DINGBAT_BOX.width;
    return [{ op: 'text', x: box[0] - DINGBAT_BOX.minX * size, y: box[3], text: glyph, font: 'DejaVuSans', size, color: BLACK }];
  }
  return [{ op: 'rect', box, lw, stroke: true, color: BLACK, xobject: spec.boxDrawing === 'xobject', psForm: spec.boxDrawing === 'ps-form' }];
}

/** Draws one mark (box, ink, label) at `x` on the line with baseline `y`; returns its right end. */
function placeMark(ctx, x, y, { label, side, shape, state, question }) {
  const { spec, fonts, rnd, page } = ctx;
  const fs = spec.fontSize;
  const size = rnd.int(spec.boxSize[0], spec.boxSize[1]);
  const labelW = fonts[spec.font].widthOfTextAtSize(label, fs);
  const boxX = side === 'right' ? x : x + labelW + 4;
  const labelX = side === 'right' ? x + size + 4 : x;
  const cy = y - fs * 0.33;
  const box = [boxX, cy - size / 2, boxX + size, cy + size / 2];
  let style = 'empty';
  if (state) style = rnd.pick(spec.styles[shape].filter((s) => spec.boxDrawing === 'glyph' || !s.startsWith('dingbat')));
  const glyph = style === 'dingbat-check' ? '\u2611' : style === 'dingbat-x' ? '\u2612' : '\u2610';
  page.ops.push(...boxOps(spec, shape, box, glyph).map((op) => ({ ...op, role: 'outline' })));
  if (state && !style.startsWith('dingbat')) page.ops.push(...inkOps(style, shape, box, rnd).map((op) => ({ ...op, role: 'ink' })));
  page.ops.push({ op: 'text', x: labelX, y, text: label, font: spec.font, size: fs, color: BLACK, role: 'static' });
  const boxDrawing = shape === 'circle' ? 'path' : spec.boxDrawing;
  page.marks.push({
    box: roundBox(box), state, style, shape, label, labelSide: side, question,
    labelBox: roundBox([labelX, y - fs * 0.75, labelX + labelW, y + fs * 0.22]), boxDrawing,
  });
  return (side === 'right' ? labelX + labelW : box[2]) + 16;
}

function textOp(ctx, x, y, text, font, size) {
  ctx.page.ops.push({ op: 'text', x, y, text, font, size, color: BLACK, role: 'static' });
}

function layQuestion(ctx, item, rowIndex) {
  const { spec, fonts } = ctx;
  const fs = spec.fontSize;
  const pitch = Math.max(spec.boxSize[1], fs) + 9;
  const side = spec.labelSide === 'mixed' ? (rowIndex % 2 ? 'left' : 'right') : spec.labelSide;
  const qW = item.q ? fonts[spec.font].widthOfTextAtSize(item.q, fs) : 0;
  const below = item.below || MARGIN + qW + 8 > spec.optionsX;
  if (item.q) textOp(ctx, MARGIN, ctx.y, item.q, spec.font, fs);
  if (below) ctx.y += pitch;
  let x = below ? MARGIN + 18 : spec.optionsX;
  item.options.forEach((label, i) => {
    x = placeMark(ctx, x, ctx.y, { label, side, shape: item.shape, state: item.chosen.includes(i), question: item.q });
  });
  if (x > ctx.spec.size[0] - 20) throw new Error(`${spec.id}: row "${item.q}" runs off the page`);
  ctx.y += pitch;
}

function layAnswer(ctx, item) {
  const { spec, fonts, page } = ctx;
  const fs = spec.fontSize;
  const labelW = fonts[spec.font].widthOfTextAtSize(item.label, fs);
  textOp(ctx, MARGIN, ctx.y, item.label, spec.font, fs);
  const left = item.pos === 'left' ? MARGIN + labelW + 6 : MARGIN;
  const top = item.pos === 'left' ? ctx.y - fs * 0.75 - 4 : ctx.y + 6;
  const right = item.width ? left + item.width : spec.size[0] - MARGIN;
  const box = [left, top, right, top + fs + 8];
  const baseline = top + 4 + fs * 0.78;
  page.ops.push({ op: 'rect', box, lw: spec.lineWidth, stroke: true, color: BLACK, role: 'outline' });
  if (item.value) page.ops.push({ op: 'text', x: left + 4, y: baseline, text: item.value, font: spec.font, size: fs, color: BLACK, role: 'value' });
  page.answers.push({ box: roundBox(box), label: item.label, labelSide: item.pos, value: item.value });
  ctx.y += (item.pos === 'left' ? 0 : fs + 14) + fs + 14;
}

function layItem(ctx, item, rowIndex) {
  const { spec } = ctx;
  const fs = spec.fontSize;
  if (item.t === 'title') {
    textOp(ctx, MARGIN, ctx.y + 4, item.text, spec.bold, fs + 6);
    ctx.y += fs + 22;
  } else if (item.t === 'section') {
    ctx.y += 4;
    textOp(ctx, MARGIN, ctx.y, item.text, spec.bold, fs + 1);
    ctx.y += fs + 10;
  } else if (item.t === 'text') {
    textOp(ctx, MARGIN, ctx.y, item.text, spec.font, fs);
    ctx.y += fs + 10;
  } else if (item.t === 'q') layQuestion(ctx, item, rowIndex);
  else if (item.t === 'answer') layAnswer(ctx, item);
  else if (item.t === 'check') {
    const pitch = Math.max(spec.boxSize[1], fs) + 9;
    placeMark(ctx, MARGIN, ctx.y, { label: item.label, side: 'right', shape: 'square', state: item.chosen, question: null });
    ctx.y += pitch;
  }
}

/** spec → [{ width, height, ops, marks, answers }] */
export async function layout(spec) {
  const fonts = await metrics();
  const rnd = rng(spec.id.length * 7919 + spec.id.charCodeAt(0));
  return spec.pages.map((items) => {
    const page = { width: spec.size[0], height: spec.size[1], ops: [], marks: [], answers: [] };
    const ctx = { spec, fonts, rnd, page, y: MARGIN + 14 };
    items.forEach((item, i) => layItem(ctx, item, i));
    if (ctx.y > spec.size[1] - 30) throw new Error(`${spec.id}: page overflows (${ctx.y})`);
    return page;
  });
}
