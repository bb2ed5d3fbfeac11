/**
 * Runs a parsed invocation: prints help or the version, or runs the command, on Deno
 * a heap-sized one in the engine worker (lib/pool/engine.ts). A command run here:
 * loads its module, sets up the reporter, the lazily started worker pool (its workers
 * from the `WorkerSource` main.ts or the engine gives, or this thread for few and small
 * targets: `inThread`) and, for commands that change anything, the run lock; then calls
 * the command and always tears down (lock released, workers terminated, output flushed).
 * Before any of that, on the main thread, a `--store` is checked (lib/store/usable.ts).
 * An error that ends the invocation is reported once, by `reportFailure`: on stderr, and
 * under `--json` as a last `error` event too.
 */
import { fs } from "../fs/sys.ts";
import {
  type CliEnv,
  type CommandName,
  COMMANDS,
  type Invocation,
  NO_ENV,
  type Options,
  parseCommandLine,
} from "../cli/parse.ts";
import { VERSION } from "../version.ts";
import type { CommandContext, Outcome } from "./context.ts";
import { EXIT_CODES, SnapyardError } from "../errors.ts";
import { type ErrorCommand, type ErrorEvent, SCHEMA } from "../events.ts";
import { checkStore, type StoreUse } from "../store/usable.ts";
import { type Io, realIo } from "../fs/io.ts";
import { acquireLock, defaultLockPath, type HeldLock } from "../fs/lock.ts";
import { RunMeter } from "./metrics.ts";
import { isEngineThread, runInEngine, runsInEngine } from "../pool/engine.ts";
import { servesInThread } from "../pool/in_thread.ts";
import { defaultPoolSize, WorkerPool, type WorkerSource } from "../pool/pool.ts";
import { Reporter } from "../cli/report.ts";
import type { BPath } from "../fs/bpath.ts";
import { initRuntime } from "../fs/runtime.ts";
import { lastRunsSize, type RunSize } from "./known_small.ts";

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
  diff: async () => (await import("./diff.ts")).diffCommand,
  generate: async () => (await import("./generate.ts")).generateCommand,
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
    fs.writeSync(1, `snapyard ${VERSION}\n`);
    return "OK";
  }
  if (inv.kind === "help") {
    // The texts are loaded only to be printed (Bun: ~10 ms to evaluate).
    const { helpText } = await import("../cli/help.ts");
    fs.writeSync(1, helpText(inv.command) + "\n");
    return "OK";
  }
  const { entry, workers } = threads;
  // Once, before the engine starts (it runs this again off the main thread) and before
  // the lock, which lives in the store by default.
  if (!isEngineThread() && inv.options.store !== undefined) {
    const meter = new RunMeter(inv.command, inv.options);
    try {
      checkStore(inv.options.store, storeUse(inv.command, inv.options), inv.options.init);
    } catch (e) {
      meter.failed(e);
      await meter.record(undefined);
      throw e;
    }
  }
  // On Deno: a snapshot its last runs show small stays here; one of unknown size (a first
  // run, which copies every target) gets its pool's workers with the engine, their start
  // overlapping the engine's (~0.05 s), not when it first asks for them.
  let size: RunSize | undefined;
  const here = () => {
    if (inThread(inv.command, inv.paths)) return true;
    if (inv.command !== "snapshot") return false;
    size = lastRunsSize(inv.paths, inv.options.tag, inv.options.store);
    return size === "small";
  };
  if (workers.kind === "spawn" && runsInEngine(inv.command, here)) {
    const n = inv.options.workers ?? defaultPoolSize();
    return await runInEngine(entry, argv, workers.url, n, size === "unknown");
  }
  return await execute(inv.command, inv.paths, inv.argv, inv.options, workers);
}

/** What `command` does with `--store`: snapshots create it; dry runs only read. */
function storeUse(command: CommandName, options: Options): StoreUse {
  if (command === "snapshot" || command === "run") return "create";
  if ((command === "restore" || command === "prune") && !options.dryRun) return "write";
  return "read";
}

/**
 * Reports `e`, which ended the invocation `argv` (run in `env`), on stderr (a bug with its
 * stack) and, under `--json`, as a last `error` event on stdout: its outcome.
 */
export function reportFailure(
  e: unknown,
  argv: readonly string[],
  env: CliEnv = NO_ENV,
): Outcome {
  const known = e instanceof SnapyardError;
  const code = known ? e.code : "INTERNAL";
  const message = known
    ? e.message
    : `internal error: ${e instanceof Error ? e.message : String(e)}`;
  // A bug of ours: its stack on stderr, for the report.
  const stack = !known && e instanceof Error ? e.stack : undefined;
  fs.writeSync(2, `snapyard: ${stack === undefined ? message : `internal error: ${stack}`}\n`);
  const json = jsonOf(argv, env);
  if (json.wanted) {
    const event: ErrorEvent = {
      event: "error",
      command: json.command,
      reason: message,
      code,
      exit: EXIT_CODES[code],
      schema: SCHEMA,
    };
    fs.writeSync(1, JSON.stringify(event) + "\n");
  }
  return code;
}

/**
 * Whether `argv` asks for `--json`, and its command: from the parsed invocation (a
 * `--config` may set `json`), else, when parsing fails, from the words before `--`.
 */
function jsonOf(
  argv: readonly string[],
  env: CliEnv,
): { wanted: boolean; command: ErrorCommand } {
  const dd = argv.indexOf("--");
  const head = dd < 0 ? argv : argv.slice(0, dd);
  let inv: Invocation | undefined;
  try {
    inv = parseCommandLine(argv, env);
  } catch (e) {
    // A usage error: the words are all there is to go on.
    if (!(e instanceof SnapyardError)) throw e;
  }
  const word = inv?.kind === "command"
    ? inv.command
    : head.find((a) => (COMMANDS as readonly string[]).includes(a));
  return {
    wanted: inv?.kind === "command" ? inv.options.json : head.includes("--json"),
    command: (word as CommandName | undefined) ?? "snapyard",
  };
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
      options.workers ?? defaultPoolSize(),
    )),
  };
  const meter = new RunMeter(command, options);
  let lock: HeldLock | undefined;
  try {
    if (LOCKING.has(command) && !(options.dryRun && command !== "run")) {
      const lockPath = options.lock ?? defaultLockPath(options.store);
      lock = await meter.lock(() => acquireLock(lockPath, options.lockTimeoutMs));
    }
    return meter.ended(await handler(ctx));
  } catch (e) {
    meter.failed(e);
    throw e;
  } finally {
    lock?.release();
    reporter.flush();
    await pool?.close();
    await meter.record(reporter.summary);
  }
}
