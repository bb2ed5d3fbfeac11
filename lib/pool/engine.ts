/**
 * Deno's engine worker: the thread that runs a tree-walking command with a sized V8 heap,
 * and the pool's workers started beside it.
 *
 * On the starting thread (`runInEngine`): start the engine (main.ts again, given its
 * argv and one port per pool worker); when the engine first asks for its pool, start the
 * pool's workers on the other ends of those ports (a run that copies nothing starts
 * none: ~30 ms each on Deno); report each worker's death to the engine; resolve with the
 * outcome the engine posts. On the engine thread (`serveEngine`): adopt the ports, turn death reports into
 * `WorkerDeaths`, run the command, post its outcome.
 */
import { fs } from "../fs/sys.ts";
import type { MessagePort, Worker } from "node:worker_threads";
import type { CommandName } from "../cli/parse.ts";
import type { ErrorCode } from "../errors.ts";
import { isDeno } from "../fs/runtime.ts";
import { spawnWorker, WorkerDeaths, type WorkerSource } from "./pool.ts";

/**
 * On Deno these commands run in a worker thread whose V8 heap is sized here. Left to
 * itself, V8 sizes the main isolate's heap for throughput: a 100,000-file snapshot
 * ended at ~220 MB RSS against ~145 MB for 10,000 files, with ~10 MB live. A small
 * young generation (semi-space 2 MB) keeps it at ~185 MB. An old-generation limit
 * changed nothing (measured), so V8's default ceiling stays. `deno run` takes V8 flags
 * only on its command line; worker limits are the one knob code has. Not `run` (it
 * handles signals and its COMMAND's terminal), `list`, `prune` or `demo`. Bun runs
 * JavaScriptCore, which has no such limits and does not need them.
 *
 * The pool's workers are started beside the engine, by the starting thread, and reach it
 * over MessagePorts: Deno relays messages to a worker's own workers ~5× slower. A
 * snapshot of a few small targets needs neither (lib/commands/dispatch.ts `inThread`).
 */
const HEAP_SIZED: ReadonlySet<CommandName> = new Set(["snapshot", "restore", "verify"]);
const HEAP_LIMITS = { maxYoungGenerationSizeMb: 6 };

/** A command's outcome (lib/commands/context.ts `Outcome`), as the engine posts it. */
type Outcome = "OK" | ErrorCode;

interface EngineData {
  snapyardArgv: string[];
  poolPorts: MessagePort[];
}

/** The engine's request for its pool's workers (before any outcome). */
const START_POOL = "start-pool";

/** A death report, starting thread to engine. */
interface Died {
  died: number;
  message: string;
}

/**
 * node:worker_threads, loaded only where a worker is started or served: a run that starts
 * none does not evaluate it (Deno: 5-10 ms, Bun: ~15 ms).
 */
function threads(): typeof import("node:worker_threads") {
  return process.getBuiltinModule("node:worker_threads");
}

/**
 * Whether this thread is Deno's engine worker (main.ts runs `serveEngine` then). Only Deno
 * starts one, and there a node:worker_threads Worker is a web worker: its global scope is
 * a DedicatedWorkerGlobalScope, the main thread's a Window. Asked so, not through
 * `isMainThread`, which would load node:worker_threads on every run.
 */
export function isEngineThread(): boolean {
  return isDeno && "DedicatedWorkerGlobalScope" in globalThis;
}

/**
 * Whether `command` runs in the engine worker: on Deno's main thread, a heap-sized
 * command that is not known to be small (`knownSmall`: its pool serves in the calling
 * thread, or its PATHs' last runs were small; lib/commands/dispatch.ts decides).
 */
export function runsInEngine(command: CommandName, knownSmall: () => boolean): boolean {
  // Asked last: knowing a run small costs a listing and a record read.
  return isDeno && HEAP_SIZED.has(command) && !isEngineThread() && !knownSmall();
}

/**
 * Runs `argv` in the engine worker, module `entry` (main.ts, which calls `serveEngine`
 * off the main thread), with `workers` pool workers of module `workerUrl` beside it,
 * started right after the engine when `atOnce`, else when it first asks for them.
 * An engine that ends without posting an outcome (out of memory, killed) is an internal
 * error.
 */
export function runInEngine(
  entry: URL,
  argv: string[],
  workerUrl: URL,
  workers: number,
  atOnce: boolean,
): Promise<Outcome> {
  // The engine first, then the pool's workers (Deno blocks the starting thread ~40 ms for
  // each worker's isolate set-up, while the engine starts on its own thread).
  const { MessageChannel, Worker } = threads();
  const channels = Array.from({ length: workers }, () => new MessageChannel());
  const poolPorts = channels.map((c) => c.port2);
  const data: EngineData = { snapyardArgv: argv, poolPorts };
  const engine = new Worker(entry, {
    workerData: data,
    transferList: poolPorts,
    resourceLimits: HEAP_LIMITS,
  });
  let pool: Worker[] = [];
  let done = false;
  const startPool = () => {
    if (pool.length > 0) return;
    // What the engine sent before this waits in the channels.
    pool = channels.map((c) => spawnWorker(workerUrl, c.port1));
    pool.forEach((w, i) => {
      const died = (e: Error) => {
        if (!done) engine.postMessage({ died: i, message: e.message } satisfies Died);
      };
      w.on("error", died);
      w.on("exit", (code: number) => died(new Error(`worker exited with code ${code}`)));
    });
  };
  if (atOnce) startPool();
  return new Promise<Outcome>((resolve) => {
    const end = (outcome: Outcome) => {
      if (done) return;
      done = true;
      resolve(outcome);
      for (const w of [engine, ...pool]) void w.terminate();
    };
    engine.on("message", (m: Outcome | typeof START_POOL) => {
      if (m === START_POOL) startPool();
      else end(m);
    });
    engine.on("error", (e: Error) => {
      fs.writeSync(2, `snapyard: internal error: ${e.stack ?? e.message}\n`);
      end("INTERNAL");
    });
    engine.on("exit", () => end("INTERNAL"));
  });
}

/**
 * The engine worker's side of `runInEngine`: runs `main` on the argv it was given, its
 * pool adopting the workers started beside it, and posts the outcome.
 */
export async function serveEngine(
  main: (argv: string[], workers: WorkerSource) => Promise<Outcome>,
): Promise<void> {
  const { parentPort: port, workerData } = threads();
  if (port === null) throw new Error("serveEngine must run in a node:worker_threads Worker");
  const data = workerData as EngineData;
  const deaths = new WorkerDeaths();
  port.on("message", (m: Died) => deaths.report(m.died, new Error(m.message)));
  port.unref();
  const start = () => port.postMessage(START_POOL);
  const source: WorkerSource = { kind: "adopt", ports: data.poolPorts, deaths, start };
  port.postMessage(await main(data.snapyardArgv, source));
}
