/**
 * Hashing a list of files on the worker pool, results in input order.
 *
 * The list is cut into batches small enough that every worker gets several (so a few
 * large files still spread over all of them) and at most 64 files each (one message
 * per batch); a bounded number of batches is in flight at once.
 */
import { InflightWindow } from "./inflight.ts";
import type { BPath } from "../fs/bpath.ts";
import { reasonOf } from "../errors.ts";
import type { WorkerPool } from "./pool.ts";
import type { HashResult, WireError } from "./protocol.ts";

const MAX_PER_BATCH = 64;
const BATCHES_PER_WORKER = 4;

/**
 * SHA-256 and size of each of `paths` (symlinks refused, never followed). A file that
 * cannot be hashed, or a worker that dies, gives an `ok: false` result: never a throw.
 */
export async function hashAll(pool: WorkerPool, paths: readonly BPath[]): Promise<HashResult[]> {
  const out: HashResult[] = new Array(paths.length);
  const per = Math.max(
    1,
    Math.min(MAX_PER_BATCH, Math.ceil(paths.length / (pool.size * BATCHES_PER_WORKER))),
  );
  const inflight = new InflightWindow(pool.size * BATCHES_PER_WORKER);
  for (let start = 0; start < paths.length; start += per) {
    const slice = paths.slice(start, start + per);
    const at = start;
    const p = pool.hash(slice.map((path) => ({ path }))).then(
      (results) => results.forEach((r, i) => (out[at + i] = r)),
      (e) => slice.forEach((_p, i) => out[at + i] = { ok: false, error: workerDied(e) }),
    );
    await inflight.add(p);
  }
  await inflight.drain();
  return out;
}

/** The failure of each job of a batch whose worker died or failed (`e`: why). */
export function workerDied(e: unknown): WireError {
  return { code: "WORKER_DIED", message: `worker failed: ${reasonOf(e)}` };
}
