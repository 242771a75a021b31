import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { JobFailure } from '../pdf/pdf.js';
import { readWords, type OcrWord, type ResultIterator } from './ocr-words.js';
import type { GrayImage } from '../image/pixels.js';

export interface OcrModelRef {
  dir: string;
  gzip: boolean;
}

export interface OcrText {
  confidence: number;
  /** The words with their boxes on the displayed page, in the engine's order. */
  words: OcrWord[];
}

/** The parts of tesseract.js-core's Emscripten module this child uses. */
interface TessBaseApi {
  Init(dataPath: string, lang: string, oem: number): number;
  SetVariable(name: string, value: string): boolean;
  SetImage(ptr: number, width: number, height: number, bytesPerPixel: number, bytesPerLine: number): void;
  SetSourceResolution(dpi: number): void;
  Recognize(monitor: null): number;
  GetIterator(): ResultIterator & { __destroy__(): void };
  MeanTextConf(): number;
  Clear(): void;
  End(): void;
}
interface CoreModule {
  TessBaseAPI: new () => TessBaseApi;
  FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
  _malloc(size: number): number;
  _free(ptr: number): void;
}
type CoreFactory = (options: Record<string, unknown>) => Promise<CoreModule>;
interface Engine {
  core: CoreModule;
  api: TessBaseApi;
  /** The build does not export its heap views, so the module's memory is captured at load. */
  memory: WebAssembly.Memory;
}

const require = createRequire(import.meta.url);
const CORE_DIR = path.dirname(require.resolve('tesseract.js-core/package.json'));
/**
 * The LSTM-only build skips the legacy engine's code and data. Node 24 has relaxed SIMD too; its
 * build read the same text on linn, cardinal and epson and no faster within noise (OCR CPU
 * 4.24/29.5/3.95 s against 5.13/29.4/3.35, medians of 3), and its results may differ from one
 * CPU to another, so the plain SIMD build.
 */
const CORE_BUILD = 'tesseract-core-simd-lstm';
const OEM_LSTM_ONLY = 1;
const PSM_AUTO = '3';

/**
 * tesseract.js's engine (tesseract.js-core) driven directly on the child's main thread: no
 * worker thread, so no second V8 isolate and no copy of each page image sent to one. Measured
 * here, that keeps a child 45-70 MB smaller. Created only when the first page needs OCR.
 */
export class Ocr {
  private engine: Engine | undefined;

  constructor(
    private readonly lang: string,
    private readonly model: OcrModelRef,
  ) {}

  async recognize(image: GrayImage): Promise<OcrText> {
    const { core, api, memory } = await this.start();
    const size = image.width * image.height;
    const ptr = core._malloc(size);
    new Uint8Array(memory.buffer, ptr, size).set(image.pixels);
    api.SetImage(ptr, image.width, image.height, 1, image.width);
    core._free(ptr);
    api.SetSourceResolution(Math.round(image.dpi));
    api.Recognize(null);
    const iterator = api.GetIterator();
    const scratch = core._malloc(16);
    try {
      const words = readWords(iterator, () => memory.buffer, scratch, image.placement);
      const confidence = api.MeanTextConf();
      return { confidence, words };
    } finally {
      core._free(scratch);
      iterator.__destroy__();
      api.Clear();
    }
  }

  close(): void {
    this.engine?.api.End();
  }

  /** The engine, started on first use: one start per child, shared by all of its pages. */
  async start(): Promise<Engine> {
    return (this.engine ??= await this.load());
  }

  private async load(): Promise<Engine> {
    try {
      const factory = require(path.join(CORE_DIR, `${CORE_BUILD}.js`)) as CoreFactory;
      let memory: WebAssembly.Memory | undefined;
      const core = await factory({
        TesseractProgress: () => {},
        instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
          void WebAssembly.instantiate(readFileSync(path.join(CORE_DIR, `${CORE_BUILD}.wasm`)), imports).then(({ instance, module }) => {
            memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
            done(instance, module);
          });
          return {};
        },
      });
      if (!memory) throw new Error('the engine exposes no memory');
      const langs = this.lang.split('+');
      for (const lang of langs) core.FS.writeFile(`/${lang}.traineddata`, this.readModel(lang));
      const api = new core.TessBaseAPI();
      if (api.Init('/', this.lang, OEM_LSTM_ONLY) !== 0) throw new Error(`tesseract could not load the ${this.lang} model`);
      // The model now lives in the engine; the file copy in the in-memory FS is dead weight.
      for (const lang of langs) core.FS.unlink(`/${lang}.traineddata`);
      api.SetVariable('tessedit_pageseg_mode', PSM_AUTO);
      return { core, api, memory };
    } catch (err) {
      throw new JobFailure('ocr_failed', `the OCR engine could not start: ${(err as Error).message}`);
    }
  }

  private readModel(lang: string): Uint8Array {
    const file = path.join(this.model.dir, `${lang}.traineddata${this.model.gzip ? '.gz' : ''}`);
    const data = readFileSync(file);
    return this.model.gzip ? gunzipSync(data) : data;
  }
}
