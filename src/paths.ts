/**
 * Error messages reach a job, and so the API and webhooks; the files they name are the server's
 * business. A message keeps what went wrong and the file's name, not where it sits.
 */

/** `file:` URLs, and absolute paths with a second slash (a PDF name such as `/Root` has none). */
const PATHS = /file:\/\/[^\s'"`]+|(?<![\w.~-])\/[^\s'"`/]+\/[^\s'"`]*/g;

/** The text with every server path shortened to its last part: `open '/tmp/x/upload.pdf'` → `open 'upload.pdf'`. */
export function withoutPaths(text: string): string {
  return text.replace(PATHS, (path) => path.replace(/\/+$/, '').split('/').pop() || '…');
}
