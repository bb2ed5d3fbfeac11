/**
 * A fixed pool of endpoints that snapshot or hash batches of files. A request goes to
 * the endpoint with the fewest batches in flight; `request` resolves with that batch's
 * response. An endpoint that dies rejects its in-flight batches, so no caller waits
 * forever. Idle workers are unref'ed, and `close()` terminates them.
 *
 * The endpoints come from a `WorkerSource`: workers the pool starts itself; workers
 * another thread started (lib/pool/engine.ts on Deno, where the engine runs in a worker
 * of its own and Deno relays messages to a worker's own workers with ~0.5 ms of latency;
 * siblings talking over a MessagePort: ~0.1 ms), whose deaths that thread reports
 * (`WorkerDeaths`); or this thread itself (lib/pool/in_thread.ts).
 */
import type { MessagePort, Worker } from "node:worker_threads";
import { InThread } from "./in_thread.ts";
import type {
  CopyJob,
  CopyResult,
  HashJob,
  HashResult,
  SidecarSpec,
  WorkerRequest,
  WorkerResponse,
} from "./protocol.ts";

/** Young-generation cap of each worker's heap (V8). */
const YOUNG_GENERATION_MB = 4;

/** Where a pool's endpoints come from. */
export type WorkerSource =
  /** Workers of the pool's own, started from this module (workers/snap_worker.ts). */
  | { kind: "spawn"; url: URL }
  /** Workers another thread started, reached over these ports; it reports their deaths. */
  | {
    kind: "adopt";
    ports: readonly MessagePort[];
    deaths: WorkerDeaths;
    /** Asks the thread that owns the workers to start them (once, with the first pool). */
    start?: () => void;
  }
  /** No workers: this thread serves every request (lib/pool/in_thread.ts). */
  | { kind: "in-thread" };

/** Starts one snapshot worker from module `url`; with `port`, it serves requests on that port. */
export function spawnWorker(url: URL, port?: MessagePort): Worker {
  // A worker's live data is one batch: a small young generation keeps a long run's
  // RSS near a short run's (Deno: ~19 instead of ~30 MB per worker after 100,000
  // files). A V8 limit: Bun runs JavaScriptCore. node:worker_threads is loaded with the
  // first worker: a run that starts none does not evaluate it (Bun: ~15 ms).
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  return new Worker(url, {
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    ...(port === undefined ? {} : { workerData: { port }, transferList: [port] }),
  });
}

/**
 * Deaths of workers that another thread started and watches (lib/pool/engine.ts): it
 * reports each one here, and every pool that adopted those workers fails the dead one's
 * batches, in flight or later.
 */
export class WorkerDeaths {
  #dead = new Map<number, Error>();
  #listeners = new Set<(index: number, e: Error) => void>();

  /** Worker `index` died of `e`: every listening pool hears it. */
  report(index: number, e: Error): void {
    this.#dead.set(index, e);
    for (const f of this.#listeners) f(index, e);
  }

  /** Why worker `index` died, if it did. */
  of(index: number): Error | undefined {
    return this.#dead.get(index);
  }

  /** Calls `listener` on each death reported from now on; the returned function stops it. */
  listen(listener: (index: number, e: Error) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

interface Slot {
  endpoint: Worker | MessagePort | InThread;
  inflight: Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void }>;
  /** Why the worker is gone, once it is: it gets no more batches. */
  dead?: Error;
}

/** How many workers a pool starts unless told: one per CPU this process may run on. */
export function defaultPoolSize(): number {
  return Math.max(1, process.getBuiltinModule("node:os").availableParallelism());
}

/** A pool of snapshot workers. */
export class WorkerPool {
  #slots: Slot[] = [];
  #next = 1;
  #closed = false;

  /** Stops hearing of adopted workers' deaths (`close`). */
  #stopListening: (() => void) | undefined;

  /**
   * A pool of `source`'s endpoints: `size` workers it starts, or the adopted ones, or
   * this thread alone (`size` counts only for `spawn`).
   */
  constructor(source: WorkerSource, size: number) {
    if (source.kind === "in-thread") {
      const endpoint = new InThread();
      const slot = this.#slot(endpoint);
      endpoint.onError = (e) => this.#kill(slot, e);
      this.#slots.push(slot);
    } else if (source.kind === "adopt") {
      source.start?.();
      source.ports.forEach((port, i) => {
        const slot = this.#slot(port);
        const dead = source.deaths.of(i);
        if (dead !== undefined) this.#kill(slot, dead);
        this.#slots.push(slot);
      });
      this.#stopListening = source.deaths.listen(this.#onDeath);
    } else {
      for (let i = 0; i < size; i++) {
        const worker = spawnWorker(source.url);
        const slot = this.#slot(worker);
        worker.on("error", (e: Error) => this.#kill(slot, e));
        worker.on("exit", (code: number) => {
          if (!this.#closed) this.#kill(slot, new Error(`worker exited with code ${code}`));
        });
        this.#slots.push(slot);
      }
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  /** Batches in flight over all workers. */
  get inflight(): number {
    let n = 0;
    for (const s of this.#slots) n += s.inflight.size;
    return n;
  }

  #slot(endpoint: Worker | MessagePort | InThread): Slot {
    const slot: Slot = { endpoint, inflight: new Map() };
    endpoint.on("message", (res: WorkerResponse) => {
      const p = slot.inflight.get(res.batch);
      slot.inflight.delete(res.batch);
      if (slot.inflight.size === 0) endpoint.unref();
      p?.resolve(res);
    });
    endpoint.unref();
    return slot;
  }

  /** A worker is gone: its batches in flight fail, and it gets no more. */
  #kill(slot: Slot, e: Error): void {
    slot.dead ??= e;
    for (const p of slot.inflight.values()) p.reject(e);
    slot.inflight.clear();
  }

  #onDeath = (index: number, e: Error) => {
    const slot = this.#slots[index];
    if (slot !== undefined) this.#kill(slot, e);
  };

  #send(req: WorkerRequest): Promise<WorkerResponse> {
    if (this.#closed) return Promise.reject(new Error("worker pool is closed"));
    let best: Slot | undefined;
    for (const s of this.#slots) {
      if (s.dead === undefined && (best === undefined || s.inflight.size < best.inflight.size)) {
        best = s;
      }
    }
    if (best === undefined) return Promise.reject(this.#slots[0]?.dead ?? new Error("no workers"));
    const slot = best;
    return new Promise((resolve, reject) => {
      slot.inflight.set(req.batch, { resolve, reject });
      slot.endpoint.ref();
      slot.endpoint.postMessage(req, []);
    });
  }

  /** Copies+hashes a batch of files; results come back in job order. */
  async copy(jobs: CopyJob[], sidecar: SidecarSpec): Promise<CopyResult[]> {
    const res = await this.#send({ kind: "copy", batch: this.#next++, sidecar, jobs });
    if (res.kind !== "copied") throw new Error(`worker answered ${res.kind} to copy`);
    return res.results;
  }

  /** Hashes a batch of files; results come back in job order. */
  async hash(jobs: HashJob[]): Promise<HashResult[]> {
    const res = await this.#send({ kind: "hash", batch: this.#next++, jobs });
    if (res.kind !== "hashed") throw new Error(`worker answered ${res.kind} to hash`);
    return res.results;
  }

  /** Terminates every worker (adopted ones: closes their ports; their thread ends them). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopListening?.();
    await Promise.all(
      this.#slots.map((s) =>
        "terminate" in s.endpoint ? s.endpoint.terminate() : s.endpoint.close()
      ),
    );
  }
}
