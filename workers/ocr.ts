import { createWorker, OEM, type Worker } from 'tesseract.js';
import { JobFailure } from './pdf.js';

export interface OcrModelRef {
  dir: string;
  gzip: boolean;
}

export interface OcrText {
  text: string;
  confidence: number;
}

const START_TIMEOUT_MS = 60_000;

/** One tesseract worker per child, created only when the first page needs OCR. */
export class Ocr {
  private worker: Promise<Worker> | undefined;

  constructor(
    private readonly lang: string,
    private readonly model: OcrModelRef,
  ) {}

  async recognize(image: Buffer): Promise<OcrText> {
    const worker = await (this.worker ??= this.start());
    const { data } = await worker.recognize(image);
    return { text: data.text.trim(), confidence: Math.round(data.confidence * 10) / 10 };
  }

  async close(): Promise<void> {
    if (this.worker) await (await this.worker.catch(() => undefined))?.terminate();
  }

  /**
   * Without an errorHandler a failed model load kills the process; with one, createWorker
   * never settles. Hence the handler and the timeout together.
   */
  private start(): Promise<Worker> {
    let fail: (err: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const timer = setTimeout(() => fail(new Error('OCR engine did not start in time')), START_TIMEOUT_MS);
    const created = createWorker(this.lang, OEM.LSTM_ONLY, {
      langPath: this.model.dir,
      gzip: this.model.gzip,
      cacheMethod: 'none',
      errorHandler: (err: unknown) => fail(new Error(`OCR engine failed: ${String(err)}`)),
    });
    return Promise.race([created, failed])
      .catch((err: Error) => {
        throw new JobFailure('ocr_failed', err.message);
      })
      .finally(() => clearTimeout(timer));
  }
}
