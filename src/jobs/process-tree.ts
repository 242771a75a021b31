import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * A child and what it starts (the native OCR engine's passes) as one unit: counted together
 * against the child's memory cap, killed together. A child leads its own process group
 * (the supervisor spawns it detached), so its descendants share the group's id, its pid.
 */

/** Groups of live children, killed if this process exits before their end was seen. */
const groups = new Set<number>();
let hooked = false;

/**
 * Takes charge of a detached child's group: when the child exits, whatever it started and left
 * running goes with it, however it ended; if this process exits first, the whole group goes.
 */
export function ownGroup(child: ChildProcess): void {
  const { pid } = child;
  if (pid === undefined) return;
  groups.add(pid);
  child.once('exit', () => {
    killGroup(pid);
    groups.delete(pid);
  });
  if (hooked) return;
  hooked = true;
  // A detached child is out of execa's cleanup: this takes its place.
  process.on('exit', () => {
    for (const group of groups) killGroup(group);
  });
}

/**
 * SIGKILLs the group `pid` leads: the child, if it still runs, and every process it started. Called
 * again once the child has ended, for what it left; its pid is not reused while the group has
 * a member, so this never reaches another process.
 */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is empty, nothing is left.
  }
}

/**
 * The memory a process and its descendants own: anonymous and shared-memory pages. File-backed
 * pages (the node and tesseract binaries, libraries: ~45 MB) are shared by every child and
 * reclaimable, so they are not counted. Descendants are found through /proc's children lists
 * of each process's main thread, where Node (libuv) spawns: one read a process, no /proc scan.
 */
export async function treeOwnedKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const below = await Promise.all(children.split(' ').filter(Boolean).map((child) => treeOwnedKb(Number(child))));
  return below.reduce((sum, owned) => sum + owned, kb('RssAnon') + kb('RssShmem'));
}
