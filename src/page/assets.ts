import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PageAssets } from '../routes/deps.js';

/**
 * Reads the upload page (public/index.html, app.js, app.css) once at start. The folder is
 * found by walking up from this module, so it works from src/ (tests) and from dist/src/.
 */
export function loadPageAssets(dir = findPublicDir()): PageAssets {
  const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
  return { html: read('index.html'), js: read('app.js'), css: read('app.css') };
}

function findPublicDir(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'public');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    if (dir === path.dirname(dir)) throw new Error('public/index.html (the upload page) not found');
  }
}
