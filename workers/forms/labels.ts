/**
 * Form fields' labels and questions, from the text around them on the page. Check boxes and radio
 * buttons take the text right after them as their label when every box on the line has some
 * ("[x] Yes  [ ] No"), else the text before ("Yes [x]  No [ ]"); text and choice fields take the
 * text before them, or the short line above. A box's question is the text on its line before
 * the options, or the line above when the options stand on a line of their own.
 */
import type { FormField } from '../../src/protocol.js';
import { overlap } from '../layout/geometry.js';
import type { Line } from '../layout/types.js';

/** A line alone above a field, this short, is the field's label. */
const MAX_LABEL_WORDS = 8;
/** A line above ending as a question does (`?`, `:`) is one up to this long. */
const MAX_QUESTION_WORDS = 16;
/** The line above a field's line is its neighbour when no farther than this (em of the field's line). */
const ABOVE_GAP_EM = 2.5;
/** Words on a field's line parted by more than this (em) are apart: a question, then an option's word. */
const SEGMENT_GAP_EM = 1.0;

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
  /** The question of the line's boxes ('' when none was found, or the line has no box). */
  question: string;
}

/** The label the lines of a paragraph give a field just below them: a short line alone ('' otherwise). */
export function labelAbove(paragraph: Line[]): string {
  return paragraph.length === 1 && paragraph[0]!.tokens.length <= MAX_LABEL_WORDS ? paragraph[0]!.text : '';
}

/**
 * What the line right above a field line, in another block, offers it: the label of a field with
 * none on its own line, or the question of options standing alone on theirs. '' unless `above`
 * is right above `line`, over it, without fields, and short or ending as a question does.
 */
export function offeredAbove(above: Line | null, line: Line): string {
  if (!above || above.tokens.some((t) => t.field)) return '';
  const gap = line.bbox[1] - above.bbox[3];
  if (gap < -0.25 * line.size || gap > ABOVE_GAP_EM * line.size || overlap([above.bbox[0], above.bbox[2]], [line.bbox[0], line.bbox[2]]) <= 0) return '';
  const words = above.tokens.length;
  return words <= MAX_LABEL_WORDS || (/[?:]$/.test(above.text) && words <= MAX_QUESTION_WORDS) ? above.text : '';
}

export function isBox(s: Segment | undefined): boolean {
  return s !== undefined && 'field' in s && (s.field.type === 'checkbox' || s.field.type === 'radio');
}

/**
 * The labels of a line's fields; `above` is the label the line above offers (see labelAbove),
 * taken once at most; `asked` the question it offers options alone on this line.
 */
export function lineLabels(line: Line, above: string, asked = ''): LineLabels {
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
  return { segments, labels, used, usedAbove, question: boxes.length > 0 ? questionOf(segments, boxes, used, asked) : '' };
}

/**
 * The text before the first box and its option's words (those no field took), or else, for a
 * row of options, the question the line above asked. A lone box's own words are its label, not
 * a question.
 */
function questionOf(segments: Segment[], boxes: number[], used: Set<number>, asked: string): string {
  const before: string[] = [];
  for (let i = 0; i < boxes[0]!; i++) {
    const s = segments[i]!;
    if ('text' in s && !used.has(i)) before.push(s.text.trim());
  }
  const question = before.length > 0 ? before.join(' ') : boxes.length > 1 ? asked : '';
  return question.replace(/:\s*$/, '');
}

/** The line's fields, and its runs of words between them, a run cut where its words stand apart. */
function segmentsOf(line: Line): Segment[] {
  const segments: Segment[] = [];
  for (const [i, token] of line.tokens.entries()) {
    const last = segments.at(-1);
    const previous = line.tokens[i - 1];
    const apart = previous !== undefined && token.bbox[0] - previous.bbox[2] > SEGMENT_GAP_EM * Math.max(previous.size, token.size);
    if (token.field) segments.push({ field: token.field });
    else if (last && 'text' in last && !apart) last.text += ` ${token.text}`;
    else segments.push({ text: token.text });
  }
  return segments;
}
