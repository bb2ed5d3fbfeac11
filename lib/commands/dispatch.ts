/**
 * Runs a parsed command: sets up the reporter, the lazily started worker pool and,
 * for commands that change anything, the run lock; then calls the command and
 * always tears down (lock released, workers terminated, output flushed).
 */
import { cmdDemo } from "./demo.ts";
import { listCommand } from "./list.ts";
import { pruneCommand } from "./prune.ts";
import { restoreCommand } from "./restore.ts";
import { runCommand } from "./run.ts";
import { snapshotCommand } from "./snapshot.ts";
import { verifyCommand } from "./verify.ts";
import type { CommandName, Options } from "../cli/parse.ts";
import type { CommandContext, Outcome } from "./context.ts";
import { type Io, realIo } from "../fs/io.ts";
import { acquireLock, defaultLockPath } from "../fs/lock.ts";
import { servesInThread, WorkerPool } from "../pool/pool.ts";
import { Reporter } from "../cli/report.ts";
import type { BPath } from "../fs/bpath.ts";
import { initRuntime } from "../fs/runtime.ts";

const HANDLERS: Record<CommandName, (ctx: CommandContext) => Promise<Outcome>> = {
  snapshot: snapshotCommand,
  restore: restoreCommand,
  verify: verifyCommand,
  list: listCommand,
  prune: pruneCommand,
  run: runCommand,
  demo: cmdDemo,
};

/** Commands that change anything hold the run lock. */
const LOCKING: ReadonlySet<CommandName> = new Set(["snapshot", "restore", "prune", "run"]);

/** Executes one command; errors propagate to main.ts (after teardown). */
export async function execute(
  command: CommandName,
  paths: BPath[],
  argv: string[],
  options: Options,
  reporter: Reporter = new Reporter(options.json ? "json" : options.quiet ? "quiet" : "human"),
  io: Io = realIo,
): Promise<Outcome> {
  await initRuntime();
  let pool: WorkerPool | undefined;
  const ctx: CommandContext = {
    paths,
    argv,
    options,
    reporter,
    io,
    pool: () => (pool ??= new WorkerPool(options.workers, servesInThread(command, paths))),
  };
  const lock = LOCKING.has(command) && !(options.dryRun && command !== "run")
    ? await acquireLock(options.lock ?? defaultLockPath(options.store), options.lockTimeoutMs)
    : undefined;
  try {
    return await HANDLERS[command](ctx);
  } finally {
    lock?.release();
    reporter.flush();
    await pool?.close();
  }
}
