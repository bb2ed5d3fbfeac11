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
import * as fs from "node:fs";
import { type MessagePort, Worker } from "node:worker_threads";
import { type BPath, fsPath } from "../fs/bpath.ts";
import type {
  CopyJob,
  CopyResult,
  HashJob,
  HashResult,
  SidecarSpec,
  WorkerRequest,
  WorkerResponse,
} from "./protocol.ts";

/**
 * At most this many targets, none a directory, with at most `ONE_THREAD_BYTES` of
 * files between them, are served in the calling thread (`servesInThread`): starting
 * workers would cost more than the work (Deno: ~30 ms per worker, one after another;
 * a one-file snapshot took 0.13 s with workers).
 */
const ONE_THREAD_TARGETS = 8;
const ONE_THREAD_BYTES = 8 << 20;

/** Young-generation cap of each worker's heap (V8). */
const YOUNG_GENERATION_MB = 4;

let workerUrl = new URL("../../workers/snap_worker.ts", import.meta.url);

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

/**
 * Whether `command`'s pool serves in the calling thread: `snapshot` and `run` (its
 * snapshot and any rollback) of few and small targets: files, symlinks and absent
 * paths only (a directory can hold any amount). Other commands' work depends on
 * entries, not on the targets' sizes.
 */
export function servesInThread(command: string, paths: readonly BPath[]): boolean {
  if (command !== "snapshot" && command !== "run") return false;
  if (paths.length > ONE_THREAD_TARGETS) return false;
  let bytes = 0;
  for (const p of paths) {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(fsPath(p), { throwIfNoEntry: false });
    } catch (_e) {
      // ENOTDIR, EACCES, ...: the engine reports this target; it is no work for a pool.
      continue;
    }
    if (st === undefined) continue;
    if (st.isDirectory()) return false;
    if (st.isFile()) bytes += st.size;
  }
  return bytes <= ONE_THREAD_BYTES;
}

/** An endpoint that serves requests in this thread, a turn of the event loop later. */
class InThread {
  #listeners: ((res: WorkerResponse) => void)[] = [];
  /** Called instead of answering when serving throws (a bug, not a job's failure). */
  onError: (e: Error) => void = () => {};

  on(_event: "message", listener: (res: WorkerResponse) => void): void {
    this.#listeners.push(listener);
  }

  postMessage(req: WorkerRequest, _transfer: []): void {
    import("./serve.ts").then(async (serve) => {
      await serve.prepareServing();
      const res = serve.serveRequest(req);
      for (const f of this.#listeners) f(res);
    }).catch((e) => this.onError(e instanceof Error ? e : new Error(String(e))));
  }

  ref(): void {}
  unref(): void {}
  close(): void {}
}

interface Slot {
  endpoint: Worker | MessagePort | InThread;
  inflight: Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void }>;
  /** Why the worker is gone, once it is: it gets no more batches. */
  dead?: Error;
}

/** A pool of snapshot workers. */
export class WorkerPool {
  #slots: Slot[] = [];
  #next = 1;
  #closed = false;

  /**
   * Starts `size` workers, or uses the adopted ones (see `adoptWorkers`), or with
   * `inThread` serves every request in this thread (see `servesInThread`).
   */
  constructor(size: number, inThread = false) {
    if (inThread) {
      const endpoint = new InThread();
      const slot = this.#slot(endpoint);
      endpoint.onError = (e) => this.#kill(slot, e);
      this.#slots.push(slot);
    } else if (adopted !== undefined) {
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
    deathListeners.delete(this.#onDeath);
    await Promise.all(
      this.#slots.map((s) =>
        s.endpoint instanceof Worker ? s.endpoint.terminate() : s.endpoint.close()
      ),
    );
  }
}
