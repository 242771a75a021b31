import type { Bbox, FormField } from '../../src/protocol.js';

export interface Token {
  /** The word; '' for a form field. */
  text: string;
  bbox: Bbox;
  /** Font size in points (text layer) or its estimate from the line height (OCR). */
  size: number;
  confidence?: number;
  field?: FormField;
  /** OCR: the engine's text line, numbered across the page. */
  line?: number;
  /** Quarter turns clockwise of the word's baseline on the displayed page. */
  turns?: 0 | 1 | 2 | 3;
  /** Text layer: set in a face other than the body's (bold, italic; see text/emphasis.ts). */
  emphasis?: boolean;
}

export interface Line {
  tokens: Token[];
  bbox: Bbox;
  size: number;
  /** The line as text, form fields as they read inline (see fieldText). */
  text: string;
  /** Every word of it is set in emphasis. */
  emphasis: boolean;
}

export type Block =
  | { kind: 'text'; lines: Line[]; bbox: Bbox; size: number }
  /** Rows of cells, header row first; a cell is null where a row has nothing in that column. */
  | { kind: 'table'; rows: (Line | null)[][]; bbox: Bbox; size: number };
