import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { availableCpus } from './cpus.js';
import type { OcrEngineChoice } from './protocol.js';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const positiveInt = z.coerce.number().int().positive();

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    PDF_WORKER_THREADS: positiveInt.max(64).default(2),
    MEMORY_BUDGET_MB: positiveInt.min(128).default(512),
    CHILD_MEMORY_MB: positiveInt.min(64).optional(),
    // A backstop: a stuck child is caught per page (PAGE_TIMEOUT_S), so a slow host still finishes long scans.
    JOB_TIMEOUT_S: positiveInt.default(3600),
    PAGE_TIMEOUT_S: positiveInt.default(120),
    QUEUE_LIMIT: z.coerce.number().int().min(0).default(20),
    MAX_UPLOAD_MB: positiveInt.default(50),
    MAX_PAGES: positiveInt.default(500),
    MAX_PAGE_MEGAPIXELS: z.coerce.number().positive().default(12),
    OCR_DPI: positiveInt.min(72).max(600).default(200),
    RESULT_TTL_S: positiveInt.default(7200),
    PURGE_INTERVAL_S: positiveInt.default(1800),
    SHUTDOWN_GRACE_S: z.coerce.number().min(0).default(25),
    RESULT_STORE_MB: positiveInt.default(32),
    MAX_RESULT_MB: positiveInt.default(16),
    MAX_EVENT_STREAMS: positiveInt.default(200),
    MAX_RESULT_STREAMS: positiveInt.default(16),
    UPLOAD_TIMEOUT_S: positiveInt.default(120),
    // Proxies close idle connections (often after 30-60 s); an event stream says something before that.
    SSE_HEARTBEAT_S: z.coerce.number().positive().default(15),
    // RFC 6750's b64token, all a Bearer header may carry: a key with other characters could never be sent.
    API_KEY: z
      .string()
      .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'must be a Bearer token: letters, digits and - . _ ~ + /, then any = padding')
      .optional(),
    // `whsec_<base64>` per Standard Webhooks, or bare base64 as Render's `generateValue` makes it.
    WEBHOOK_SECRET: z
      .string()
      .regex(/^(whsec_)?[A-Za-z0-9+/]{22,}={0,2}$/, 'must be whsec_<base64> or a base64 secret of at least 16 bytes')
      .transform((v) => (v.startsWith('whsec_') ? v : `whsec_${v}`))
      .optional(),
    WEBHOOK_ALLOW_PRIVATE: flag.default(false),
    WEBHOOK_MAX_ATTEMPTS: positiveInt.max(20).default(6),
    WEBHOOK_TIMEOUT_S: z.coerce.number().positive().max(120).default(10),
    // Scales the whole retry schedule; only tests set it (5000 gives 5 s, 15 s, 30 s, 60 s, 180 s).
    WEBHOOK_RETRY_BASE_MS: positiveInt.default(5000),
    PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    OCR_MODEL_DIR: z.string().min(1).optional(),
    // auto: the system's tesseract program where it is installed and can read the model, else the WebAssembly build.
    OCR_ENGINE: z.enum(['auto', 'native', 'wasm']).default('auto'),
    TMP_DIR: z.string().min(1).optional(),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    SHARED_DIR: z.string().min(1).optional(),
    // Render sets it on a web service: its public URL, which the instance requests to stay awake (src/keep-awake.ts).
    RENDER_EXTERNAL_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    // Well inside the 15 minutes without inbound requests after which Render's free plan spins an instance down.
    KEEP_AWAKE_INTERVAL_S: z.coerce.number().positive().max(840).default(600),
    // How long a worker instance may go unheard before its jobs are handed to another.
    QUEUE_LOCK_S: positiveInt.max(600).default(30),
  });

/** `api` takes uploads and answers; `worker` runs jobs; `all` does both (the only role without Redis). */
const roleSchema = z.enum(['api', 'worker', 'all']).default('all');
export type Role = z.infer<typeof roleSchema>;

