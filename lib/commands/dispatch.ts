/**
 * Runs a parsed invocation: prints help or the version, or runs the command, on Deno
 * a heap-sized one in the engine worker (lib/pool/engine.ts). A command run here:
 * loads its module, sets up the reporter, the lazily started worker pool (its workers
 * from the `WorkerSource` main.ts or the engine gives, or this thread for few and small
 * targets: `inThread`) and, for commands that change anything, the run lock; then calls
 * the command and always tears down (lock released, workers terminated, output flushed).
 * An error that ends the invocation is reported once, by `reportFailure`.
 */
import { writeSync } from "node:fs";
import type { CommandName, Invocation, Options } from "../cli/parse.ts";
import { helpText, VERSION } from "../cli/help.ts";
import type { CommandContext, Outcome } from "./context.ts";
import { SnapyardError } from "../errors.ts";
import { type Io, realIo } from "../fs/io.ts";
import { acquireLock, defaultLockPath } from "../fs/lock.ts";
import { runInEngine, runsInEngine } from "../pool/engine.ts";
import { servesInThread } from "../pool/in_thread.ts";
import { WorkerPool, type WorkerSource } from "../pool/pool.ts";
import { Reporter } from "../cli/report.ts";
import type { BPath } from "../fs/bpath.ts";
import { initRuntime } from "../fs/runtime.ts";

type Handler = (ctx: CommandContext) => Promise<Outcome>;

/**
 * Each command's module, loaded when the command runs here: on Deno the main thread of
 * a command that runs in the engine never runs one, and starts the engine sooner
 * without loading them all.
 */
const HANDLERS: Record<CommandName, () => Promise<Handler>> = {
  snapshot: async () => (await import("./snapshot.ts")).snapshotCommand,
  restore: async () => (await import("./restore.ts")).restoreCommand,
  verify: async () => (await import("./verify.ts")).verifyCommand,
  list: async () => (await import("./list.ts")).listCommand,
  prune: async () => (await import("./prune.ts")).pruneCommand,
  run: async () => (await import("./run.ts")).runCommand,
  demo: async () => (await import("./demo.ts")).cmdDemo,
  runs: async () => (await import("./runs.ts")).runsCommand,
};

/** Commands that change anything hold the run lock. */
const LOCKING: ReadonlySet<CommandName> = new Set(["snapshot", "restore", "prune", "run"]);

/**
 * Commands whose pool serves in the calling thread when their targets are few and small
 * (lib/pool/in_thread.ts `servesInThread`): `snapshot` and `run` (its snapshot and any
 * rollback). Other commands' work depends on entries, not on the targets' sizes.
 */
const IN_THREAD: ReadonlySet<CommandName> = new Set(["snapshot", "run"]);

/** Whether `command`'s pool, for these targets, serves in the calling thread. */
export function inThread(command: CommandName, paths: readonly BPath[]): boolean {
  return IN_THREAD.has(command) && servesInThread(paths);
}

/**
 * The threads a command may start. main.ts computes the URLs: in a compiled binary every
 * bundled module has main.ts's `import.meta.url`, so lib/ cannot.
 */
export interface Threads {
  /** main.ts, which the engine worker runs again (lib/pool/engine.ts). */
  entry: URL;
  /** Where the pools' workers come from. */
  workers: WorkerSource;
}

/**
 * Runs `inv`, parsed from `argv`: help and version are printed; a command runs here or
 * in the engine (given `argv`, which it parses again).
 * @throws SnapyardError and any other error of the command (after teardown)
 */
export async function dispatch(
  inv: Invocation,
  argv: string[],
  threads: Threads,
): Promise<Outcome> {
  if (inv.kind === "version") {
    writeSync(1, `snapyard ${VERSION}\n`);
    return "OK";
  }
  if (inv.kind === "help") {
    writeSync(1, helpText(inv.command) + "\n");
    return "OK";
  }
  const { entry, workers } = threads;
  if (workers.kind === "spawn" && runsInEngine(inv.command, inThread(inv.command, inv.paths))) {
    return await runInEngine(entry, argv, workers.url, inv.options.workers);
  }
  return await execute(inv.command, inv.paths, inv.argv, inv.options, workers);
}

/** Reports `e`, which ended an invocation, on stderr (a bug with its stack): its outcome. */
export function reportFailure(e: unknown): Outcome {
  if (e instanceof SnapyardError) {
    writeSync(2, `snapyard: ${e.message}\n`);
    return e.code;
  }
  writeSync(
    2,
    `snapyard: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`,
  );
  return "INTERNAL";
}

/**
 * Executes one command in this thread, its pool's workers from `workers` (none when
 * `inThread`).
 * @throws SnapyardError and any other error of the command (after teardown)
 */
export async function execute(
  command: CommandName,
  paths: BPath[],
  argv: string[],
  options: Options,
  workers: WorkerSource,
  reporter: Reporter = new Reporter(options.json ? "json" : options.quiet ? "quiet" : "human"),
  io: Io = realIo,
): Promise<Outcome> {
  const handler = await HANDLERS[command]();
  await initRuntime();
  let pool: WorkerPool | undefined;
  const ctx: CommandContext = {
    paths,
    argv,
    options,
    reporter,
    io,
    pool: () => (pool ??= new WorkerPool(
      inThread(command, paths) ? { kind: "in-thread" } : workers,
      options.workers,
    )),
  };
  const lock = LOCKING.has(command) && !(options.dryRun && command !== "run")
    ? await acquireLock(options.lock ?? defaultLockPath(options.store), options.lockTimeoutMs)
    : undefined;
  try {
    return await handler(ctx);
  } finally {
    lock?.release();
    reporter.flush();
    await pool?.close();
  }
}
