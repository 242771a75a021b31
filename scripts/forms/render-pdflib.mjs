/**
 * Draws a display list with pdf-lib: text in the text layer, boxes as `re` paths or as form
 * XObjects, circles as pdf-lib's four Béziers.
 */
import {
  closePath, concatTransformationMatrix, drawObject, lineTo, moveTo, popGraphicsState, pushGraphicsState, rgb,
  setLineCap, setLineJoin, setLineWidth, setStrokingRgbColor, stroke,
} from 'pdf-lib';
import { embedFonts } from './common.mjs';

const color = (c) => rgb(c[0], c[1], c[2]);

/** One form XObject per box size and line width, as a form-building tool would reuse it. */
function boxXObject(doc, page, cache, w, h, lw) {
  const key = `${w}x${h}@${lw}`;
  if (!cache.has(key)) {
    const half = lw / 2;
    const ops = [
      setLineWidth(lw), moveTo(half, half), lineTo(w - half, half), lineTo(w - half, h - half), lineTo(half, h - half), closePath(), stroke(),
    ];
    cache.set(key, doc.context.register(doc.context.formXObject(ops, { BBox: [0, 0, w, h] })));
  }
  return page.node.newXObject('Box', cache.get(key));
}

function drawPoly(page, op, H) {
  const ops = [pushGraphicsState(), setLineWidth(op.lw), setStrokingRgbColor(...op.color)];
  if (op.round) ops.push(setLineCap(1), setLineJoin(1));
  op.pts.forEach(([x, y], i) => ops.push(i ? lineTo(x, H - y) : moveTo(x, H - y)));
  ops.push(stroke(), popGraphicsState());
  page.pushOperators(...ops);
}

function drawOp(ctx, op) {
  const { doc, page, fonts, H, cache } = ctx;
  if (op.op === 'text') {
    page.drawText(op.text, { x: op.x, y: H - op.y, size: op.size, font: fonts[op.font], color: color(op.color) });
  } else if (op.op === 'rect' && op.xobject) {
    const [l, t, r, b] = op.box;
    const name = boxXObject(doc, page, cache, r - l, b - t, op.lw);
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(1, 0, 0, 1, l, H - b), drawObject(name), popGraphicsState());
  } else if (op.op === 'rect') {
    const [l, t, r, b] = op.box;
    page.drawRectangle({
      x: l, y: H - b, width: r - l, height: b - t,
      ...(op.stroke ? { borderWidth: op.lw, borderColor: color(op.color) } : {}),
      ...(op.fill ? { color: color(op.color) } : {}),
    });
  } else if (op.op === 'circle') {
    page.drawEllipse({
      x: op.cx, y: H - op.cy, xScale: op.r, yScale: op.r,
      ...(op.stroke ? { borderWidth: op.lw, borderColor: color(op.color) } : {}),
      ...(op.fill ? { color: color(op.color) } : {}),
    });
  } else if (op.op === 'poly') drawPoly(page, op, H);
  else throw new Error(`unknown op ${op.op}`);
}

/** Adds the pages' ops (those `keep` accepts) to `doc`; returns the pdf-lib pages. */
export async function drawPages(doc, pages, keep = () => true) {
  const used = pages.flatMap((p) => p.ops.filter((op) => op.op === 'text' && keep(op)).map((op) => op.font));
  const fonts = await embedFonts(doc, used);
  const cache = new Map();
  return pages.map((p) => {
    const page = doc.addPage([p.width, p.height]);
    const ctx = { doc, page, fonts, H: p.height, cache };
    for (const op of p.ops) if (keep(op)) drawOp(ctx, op);
    return page;
  });
}
