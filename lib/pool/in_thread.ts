/**
 * Serving a pool's requests in the calling thread: when it pays (`servesInThread`, a rule on
 * the targets alone; which commands may use it is lib/commands/dispatch.ts's to say) and the
 * endpoint that does it (`InThread`: it loads lib/pool/serve.ts on first use, then serves
 * each request a turn of the event loop later).
 */
import type { BPath } from "../fs/bpath.ts";
import { lstatQuiet } from "../fs/stat.ts";
import type { WorkerRequest, WorkerResponse } from "./protocol.ts";

/**
 * At most this many targets, none a directory, with at most `ONE_THREAD_BYTES` of
 * files between them, are served in the calling thread (`servesInThread`): starting
 * workers would cost more than the work (Deno: ~30 ms per worker, one after another;
 * a one-file snapshot took 0.13 s with workers).
 */
const ONE_THREAD_TARGETS = 8;
const ONE_THREAD_BYTES = 8 << 20;

/**
 * Whether copying `paths` is too little work to start workers for: few and small
 * targets, files, symlinks and absent paths only (a directory can hold any amount).
 */
export function servesInThread(paths: readonly BPath[]): boolean {
  if (paths.length > ONE_THREAD_TARGETS) return false;
  let bytes = 0;
  for (const p of paths) {
    // Absent or unreadable (the engine reports it): no work for a pool.
    const st = lstatQuiet(p);
    if (st === undefined) continue;
    if (st.isDirectory()) return false;
    if (st.isFile()) bytes += st.size;
  }
  return bytes <= ONE_THREAD_BYTES;
}

/** An endpoint that serves requests in this thread, a turn of the event loop later. */
export class InThread {
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
