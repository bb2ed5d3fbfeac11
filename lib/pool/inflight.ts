/**
 * A bounded window of promises in flight: the one back-pressure rule of every command
 * that feeds the worker pool (snapshot, verify, restore's hashing). `add` waits while
 * the window is full; `drain` waits for everything. Each promise must handle its own
 * errors (the window only waits).
 */

/** A window of at most `limit` promises in flight. */
export class InflightWindow {
  readonly #limit: number;
  readonly #inflight = new Set<Promise<void>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Promises not yet settled. */
  get size(): number {
    return this.#inflight.size;
  }

  /** Adds `p`, then waits until the window has room again. */
  async add(p: Promise<void>): Promise<void> {
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
    while (this.#inflight.size >= this.#limit) await Promise.race(this.#inflight);
  }

  /** Waits until every promise has settled. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.race(this.#inflight);
  }
}
