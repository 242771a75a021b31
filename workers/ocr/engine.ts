import type { OcrEngineChoice } from '../../src/protocol.js';
import type { GrayImage } from '../image/pixels.js';
import { NativeOcr } from './native-engine.js';
import { Ocr, type OcrModelRef, type OcrText } from './ocr.js';

/** What a page's OCR needs of an engine; the WebAssembly and the native one read the same words. */
export interface OcrEngine {
  /** Loads what every page shares (the WebAssembly and its model); timed apart from the pages. */
  start(): Promise<unknown>;
  recognize(image: GrayImage): Promise<OcrText>;
  close(): void;
}

/** The engine the parent chose for this child (config.ts: OCR_ENGINE). */
export function createOcr(choice: OcrEngineChoice, lang: string, model: OcrModelRef): OcrEngine {
  return choice.kind === 'native' ? new NativeOcr(choice.binary, lang, model.dir) : new Ocr(lang, model);
}
