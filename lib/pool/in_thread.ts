/**
 * Serving a pool's requests in the calling thread: when it pays (`servesInThread`, a rule on
 * the targets alone; which commands may use it is lib/commands/dispatch.ts's to say) and the
 * endpoint that does it (`InThread`: it loads lib/pool/serve.ts on first use, then serves
 * each request a turn of the event loop later).
 */
import { type BPath, type DirEntry, joinName, readDirents } from "../fs/bpath.ts";
import { isOwnName } from "../store/layout.ts";
import { lstatQuiet } from "../fs/stat.ts";
import type { WorkerRequest, WorkerResponse } from "./protocol.ts";

/**
 * At most this many targets, with at most `ONE_THREAD_BYTES` of files between them, are
 * served in the calling thread (`servesInThread`): starting workers would cost more than
 * the work (Deno: ~30 ms per worker, one after another; a one-file snapshot took 0.13 s
 * with workers, and a first run of a one-file directory 0.40 s against 0.17 s without).
 */
const ONE_THREAD_TARGETS = 8;
const ONE_THREAD_BYTES = 8 << 20;
/** How many paths the look at the targets may lstat before it calls them not small. */
const ONE_THREAD_LOOKS = 4 * ONE_THREAD_TARGETS;

/** What the look at the targets may still find. */
interface Budget {
  targets: number;
  bytes: number;
  looks: number;
}

/**
 * Whether copying `paths` is too little work to start workers for: few and small targets,
 * directories looked into (files, symlinks and absent paths count; snapyard's own files
 * beside the targets do not). The look is bounded: it stops at the first directory that
 * lists more names than targets are left, and after `ONE_THREAD_LOOKS` lstats. A tree
 * that grows after the look is still copied, in this thread.
 */
export function servesInThread(paths: readonly BPath[]): boolean {
  const budget = { targets: ONE_THREAD_TARGETS, bytes: ONE_THREAD_BYTES, looks: ONE_THREAD_LOOKS };
  return paths.every((p) => fits(p, budget));
}

/** Whether what is at `path` fits in `budget`, which it takes its share of. */
function fits(path: BPath, budget: Budget): boolean {
  if (--budget.looks < 0) return false;
  // Absent or unreadable (the run reports it): a target, no work for a pool.
  const st = lstatQuiet(path);
  if (st?.isDirectory()) {
    let names: DirEntry[];
    try {
      names = readDirents(path);
    } catch (_e) {
      // The run says why it cannot be read; the look only says it does not know.
      return false;
    }
    const inside = names.filter((d) => !isOwnName(d.name as BPath));
    if (inside.length > budget.targets) return false;
    return inside.every((d) => fits(joinName(path, d.name as BPath), budget));
  }
  budget.targets--;
  if (st?.isFile()) budget.bytes -= st.size;
  return budget.targets >= 0 && budget.bytes >= 0;
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
