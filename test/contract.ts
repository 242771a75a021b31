/**
 * The HTTP contract, docs/api.md, as the tests read it. It is the project's own copy of
 * ../shared/API.md (test/fast/contract.test.ts holds the two equal where the latter exists).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../harness/service.js';

export const API_MD = path.join(ROOT, 'docs/api.md');
/** Where the CI machine lays the shared contract, beside the clone. */
export const SHARED_API_MD = path.resolve(ROOT, '../shared/API.md');

const contract = () => readFileSync(API_MD, 'utf8');

/** Route headings (`### \`GET /api/jobs/{id}\``), some naming a query variant (`…/result?format=words`). */
export function contractRoutes(): string[] {
  return [...contract().matchAll(/^###\s+`([A-Z]+)\s+(\/[^`\s]*)`/gm)].map((m) => `${m[1]} ${m[2]}`);
}

/** The failure codes of a job as the contract lists them. */
export function contractFailureCodes(): string[] {
  const paragraph = /Failure codes of a job:([\s\S]*?)\n\n/.exec(contract())?.[1] ?? '';
  return [...paragraph.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
}
