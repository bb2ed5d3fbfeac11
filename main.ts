/**
 * snapyard's entry point: parse arguments, run the command (on Deno, the tree-walking
 * commands run in a worker with a sized heap: see HEAP_SIZED), map the outcome to the
 * exit code of the contract (docs/cli.md). Nothing else lives here.
 */
import { parseCommandLine } from "./lib/cli/parse.ts";
import { type ErrorCode, SnapyardError } from "./lib/errors.ts";
import { helpText, VERSION } from "./lib/cli/help.ts";
import {
  adoptWorkers,
  servesInThread,
  setWorkerUrl,
  spawnWorker,
  workerDied,
} from "./lib/pool/pool.ts";
import { isDeno } from "./lib/fs/runtime.ts";
import { writeSync } from "node:fs";
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from "node:worker_threads";

// Relative to this file, so the compiled binary finds the embedded worker.
setWorkerUrl(new URL("./workers/snap_worker.ts", import.meta.url));

/** The exit code for an outcome. */
function exitCode(code: "OK" | ErrorCode): number {
  switch (code) {
    case "OK":
      return 0;
    case "INTERNAL":
      return 1;
    case "USAGE":
      return 2;
    case "PARTIAL":
      return 3;
    case "LOCKED":
      return 30;
    case "BACKUP_MISSING":
      return 60;
    case "RESTORE_FAILED":
      return 70;
    case "INTEGRITY":
      return 71;
    case "COMMAND_FAILED":
      return 80;
  }
}

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
 * The pool's workers are started here, beside the engine, and reach it over
 * MessagePorts: Deno relays messages to a worker's own workers ~5× slower. A snapshot
 * of a few small targets needs neither (lib/pool/pool.ts `servesInThread`).
 */
const HEAP_SIZED = new Set(["snapshot", "restore", "verify"]);
const HEAP_LIMITS = { maxYoungGenerationSizeMb: 6 };

interface EngineData {
  snapyardArgv: string[];
  poolPorts: MessagePort[];
}

/** Runs main(argv) in a heap-sized worker, with `workers` pool workers beside it. */
function mainInWorker(argv: string[], workers: number): Promise<number> {
  // The engine first: Deno blocks the starting thread for each worker's isolate set-up
  // (~40 ms), and the engine loads its modules while the pool's workers are being set up.
  // What it sends them in the meantime waits in the channels.
  const channels = Array.from({ length: workers }, () => new MessageChannel());
  const poolPorts = channels.map((c) => c.port2);
  const data: EngineData = { snapyardArgv: argv, poolPorts };
  const engine = new Worker(new URL(import.meta.url), {
    workerData: data,
    transferList: poolPorts,
    resourceLimits: HEAP_LIMITS,
  });
  const pool = channels.map((c) => spawnWorker(c.port1));
  let done = false;
  pool.forEach((w, i) => {
    const died = (e: Error) => {
      if (!done) engine.postMessage({ died: i, message: e.message });
    };
    w.on("error", died);
    w.on("exit", (code: number) => died(new Error(`worker exited with code ${code}`)));
  });
  return new Promise<number>((resolve) => {
    const end = (code: number) => {
      if (done) return;
      done = true;
      resolve(code);
      for (const w of [engine, ...pool]) void w.terminate();
    };
    engine.on("message", end);
    engine.on("error", (e: Error) => {
      writeSync(2, `snapyard: internal error: ${e.stack ?? e.message}\n`);
      end(1);
    });
    // An exit without a code posted (out of memory, killed): an internal error.
    engine.on("exit", () => end(1));
  });
}

/** The engine worker's side of mainInWorker. */
async function engineMain(data: EngineData): Promise<void> {
  adoptWorkers(data.poolPorts);
  const port = parentPort!;
  port.on("message", (m: { died: number; message: string }) => {
    workerDied(m.died, new Error(m.message));
  });
  port.unref();
  port.postMessage(await main(data.snapyardArgv));
}

async function main(argv: string[]): Promise<number> {
  try {
    const inv = parseCommandLine(argv);
    if (inv.kind === "version") {
      writeSync(1, `snapyard ${VERSION}\n`);
      return 0;
    }
    if (inv.kind === "help") {
      writeSync(1, helpText(inv.command) + "\n");
      return 0;
    }
    if (
      isDeno && isMainThread && HEAP_SIZED.has(inv.command) &&
      !servesInThread(inv.command, inv.paths)
    ) {
      return await mainInWorker(argv, inv.options.workers);
    }
    // Loaded here, not at the top: on Deno the main thread of a heap-sized command never
    // runs a command, and starts the engine sooner without loading them all.
    const { execute } = await import("./lib/commands/dispatch.ts");
    return exitCode(await execute(inv.command, inv.paths, inv.argv, inv.options));
  } catch (e) {
    if (e instanceof SnapyardError) {
      writeSync(2, `snapyard: ${e.message}\n`);
      return exitCode(e.code);
    }
    writeSync(
      2,
      `snapyard: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`,
    );
    return 1;
  }
}

if (isMainThread) process.exitCode = await main(process.argv.slice(2));
else await engineMain(workerData as EngineData);
