/**
 * A fixed pool of worker threads (workers/snap_worker.ts) that snapshot or hash
 * batches of files. A request goes to the worker with the fewest batches in flight;
 * `request` resolves with that batch's response. A worker that dies rejects its
 * in-flight batches, so no caller waits forever. Idle workers are unref'ed, and
 * `close()` terminates them.
 */
import { Worker } from "node:worker_threads";
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

interface Slot {
  worker: Worker;
  inflight: Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void }>;
}

/** A pool of snapshot workers. */
export class WorkerPool {
  #slots: Slot[] = [];
  #next = 1;
  #closed = false;

  /** Starts `size` workers. */
  constructor(size: number) {
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
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

  #spawn(): Slot {
    // A worker's live data is one batch: a small young generation keeps a long run's
    // RSS near a short run's (Deno: ~19 instead of ~30 MB per worker after 100,000
    // files). A V8 limit: Bun runs JavaScriptCore.
    const worker = new Worker(workerUrl, {
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const slot: Slot = { worker, inflight: new Map() };
    worker.on("message", (res: WorkerResponse) => {
      const p = slot.inflight.get(res.batch);
      slot.inflight.delete(res.batch);
      if (slot.inflight.size === 0) worker.unref();
      p?.resolve(res);
    });
    const fail = (e: Error) => {
      for (const p of slot.inflight.values()) p.reject(e);
      slot.inflight.clear();
    };
    worker.on("error", (e: Error) => fail(e));
    worker.on("exit", (code: number) => {
      if (!this.#closed) fail(new Error(`worker exited with code ${code}`));
    });
    worker.unref();
    return slot;
  }

  #send(req: WorkerRequest): Promise<WorkerResponse> {
    if (this.#closed) return Promise.reject(new Error("worker pool is closed"));
    let best = this.#slots[0]!;
    for (const s of this.#slots) if (s.inflight.size < best.inflight.size) best = s;
    return new Promise((resolve, reject) => {
      best.inflight.set(req.batch, { resolve, reject });
      best.worker.ref();
      best.worker.postMessage(req);
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

  /** Terminates every worker. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
