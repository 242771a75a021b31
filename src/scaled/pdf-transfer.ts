import { createReadStream } from 'node:fs';
import { copyFile, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { collectEvery } from '../collect.js';
import type { UploadLocation } from '../jobs/job.js';
import { pdfKey } from '../redis/keys.js';

/**
 * How an upload gets from the API instance that received it to the worker that runs it, and
 * goes away once its job has ended. Workers always run on a private copy, so a worker that is
 * stopped mid-job leaves the original for the next one.
 */
export interface PdfTransfer {
  /**
   * API side: makes the uploaded file reachable by workers; returns its location. Once `signal`
   * aborts it stops and removes what it wrote.
   */
  publish(id: string, uploaded: string, signal?: AbortSignal): Promise<UploadLocation>;
  /** Worker side: copies it to `dest`. */
  fetch(location: UploadLocation, dest: string): Promise<void>;
  remove(location: UploadLocation): Promise<void>;
}

/** Redis strings are written and read in pieces of this size, so no side holds a whole PDF. */
const CHUNK_BYTES = 1024 * 1024;
/**
 * Every piece is a fresh Buffer whose memory V8 frees only at a full collection, which a quiet
 * parent may not run for a whole job: measured, two 18 MB PDFs left ~40 MB of dead Buffers in
 * a worker's parent. A collection every few pieces caps that (the service runs --expose-gc).
 */
const COLLECT_EVERY_CHUNKS = 4;

/**
 * The default: the PDF travels through Redis, under the job's TTL. It needs nothing shared
 * between machines but Redis itself, which the scaled setup has anyway.
 */
export function redisTransfer(redis: Redis, ttlMs: number): PdfTransfer {
  return {
    async publish(id, uploaded, signal) {
      const key = pdfKey(id);
      const collect = collectEvery(COLLECT_EVERY_CHUNKS);
      let written = false;
      try {
        for await (const chunk of createReadStream(uploaded, { highWaterMark: CHUNK_BYTES, signal })) {
          // The key expires from its first byte: a copy cut short where nothing can remove it
          // (Redis gone mid-way) does not stay for good.
          await (written ? redis.append(key, chunk as Buffer) : redis.set(key, chunk as Buffer, 'PX', ttlMs));
          written = true;
          collect();
        }
        signal?.throwIfAborted();
        // The job's TTL counts from its record, written once the copy is done.
        await redis.pexpire(key, ttlMs);
      } catch (err) {
        await redis.del(key).catch(() => {});
        throw err;
      }
      await rm(path.dirname(uploaded), { recursive: true, force: true });
      return { kind: 'redis', key };
    },
    async fetch(location, dest) {
      const key = expect(location, 'redis').key;
      const size = await redis.strlen(key);
      if (size === 0) throw new Error('the uploaded PDF is no longer in Redis');
      const file = await open(dest, 'wx', 0o600);
      const collect = collectEvery(COLLECT_EVERY_CHUNKS);
      try {
        for (let start = 0; start < size; start += CHUNK_BYTES) {
          await file.write(await redis.getrangeBuffer(key, start, Math.min(start + CHUNK_BYTES, size) - 1));
          collect();
        }
      } finally {
        await file.close();
        globalThis.gc?.();
      }
    },
    async remove(location) {
      await redis.del(expect(location, 'redis').key);
    },
  };
}

/** SHARED_DIR: uploads are received straight into a directory every instance mounts. */
export function sharedDirTransfer(): PdfTransfer {
  return {
    publish: async (_id, uploaded) => ({ kind: 'shared', path: uploaded }),
    fetch: (location, dest) => copyFile(expect(location, 'shared').path, dest),
    remove: (location) => rm(path.dirname(expect(location, 'shared').path), { recursive: true, force: true }),
  };
}

/** Instances of one setup agree on the transfer (SHARED_DIR set or not); another kind is a misconfiguration. */
function expect<K extends UploadLocation['kind']>(location: UploadLocation, kind: K): Extract<UploadLocation, { kind: K }> {
  if (location.kind !== kind) throw new Error(`the upload is in ${location.kind} storage, this instance reads ${kind}: set SHARED_DIR alike on every instance`);
  return location as Extract<UploadLocation, { kind: K }>;
}
