/**
 * snapyard's entry point: parse arguments, dispatch, map the outcome to the exit code of the
 * contract (docs/cli.md). Off the main thread (Deno), it is the engine (lib/pool/engine.ts).
 */
import { isMainThread } from "node:worker_threads";
import { parseCommandLine } from "./lib/cli/parse.ts";
import { dispatch, reportFailure, type Threads } from "./lib/commands/dispatch.ts";
import type { ErrorCode } from "./lib/errors.ts";
import { serveEngine } from "./lib/pool/engine.ts";

// Relative to this file: in a compiled binary every bundled module has this file's URL.
const ENTRY = new URL(import.meta.url);
const SPAWN = { kind: "spawn", url: new URL("./workers/snap_worker.ts", import.meta.url) } as const;

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

/** Runs `argv`, its pools' workers from `workers`. */
async function main(argv: string[], workers: Threads["workers"]): Promise<"OK" | ErrorCode> {
  try {
    return await dispatch(parseCommandLine(argv), argv, { entry: ENTRY, workers });
  } catch (e) {
    return reportFailure(e);
  }
}

if (isMainThread) process.exitCode = exitCode(await main(process.argv.slice(2), SPAWN));
else await serveEngine(main);
