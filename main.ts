/**
 * snapyard's entry point: parse arguments, dispatch, map the outcome to the exit code of the
 * contract (docs/cli.md). Off the main thread (Deno), it is the engine (lib/pool/engine.ts).
 */
import { parseCommandLine, processEnv } from "./lib/cli/parse.ts";
import { dispatch, reportFailure, type Threads } from "./lib/commands/dispatch.ts";
import { EXIT_CODES, type Outcome } from "./lib/errors.ts";
import { isEngineThread, serveEngine } from "./lib/pool/engine.ts";
import { proc } from "./lib/fs/sys.ts";

// Relative to this file: in a compiled binary every bundled module has this file's URL.
const ENTRY = new URL(import.meta.url);
const SPAWN = { kind: "spawn", url: new URL("./workers/snap_worker.ts", import.meta.url) } as const;

/** Runs `argv`, its pools' workers from `workers`. */
async function main(argv: string[], workers: Threads["workers"]): Promise<Outcome> {
  const env = processEnv();
  try {
    return await dispatch(parseCommandLine(argv, env), argv, { entry: ENTRY, workers });
  } catch (e) {
    return reportFailure(e, argv, env);
  }
}

if (isEngineThread()) await serveEngine(main);
else proc.setExitCode(EXIT_CODES[await main(proc.args(), SPAWN)]);
