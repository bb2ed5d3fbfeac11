/** Where tests' pools get their workers: the worker module next to main.ts, as main.ts says. */
import type { WorkerSource } from "../../lib/pool/pool.ts";

/** The worker module (workers/snap_worker.ts). */
export const SNAP_WORKER = new URL("../../workers/snap_worker.ts", import.meta.url);

/** Pools that start workers of their own from `SNAP_WORKER`. */
export const SPAWN: WorkerSource = { kind: "spawn", url: SNAP_WORKER };