/** The fast model Debian's tesseract-ocr-eng installs; preferred when present. */
const SYSTEM_MODEL_DIR = '/usr/share/tesseract-ocr/5/tessdata';
/**
 * Memory the parent (HTTP server, queues, streams) owns besides the results it keeps, budgeted
 * before children get the rest: measured at 50-51 MB while four 300-dpi scans ran (2 running,
 * 2 queued). The results are RESULT_STORE_MB on top (running and finished jobs' pages together).
 */
const PARENT_RESERVE_MB = 64;
/**
 * File-backed pages every process maps and the host holds once: the node binary and its
 * libraries (46 MB resident in the parent), in children also libvips (52 MB). A child's cap
 * counts only the memory it owns, so these are set aside from the budget here, not in each cap.
 */
const SHARED_PAGES_MB = 56;

export type Env = z.input<typeof schema>;
export type Config = ReturnType<typeof parseConfig>;

export interface OcrModel {
  /** Directory holding `<lang>.traineddata` (or `.traineddata.gz` when gzip). */
  dir: string;
  gzip: boolean;
  name: string;
  languages: string[];
}

/** The engine the children drive, and why it was chosen (logged at start). */
export type OcrEngineSetting = OcrEngineChoice & { reason: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment and the command line (`--role api|worker|all`) once at start; a bad
 * value stops the start with a clear message.
 */
export function parseConfig(env: Record<string, string | undefined> = process.env, argv: string[] = []) {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const role = parseRole(argv);
  if (role !== 'all' && !c.REDIS_URL) throw new ConfigError(`--role ${role} needs REDIS_URL: without Redis one instance does everything`);
  if (c.SHARED_DIR && !c.REDIS_URL) throw new ConfigError('SHARED_DIR is only used with REDIS_URL');
  if (c.MAX_RESULT_MB > c.RESULT_STORE_MB) {
    throw new ConfigError('MAX_RESULT_MB must not exceed RESULT_STORE_MB: a finished job larger than the store would be dropped at once');
  }
  const ocrModel = resolveOcrModel(c.OCR_MODEL_DIR);
  const childMemoryMb =
    c.CHILD_MEMORY_MB ??
    Math.max(128, Math.floor((c.MEMORY_BUDGET_MB - PARENT_RESERVE_MB - c.RESULT_STORE_MB - SHARED_PAGES_MB) / c.PDF_WORKER_THREADS));
  return {
    port: c.PORT,
    host: c.HOST,
    workerThreads: c.PDF_WORKER_THREADS,
    memoryBudgetMb: c.MEMORY_BUDGET_MB,
    childMemoryMb,
    jobTimeoutMs: c.JOB_TIMEOUT_S * 1000,
    pageTimeoutMs: c.PAGE_TIMEOUT_S * 1000,
    queueLimit: c.QUEUE_LIMIT,
    maxUploadBytes: c.MAX_UPLOAD_MB * 1024 * 1024,
    maxPages: c.MAX_PAGES,
    maxPagePixels: Math.round(c.MAX_PAGE_MEGAPIXELS * 1_000_000),
    ocrDpi: c.OCR_DPI,
    resultTtlMs: c.RESULT_TTL_S * 1000,
    purgeIntervalMs: c.PURGE_INTERVAL_S * 1000,
    shutdownGraceMs: c.SHUTDOWN_GRACE_S * 1000,
    resultStoreBytes: c.RESULT_STORE_MB * 1024 * 1024,
    maxResultBytes: c.MAX_RESULT_MB * 1024 * 1024,
    maxEventStreams: c.MAX_EVENT_STREAMS,
    maxResultStreams: c.MAX_RESULT_STREAMS,
    uploadTimeoutMs: c.UPLOAD_TIMEOUT_S * 1000,
    sseHeartbeatMs: c.SSE_HEARTBEAT_S * 1000,
    apiKey: c.API_KEY,
    webhookSecret: c.WEBHOOK_SECRET,
    webhookAllowPrivate: c.WEBHOOK_ALLOW_PRIVATE,
    webhookMaxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
    webhookTimeoutMs: c.WEBHOOK_TIMEOUT_S * 1000,
    webhookRetryBaseMs: c.WEBHOOK_RETRY_BASE_MS,
    publicUrl: c.PUBLIC_URL,
    logLevel: c.LOG_LEVEL,
    ocrModel,
    ocrEngine: resolveOcrEngine(c.OCR_ENGINE, ocrModel, env.PATH),
    cpus: availableCpus(),
    tmpDir: c.TMP_DIR,
    role,
    redisUrl: c.REDIS_URL,
    sharedDir: c.SHARED_DIR,
    queueLockMs: c.QUEUE_LOCK_S * 1000,
    renderExternalUrl: c.RENDER_EXTERNAL_URL,
    keepAwakeIntervalMs: c.KEEP_AWAKE_INTERVAL_S * 1000,
  };
}

function parseRole(argv: string[]): Role {
  let values: { role?: string };
  try {
    values = parseArgs({ args: argv, options: { role: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    throw new ConfigError(`invalid command line: ${(err as Error).message}`);
  }
  const role = roleSchema.safeParse(values.role);
  if (!role.success) throw new ConfigError(`--role must be api, worker or all (got ${values.role})`);
  return role.data;
}

function resolveOcrModel(configured: string | undefined): OcrModel {
  if (configured) {
    if (!existsSync(configured)) throw new ConfigError(`OCR_MODEL_DIR does not exist: ${configured}`);
    return describeModel(configured, `custom (${configured})`);
  }
  if (existsSync(path.join(SYSTEM_MODEL_DIR, 'eng.traineddata'))) {
    return describeModel(SYSTEM_MODEL_DIR, 'tessdata_fast (system)');
  }
  const npmPackage = createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json');
  return describeModel(path.join(path.dirname(npmPackage), '4.0.0_best_int'), 'tessdata_best_int (npm)');
}

function describeModel(dir: string, name: string): OcrModel {
  const files = readdirSync(dir);
  const plain = files.filter((f) => f.endsWith('.traineddata'));
  const gzip = plain.length === 0;
  const suffix = gzip ? '.traineddata.gz' : '.traineddata';
  const languages = files.filter((f) => f.endsWith(suffix)).map((f) => f.slice(0, -suffix.length));
  if (!languages.includes('eng')) throw new ConfigError(`no eng model in ${dir}`);
  return { dir, gzip, name, languages: languages.filter((l) => l !== 'osd') };
}

/** Where a shell would look when the environment names no PATH. */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The native engine is the system's tesseract program: measured on this machine's 200-dpi
 * scans, tesseract.js-core's WebAssembly takes 1.22-1.32× its CPU for the same words. It reads
 * only uncompressed models (the npm model is gzipped), so `auto` takes it where both hold.
 */
function resolveOcrEngine(setting: 'auto' | 'native' | 'wasm', model: OcrModel, pathEnv: string | undefined): OcrEngineSetting {
  if (setting === 'wasm') return { kind: 'wasm', reason: 'OCR_ENGINE=wasm' };
  const binary = findProgram('tesseract', pathEnv ?? DEFAULT_PATH);
  const missing = !binary
    ? 'no tesseract program on PATH (Debian: apt-get install tesseract-ocr)'
    : model.gzip
      ? `the model (${model.name}) is gzipped, which the tesseract program cannot read`
      : null;
  if (setting === 'native') {
    if (missing) throw new ConfigError(`OCR_ENGINE=native, but ${missing}`);
    return { kind: 'native', binary: binary!, reason: 'OCR_ENGINE=native' };
  }
  if (missing) return { kind: 'wasm', reason: `auto: ${missing}` };
  return { kind: 'native', binary: binary!, reason: `auto: ${binary} reads the model in ${model.dir}` };
}

/** The first executable `name` in the PATH's directories, as a shell would run it. */
function findProgram(name: string, pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(':')) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not here: the next directory.
    }
  }
  return undefined;
}
