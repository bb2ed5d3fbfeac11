/**
 * snapyard's entry point: parse arguments, run the command, map the outcome to the
 * exit code of the contract (shared/spec/cli.md). Nothing else lives here.
 */
import { execute } from "./lib/app.ts";
import { parseCommandLine } from "./lib/cli.ts";
import { type ErrorCode, SnapyardError } from "./lib/errors.ts";
import { helpText, VERSION } from "./lib/help.ts";
import { setWorkerUrl } from "./lib/pool.ts";
import { writeSync } from "node:fs";

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

process.exitCode = await main(process.argv.slice(2));
