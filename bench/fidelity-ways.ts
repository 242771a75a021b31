/** The ways fidelity-pass.ts reads a text page (its own module: the bench process imports it, and must not start a pass). */

/**
 * How a text page is read:
 * - layer: as the child read it before issue 12: getTextContent and the layer's text, in pdfjs's order;
 * - text: the page's `text` as the API now promises it, in reading order: the words' boxes and
 *   the layout they need, then the text (the boxes from the page's fitted font metrics: the
 *   glyph widths learned over the document serve the words' boxes alone);
 * - full: what the child does: that with the learned widths, and the formats besides `text`:
 *   Markdown and the packed words.
 */
export const TEXT_WAYS = ['layer', 'text', 'full'] as const;
export type TextWay = (typeof TEXT_WAYS)[number];
