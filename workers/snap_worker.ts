/**
 * Worker adapter: decode a request, call lib/payload.ts for each job, post the results.
 */
import { type MessagePort, parentPort, threadId, workerData } from "node:worker_threads";
import { errnoOf } from "../lib/errors.ts";
import { setTempThread } from "../lib/layout.ts";
import { snapshotFile } from "../lib/file_entry.ts";
import { DIRECT_ALIGN, hashFile } from "../lib/payload.ts";
import { alignedBuffer, initRuntime } from "../lib/runtime.ts";
import type {
  CopyResult,
  HashResult,
  WireError,
  WorkerRequest,
  WorkerResponse,
} from "./protocol.ts";

const BUF_SIZE = 1 << 20;
const buf = new Uint8Array(BUF_SIZE);
/** For O_DIRECT payload writes; undefined without FFI (then every write is buffered). */
let direct: Uint8Array | undefined;
const ready = initRuntime().then(() => {
  direct = alignedBuffer(BUF_SIZE, DIRECT_ALIGN);
});
setTempThread(threadId);

function wire(e: unknown): WireError {
  return {
    code: errnoOf(e) ?? "EUNKNOWN",
    message: e instanceof Error ? e.message : String(e),
  };
}

function handle(req: WorkerRequest): WorkerResponse {
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

if (parentPort === null) throw new Error("snap_worker must run as a node:worker_threads Worker");
// Requests come from the parent, or over a port from a sibling (lib/pool.ts `adoptWorkers`).
const port = (workerData as { port?: MessagePort } | null)?.port ?? parentPort;
// Requests wait for the FFI (a promise chain keeps their order).
port.on("message", (req: WorkerRequest) => {
  void ready.then(() => port.postMessage(handle(req)));
});
