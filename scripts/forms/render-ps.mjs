/**
 * Draws a display list as hand-written PostScript and turns it into PDF with ghostscript's
 * ps2pdf: a second generator that draws differently from pdf-lib (URW Type 1 fonts
 * substituted and embedded as subsets, `arc` circles, boxes as `m l l l h` paths, and
 * PostScript forms (`execform`) that pdfwrite turns into form XObjects).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PS_FONTS = {
  Helvetica: 'Helvetica', 'Helvetica-Bold': 'Helvetica-Bold', Times: 'Times-Roman', 'Times-Bold': 'Times-Bold',
  Courier: 'Courier', 'Courier-Bold': 'Courier-Bold',
};
/** ZapfDingbats characters by Unicode (the font's own codes). */
const ZAPF = { '\u2713': '3', '\u2714': '4', '\u2717': '7', '\u2718': '8', '\u25A0': 'n', '\u25CF': 'l', '\u274D': 'm', '\u274F': 'o' };
/** Bytes of the re-encoded text fonts beyond Latin-1 (the WinAnsi positions). */
const EXTRA = { '\u2022': 149, '\u2013': 150, '\u2014': 151 };

const PROLOG = `/reencode { findfont dup length dict begin { 1 index /FID ne { def } { pop pop } ifelse } forall
  /Encoding exch def currentdict end definefont pop } def
/WinLatin ISOLatin1Encoding 256 array copy def
WinLatin 39 /quotesingle put WinLatin 45 /hyphen put WinLatin 96 /grave put
WinLatin 149 /bullet put WinLatin 150 /endash put WinLatin 151 /emdash put
${Object.entries(PS_FONTS).map(([key, name]) => `/F-${key} WinLatin /${name} reencode`).join('\n')}
/F-Zapf /ZapfDingbats findfont definefont pop
`;

const n = (v) => (Math.round(v * 1000) / 1000).toString();

function psString(text, font) {
  let out = '';
  for (const ch of text) {
    const code = font === 'Zapf' ? ZAPF[ch]?.charCodeAt(0) : (EXTRA[ch] ?? ch.codePointAt(0));
    if (code === undefined || code > 255) throw new Error(`PostScript renderer cannot show ${JSON.stringify(ch)} in ${font}`);
    const c = String.fromCharCode(code);
    out += code < 32 || code > 126 ? `\\${code.toString(8).padStart(3, '0')}` : '()\\'.includes(c) ? `\\${c}` : c;
  }
  return `(${out})`;
}

function boxForm(name, w, h, lw) {
  const half = lw / 2;
  return `/${name} << /FormType 1 /BBox [0 0 ${n(w)} ${n(h)}] /Matrix [1 0 0 1 0 0]
  /PaintProc { pop ${n(lw)} setlinewidth 0 setgray newpath ${n(half)} ${n(half)} moveto ${n(w - half)} ${n(half)} lineto
  ${n(w - half)} ${n(h - half)} lineto ${n(half)} ${n(h - half)} lineto closepath stroke } >> def\n`;
}

function opPs(op, H, forms) {
  const rgb = `${op.color.map(n).join(' ')} setrgbcolor`;
  if (op.op === 'text') return `${rgb} /F-${op.font} ${n(op.size)} selectfont ${n(op.x)} ${n(H - op.y)} moveto ${psString(op.text, op.font)} show`;
  if (op.op === 'circle') {
    const paint = op.fill ? 'fill' : `${n(op.lw)} setlinewidth stroke`;
    return `${rgb} newpath ${n(op.cx)} ${n(H - op.cy)} ${n(op.r)} 0 360 arc closepath ${paint}`;
  }
  if (op.op === 'poly') {
    const path = op.pts.map(([x, y], i) => `${n(x)} ${n(H - y)} ${i ? 'lineto' : 'moveto'}`).join(' ');
    return `gsave ${rgb} ${n(op.lw)} setlinewidth ${op.round ? '1 setlinecap 1 setlinejoin ' : ''}newpath ${path} stroke grestore`;
  }
  const [l, t, r, b] = op.box;
  if (op.fill) return `${rgb} ${n(l)} ${n(H - b)} ${n(r - l)} ${n(b - t)} rectfill`;
  if (op.psForm) {
    const key = `Box${forms.size}`;
    const sig = `${n(r - l)} ${n(b - t)} ${op.lw}`;
    if (!forms.has(sig)) forms.set(sig, { name: key, def: boxForm(key, r - l, b - t, op.lw) });
    return `gsave ${n(l)} ${n(H - b)} translate ${forms.get(sig).name} execform grestore`;
  }
  return `${rgb} ${n(op.lw)} setlinewidth newpath ${n(l)} ${n(H - b)} moveto ${n(r)} ${n(H - b)} lineto ${n(r)} ${n(H - t)} lineto ${n(l)} ${n(H - t)} lineto closepath stroke`;
}

/** The PostScript program of `pages` (ops that `keep` accepts). */
export function postscript(pages, keep = () => true) {
  const forms = new Map();
  const body = pages.map((p, i) => {
    const lines = p.ops.filter(keep).map((op) => opPs(op, p.height, forms));
    return `%%Page: ${i + 1} ${i + 1}\n<< /PageSize [${n(p.width)} ${n(p.height)}] >> setpagedevice\n${lines.join('\n')}\nshowpage\n`;
  });
  const formDefs = [...forms.values()].map((f) => f.def).join('');
  return `%!PS-Adobe-3.0\n%%Pages: ${pages.length}\n%%EndComments\n${PROLOG}${formDefs}${body.join('')}%%EOF\n`;
}

/**
 * ps2pdf with the options that make its output the same on every run (no dates, no random
 * document ID, no XMP packet).
 */
export function ps2pdf(ps) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'forms-ps-'));
  try {
    writeFileSync(path.join(dir, 'in.ps'), ps);
    execFileSync('ps2pdf', ['-dOmitInfoDate', '-dOmitID', '-dOmitXMP', '-dCompatibilityLevel=1.5', 'in.ps', 'out.pdf'], { cwd: dir, stdio: 'pipe' });
    return readFileSync(path.join(dir, 'out.pdf'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
