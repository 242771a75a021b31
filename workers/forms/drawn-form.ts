import type { PDFPageProxy } from '../pdf/pdfjs.js';
import type { PageView } from '../page/page-view.js';
import type { PageForm } from './page-form.js';

/** The check boxes, radio buttons and answer boxes a text-layer page draws (vector paths, glyphs, form XObjects). */
export async function drawnForm(_page: PDFPageProxy, _view: PageView): Promise<PageForm> {
  return { marks: [], answerBoxes: [] };
}
