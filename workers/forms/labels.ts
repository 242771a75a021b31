/**
 * Form fields' labels, from the text around them on the page. Check boxes and radio buttons take
 * the text right after them as their label when every box on the line has some ("[x] Yes  [ ] No"),
 * else the text before; text and choice fields take the text before them, or the short line above.
 */
import type { FormField } from '../../src/protocol.js';
import type { Line } from '../layout/types.js';

/** A line alone above a field, this short, is the field's label. */
const MAX_LABEL_WORDS = 8;

/** A piece of a line holding form fields: a field, or the run of words between two. */
export type Segment = { field: FormField } | { text: string };

export interface LineLabels {
  segments: Segment[];
  /** By segment, the label of each box, text and choice field ('' where none was found). */
  labels: Map<number, string>;
  /** The text segments taken as labels. */
  used: Set<number>;
  /** Whether the line above was taken as a label. */
  usedAbove: boolean;
}

/** The label the lines of a paragraph give a field just below them: a short line alone ('' otherwise). */
export function labelAbove(paragraph: Line[]): string {
  return paragraph.length === 1 && paragraph[0]!.tokens.length <= MAX_LABEL_WORDS ? paragraph[0]!.text : '';
}

export function isBox(s: Segment | undefined): boolean {
  return s !== undefined && 'field' in s && (s.field.type === 'checkbox' || s.field.type === 'radio');
}

/** The labels of a line's fields; `above` is the label the line above offers (see labelAbove), taken once at most. */
export function lineLabels(line: Line, above: string): LineLabels {
  const segments = segmentsOf(line);
  const boxes = segments.map((s, i) => (isBox(s) ? i : -1)).filter((i) => i >= 0);
  const rightLabels = boxes.length > 0 && boxes.every((i) => segments[i + 1] !== undefined && 'text' in segments[i + 1]!);
  const used = new Set<number>();
  const labels = new Map<number, string>();
  let usedAbove = false;
  const labelAt = (i: number): string => {
    const s = segments[i];
    if (s && 'text' in s && !used.has(i)) {
      used.add(i);
      return s.text.trim();
    }
    return '';
  };
  const takeAbove = (): string => {
    if (!above || usedAbove) return '';
    usedAbove = true;
    return above;
  };
  segments.forEach((s, i) => {
    if (!('field' in s)) return;
    if (isBox(s)) labels.set(i, rightLabels ? labelAt(i + 1) : labelAt(i - 1) || takeAbove());
    else if (s.field.type === 'text' || s.field.type === 'choice') labels.set(i, (labelAt(i - 1) || takeAbove()).replace(/:\s*$/, ''));
  });
  return { segments, labels, used, usedAbove };
}

function segmentsOf(line: Line): Segment[] {
  const segments: Segment[] = [];
  for (const token of line.tokens) {
    const last = segments.at(-1);
    if (token.field) segments.push({ field: token.field });
    else if (last && 'text' in last) last.text += ` ${token.text}`;
    else segments.push({ text: token.text });
  }
  return segments;
}
