import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { parseCpuMax } from '../../src/cpus.js';
import { containerMemoryMb } from '../../src/memory-limit.js';
import { ROOT } from '../helpers.js';

describe('configuration', () => {
  it('keeps a Render instance awake only where Render names its URL, well inside its 15 idle minutes', () => {
    expect(parseConfig({})).toMatchObject({ renderExternalUrl: undefined, keepAwakeIntervalMs: 600_000 });
    expect(parseConfig({ RENDER_EXTERNAL_URL: 'https://pdf-ocr.onrender.com' }).renderExternalUrl).toBe('https://pdf-ocr.onrender.com');
    expect(() => parseConfig({ RENDER_EXTERNAL_URL: 'pdf-ocr.onrender.com' })).toThrow(/RENDER_EXTERNAL_URL/);
    expect(() => parseConfig({ KEEP_AWAKE_INTERVAL_S: '900' })).toThrow(/KEEP_AWAKE_INTERVAL_S/);
  });

  it('has the documented defaults, with the child cap following from the budget', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ port: 3000, workerThreads: 2, queueLimit: 20, maxPages: 500, jobTimeoutMs: 3_600_000, resultTtlMs: 7_200_000 });
    expect(c).toMatchObject({ pageTimeoutMs: 120_000, maxResultBytes: 16 * 1024 * 1024, maxEventStreams: 200, maxResultStreams: 16, uploadTimeoutMs: 120_000 });
    expect(c.maxUploadBytes).toBe(50 * 1024 * 1024);
    // The budget less the parent (64 MB and RESULT_STORE_MB of results) and the shared file pages (56 MB).
    expect(c.childMemoryMb).toBe(Math.floor((512 - 64 - 32 - 56) / 2));
    expect(parseConfig({ MEMORY_BUDGET_MB: '1024', PDF_WORKER_THREADS: '4' }).childMemoryMb).toBe(Math.floor((1024 - 64 - 32 - 56) / 4));
    expect(parseConfig({ RESULT_STORE_MB: '96' }).childMemoryMb).toBe(Math.floor((512 - 64 - 96 - 56) / 2));
    expect(parseConfig({ CHILD_MEMORY_MB: '300' }).childMemoryMb).toBe(300);
  });

  it('names every bad value', () => {
    expect(() => parseConfig({ PDF_WORKER_THREADS: 'two', QUEUE_LIMIT: '-1', WEBHOOK_SECRET: 'x' })).toThrow(ConfigError);
    try {
      parseConfig({ PDF_WORKER_THREADS: 'two', QUEUE_LIMIT: '-1' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PDF_WORKER_THREADS/);
      expect((err as Error).message).toMatch(/QUEUE_LIMIT/);
    }
  });

  it('takes an API_KEY a Bearer header can carry, and refuses one it cannot', () => {
    expect(parseConfig({ API_KEY: 'k3y-._~+/Z==' }).apiKey).toBe('k3y-._~+/Z==');
    for (const key of ['two words', 'k\u00e9y', 'key!', '=key']) expect(() => parseConfig({ API_KEY: key }), key).toThrow(/API_KEY/);
  });

  it('takes --role from the command line; api and worker need REDIS_URL, the default needs nothing', () => {
    expect(parseConfig({}).role).toBe('all');
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(parseConfig(redis, ['--role', 'worker'])).toMatchObject({ role: 'worker', redisUrl: redis.REDIS_URL, queueLockMs: 30_000 });
    expect(parseConfig(redis, ['--role=api']).role).toBe('api');
    expect(() => parseConfig({}, ['--role', 'worker'])).toThrow(/needs REDIS_URL/);
    expect(() => parseConfig(redis, ['--role', 'boss'])).toThrow(/--role must be api, worker or all/);
    expect(() => parseConfig(redis, ['--rol', 'api'])).toThrow(/invalid command line/);
    expect(() => parseConfig({ REDIS_URL: 'http://127.0.0.1' })).toThrow(/REDIS_URL/);
    expect(() => parseConfig({ SHARED_DIR: '/srv/pdfs' })).toThrow(/SHARED_DIR is only used with REDIS_URL/);
  });

  it('stops the server at start, with a clear message, on a bad value', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/server.js')], {
      env: { ...process.env, PORT: '0', JOB_TIMEOUT_S: 'soon' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/invalid configuration/);
    expect(run.stderr).toMatch(/JOB_TIMEOUT_S/);
  });
});

