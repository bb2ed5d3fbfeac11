/**
 * Worker adapter: receive a request, serve it (lib/pool/serve.ts), post the response.
 */
import { type MessagePort, parentPort, threadId, workerData } from "node:worker_threads";
import { setTempThread } from "../lib/store/layout.ts";
import { prepareServing, serveRequest } from "../lib/pool/serve.ts";
import type { WorkerRequest } from "../lib/pool/protocol.ts";

const ready = prepareServing();
setTempThread(threadId);

if (parentPort === null) throw new Error("snap_worker must run as a node:worker_threads Worker");
// Requests come from the parent, or over a port from a sibling (lib/pool/engine.ts).
const port = (workerData as { port?: MessagePort } | null)?.port ?? parentPort;
// Requests wait for the FFI (a promise chain keeps their order).
port.on("message", (req: WorkerRequest) => {
  void ready.then(() => port.postMessage(serveRequest(req)));
});
