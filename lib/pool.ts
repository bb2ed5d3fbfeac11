/**
 * A fixed pool of worker threads (workers/snap_worker.ts) that snapshot or hash
 * batches of files. A request goes to the worker with the fewest batches in flight;
 * `request` resolves with that batch's response. A worker that dies rejects its
 * in-flight batches, so no caller waits forever. Idle workers are unref'ed, and
 * `close()` terminates them.
 *
 * A pool can also be handed workers that another thread started (`adoptWorkers`): main.ts
 * does that on Deno, where the engine runs in a worker of its own and Deno relays
 * messages to a worker's own workers with ~0.5 ms of latency (siblings talking over a
 * MessagePort: ~0.1 ms). The starting thread watches those workers and reports a death
 * (`workerDied`).
 */
import { type MessagePort, Worker } from "node:worker_threads";
import type {
  CopyJob,
  CopyResult,
  HashJob,
  HashResult,
  SidecarSpec,
  WorkerRequest,
  WorkerResponse,
} from "../workers/protocol.ts";

/** Young-generation cap of each worker's heap (V8). */
const YOUNG_GENERATION_MB = 4;

let workerUrl = new URL("../workers/snap_worker.ts", import.meta.url);

/** Sets where the worker module is (main.ts passes its own relative URL for compiled builds). */
export function setWorkerUrl(url: URL): void {
  workerUrl = url;
}

/** Starts one snapshot worker; with `port`, it serves requests on that port. */
export function spawnWorker(port?: MessagePort): Worker {
  // A worker's live data is one batch: a small young generation keeps a long run's
  // RSS near a short run's (Deno: ~19 instead of ~30 MB per worker after 100,000
  // files). A V8 limit: Bun runs JavaScriptCore.
  return new Worker(workerUrl, {
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    ...(port === undefined ? {} : { workerData: { port }, transferList: [port] }),
  });
}

let adopted: MessagePort[] | undefined;
const deaths = new Map<number, Error>();
const deathListeners = new Set<(index: number, e: Error) => void>();

/**
 * Makes pools use these ports to workers started by another thread, not workers of
 * their own (`undefined`: back to their own).
 */
export function adoptWorkers(ports: MessagePort[] | undefined): void {
  adopted = ports;
  deaths.clear();
}

/** Reports that adopted worker `index` died: its batches, in flight or later, fail with `e`. */
export function workerDied(index: number, e: Error): void {
  deaths.set(index, e);
  for (const f of deathListeners) f(index, e);
}

interface Slot {
  endpoint: Worker | MessagePort;
  inflight: Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void }>;
  /** Why the worker is gone, once it is: it gets no more batches. */
  dead?: Error;
}

/** A pool of snapshot workers. */
export class WorkerPool {
  #slots: Slot[] = [];
  #next = 1;
  #closed = false;

  /** Starts `size` workers, or uses the adopted ones (see `adoptWorkers`). */
  constructor(size: number) {
    if (adopted !== undefined) {
      adopted.forEach((port, i) => {
        const slot = this.#slot(port);
        const dead = deaths.get(i);
        if (dead !== undefined) this.#kill(slot, dead);
        this.#slots.push(slot);
      });
      deathListeners.add(this.#onDeath);
    } else {
      for (let i = 0; i < size; i++) {
        const worker = spawnWorker();
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

  #slot(endpoint: Worker | MessagePort): Slot {
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
    deathListeners.delete(this.#onDeath);
    await Promise.all(
      this.#slots.map((s) =>
        s.endpoint instanceof Worker ? s.endpoint.terminate() : s.endpoint.close()
      ),
    );
  }
}
