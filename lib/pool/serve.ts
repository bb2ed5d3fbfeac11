/**
 * What a pool worker does with a request: each job of a batch through lib/snapshot/file_entry.ts
 * (copy) or lib/fs/copy_hash.ts (hash), each failure as `{ code, message }`. Runs in the
 * workers (workers/snap_worker.ts) and, for a handful of small files, in the thread
 * that asked (lib/pool/in_thread.ts).
 */
import { failureCodeOf } from "../errors.ts";
import { snapshotFile } from "../snapshot/file_entry.ts";
import { DIRECT_ALIGN, hashFile } from "../fs/copy_hash.ts";
import { alignedBuffer, initRuntime } from "../fs/runtime.ts";
import type {
  CopyResult,
  HashResult,
  WireError,
  WorkerRequest,
  WorkerResponse,
} from "./protocol.ts";

const BUF_SIZE = 1 << 20;

/** This thread's scratch buffers, once `prepareServing` has run. */
let buffers: { buf: Uint8Array; direct: Uint8Array | undefined } | undefined;

/**
 * Readies this thread to serve: the FFI, a copy buffer and an aligned one for
 * O_DIRECT payload writes (none without FFI: then every write is buffered).
 */
export async function prepareServing(): Promise<void> {
  await initRuntime();
  buffers ??= { buf: new Uint8Array(BUF_SIZE), direct: alignedBuffer(BUF_SIZE, DIRECT_ALIGN) };
}

function wire(e: unknown): WireError {
  return {
    code: failureCodeOf(e),
    message: e instanceof Error ? e.message : String(e),
  };
}

/** Serves one request (after `prepareServing`); a job's failure is its result, not a throw. */
export function serveRequest(req: WorkerRequest): WorkerResponse {
  if (buffers === undefined) throw new Error("serveRequest before prepareServing");
  const { buf, direct } = buffers;
  if (req.kind === "copy") {
    const results: CopyResult[] = req.jobs.map((j) => {
      try {
        return { ok: true, ...snapshotFile(j, req.sidecar, buf, direct) };
      } catch (e) {
        return { ok: false, error: wire(e) };
      }
    });
    return { kind: "copied", batch: req.batch, results };
  }
  const results: HashResult[] = req.jobs.map((j) => {
    try {
      return { ok: true, ...hashFile(j.path, buf) };
    } catch (e) {
      return { ok: false, error: wire(e) };
    }
  });
  return { kind: "hashed", batch: req.batch, results };
}
