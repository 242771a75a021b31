/**
 * Where the service's CPU went during a case: the profile each child reports when it is done
 * (in the server's `child exited` log lines), summed over the children, plus the parent's own
 * share from the kernel's accounting. Per OCR page, so cases of different sizes compare.
 */
import { profileSchema, profileStageSchema, type Profile, type ProfileStage } from '../src/protocol.js';

export interface ChildRecord {
  peakMemoryMb: number;
  profile?: Profile;
}

/** The `child exited` lines of a server's log. */
export function childRecords(logs: string[]): ChildRecord[] {
  const records: ChildRecord[] = [];
  for (const chunk of logs) {
    for (const line of chunk.split('\n')) {
      if (!line.includes('"child exited"')) continue;
      const entry = JSON.parse(line) as { peakMemoryMb?: number; profile?: unknown };
      const profile = profileSchema.safeParse(entry.profile);
      records.push({ peakMemoryMb: Number(entry.peakMemoryMb ?? 0), profile: profile.success ? profile.data : undefined });
    }
  }
  return records;
}

export interface CaseProfile {
  children: number;
  ocrPages: number;
  retries: number;
  /** CPU seconds per OCR page: each child stage, the children's unstaged rest, and the parent. */
  perPage: Record<ProfileStage | 'rest' | 'parent', number>;
}

/** Sums the children's profiles; `parentS` is the server's own CPU over the same run. */
export function caseProfile(records: ChildRecord[], parentS: number): CaseProfile {
  const profiles = records.flatMap((r) => (r.profile ? [r.profile] : []));
  const ocrPages = profiles.reduce((n, p) => n + p.ocrPages, 0);
  const pages = Math.max(1, ocrPages);
  const perPage = {} as CaseProfile['perPage'];
  let staged = 0;
  for (const stage of profileStageSchema.options) {
    const ms = profiles.reduce((sum, p) => sum + p.cpuMs[stage], 0);
    staged += ms;
    perPage[stage] = ms / 1000 / pages;
  }
  perPage.rest = (profiles.reduce((sum, p) => sum + p.totalCpuMs, 0) - staged) / 1000 / pages;
  perPage.parent = parentS / pages;
  return { children: records.length, ocrPages, retries: profiles.reduce((n, p) => n + p.retries, 0), perPage };
}

/** "decode 0.21 · scale 0.07 · …" in CPU seconds per OCR page. */
export function formatProfile(p: CaseProfile): string {
  const parts = Object.entries(p.perPage).map(([stage, s]) => `${stage} ${s.toFixed(3)}`);
  return `CPU s per OCR page over ${p.children} children, ${p.ocrPages} pages, ${p.retries} retries: ${parts.join(' · ')}`;
}