describe('the OCR engine (OCR_ENGINE)', () => {
  /** A directory for PATH, with an executable named tesseract in it or not. */
  function pathDir(withTesseract: boolean): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ocr-engine-'));
    if (withTesseract) {
      writeFileSync(path.join(dir, 'tesseract'), '#!/bin/sh\n');
      chmodSync(path.join(dir, 'tesseract'), 0o755);
    }
    return dir;
  }

  it('auto drives the tesseract program found on PATH (this machine and CI have it), else the WebAssembly engine', () => {
    expect(parseConfig({}).ocrEngine).toMatchObject({ kind: 'native', binary: '/usr/bin/tesseract', reason: expect.stringMatching(/^auto: /) });
    const [found, empty] = [pathDir(true), pathDir(false)];
    try {
      expect(parseConfig({ PATH: `${empty}:${found}:/usr/bin` }).ocrEngine).toMatchObject({ kind: 'native', binary: path.join(found, 'tesseract') });
      expect(parseConfig({ PATH: empty }).ocrEngine).toEqual({ kind: 'wasm', reason: expect.stringMatching(/^auto: no tesseract program on PATH/) });
      // tesseract reads no gzipped model: with the npm package's model, the WebAssembly engine.
      const npmModel = path.join(path.dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
      expect(parseConfig({ PATH: found, OCR_MODEL_DIR: npmModel }).ocrEngine).toEqual({ kind: 'wasm', reason: expect.stringMatching(/gzipped/) });
      expect(() => parseConfig({ PATH: found, OCR_MODEL_DIR: npmModel, OCR_ENGINE: 'native' })).toThrow(/OCR_ENGINE=native, but the model .* is gzipped/);
    } finally {
      for (const dir of [found, empty]) rmSync(dir, { recursive: true });
    }
  });

  it('takes native and wasm as asked, refuses native without a tesseract program, and names a bad value', () => {
    expect(parseConfig({ OCR_ENGINE: 'native' }).ocrEngine).toEqual({ kind: 'native', binary: '/usr/bin/tesseract', reason: 'OCR_ENGINE=native' });
    expect(parseConfig({ OCR_ENGINE: 'wasm' }).ocrEngine).toEqual({ kind: 'wasm', reason: 'OCR_ENGINE=wasm' });
    expect(() => parseConfig({ OCR_ENGINE: 'gpu' })).toThrow(/OCR_ENGINE/);
    const empty = pathDir(false);
    try {
      expect(parseConfig({ OCR_ENGINE: 'wasm', PATH: empty }).ocrEngine.kind).toBe('wasm');
      expect(() => parseConfig({ OCR_ENGINE: 'native', PATH: empty })).toThrow(ConfigError);
      expect(() => parseConfig({ OCR_ENGINE: 'native', PATH: empty })).toThrow(/OCR_ENGINE=native, but no tesseract program on PATH/);
      // The server stops at start with that message.
      const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/server.js')], {
        env: { ...process.env, PORT: '0', OCR_ENGINE: 'native', PATH: empty },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/OCR_ENGINE=native, but no tesseract program on PATH/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});

describe('CPUs', () => {
  it("reads a cgroup v2 CPU quota as CPUs, and 'max' as no limit", () => {
    expect(parseCpuMax('50000 100000\n')).toBe(0.5);
    expect(parseCpuMax('200000 100000')).toBe(2);
    expect(parseCpuMax('max 100000')).toBeUndefined();
    expect(parseConfig({}).cpus).toBeGreaterThan(0);
  });
});

describe('the container memory limit', () => {
  it("reads a cgroup's limit in MB and none where Node reports no constraint", () => {
    expect(containerMemoryMb(512 * 1024 * 1024)).toBe(512);
    expect(containerMemoryMb(0)).toBeUndefined();
    expect(containerMemoryMb(2 ** 64)).toBeUndefined();
    expect(containerMemoryMb(os.totalmem())).toBeUndefined();
  });
});
