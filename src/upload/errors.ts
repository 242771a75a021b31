/**
 * What the upload receiver refuses, as plain errors; the HTTP edge (src/routes/errors.ts) maps
 * each to its status and code in one place.
 */

/** Any refused upload: what the receiver throws is always one of these. */
export abstract class UploadRefused extends Error {}

/** The body could not be read or parsed (a broken multipart, a field too long, no file). */
export class UnreadableUpload extends UploadRefused {
  override name = 'UnreadableUpload';
}

/** More than MAX_UPLOAD_MB, declared or sent. */
export class UploadTooLarge extends UploadRefused {
  override name = 'UploadTooLarge';
  constructor(readonly maxBytes: number) {
    super(`the upload is larger than the ${Math.round(maxBytes / 1048576)} MB limit`);
  }
}

/** Not a PDF: another content type, an empty file, or no `%PDF-` where it belongs. */
export class NotAPdf extends UploadRefused {
  override name = 'NotAPdf';
  constructor(message = 'the file is not a PDF (no %PDF- signature in its first 1024 bytes)') {
    super(message);
  }
}

/** The body had not arrived within UPLOAD_TIMEOUT_S. */
export class UploadTimedOut extends UploadRefused {
  override name = 'UploadTimedOut';
  constructor(readonly timeoutMs: number) {
    super(`the upload did not arrive within ${timeoutMs / 1000} s`);
  }
}
