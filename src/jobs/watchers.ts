/** Listeners by job id: a change reaches only the watchers of its own job, whatever else is watched. */
export class Watchers<T> {
  private readonly byId = new Map<string, Set<(value: T) => void>>();

  /** Adds a listener for job `id`; returns the function that removes it. */
  add(id: string, listener: (value: T) => void): () => void {
    const set = this.byId.get(id) ?? new Set();
    this.byId.set(id, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byId.get(id) === set) this.byId.delete(id);
    };
  }

  notify(id: string, value: T): void {
    const set = this.byId.get(id);
    if (set) for (const listener of [...set]) listener(value);
  }

  get empty(): boolean {
    return this.byId.size === 0;
  }
}
