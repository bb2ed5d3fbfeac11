/**
 * `run`: snapshot the targets, run a command, and roll the targets back if it fails.
 *
 * Order of steps (the run lock is held throughout, by lib/commands/dispatch.ts):
 * 1. Snapshot every target as one run (lib/snapshot/run.ts). If any target fails, COMMAND
 *    is never started and the outcome is the snapshot's (exit 3).
 * 2. Start COMMAND with inherited stdio; SIGINT and SIGTERM sent to snapyard are
 *    forwarded to it, so snapyard itself lives on to roll back.
 * 3. Exit 0 → done. A non-zero exit, death by a signal, or a command that cannot be
 *    started → roll back: restore every target of the run (entries from its TS until
 *    the snapshot finished; the lock guarantees they are this run's) with a best-effort
 *    forensic pre-snapshot of the broken state, then exit 80. A rollback that fails, or
 *    that finds fewer targets than the run saved, exits 70.
 * While rolling back, SIGINT and SIGTERM are ignored: an interrupted rollback would
 * leave the targets half-restored.
 * A directory target's files that COMMAND created (no entry in the run) are left alone, and
 * listed (lib/run_left.ts): the paths the snapshot's and the rollback's events named are kept
 * for that, one string per target of the run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { BPath } from "./fs/bpath.ts";
import type { Outcome } from "./errors.ts";
import type { Io } from "./fs/io.ts";
import { errnoOf, reasonOf } from "./errors.ts";
import type { Emit, EndFields } from "./events.ts";
import type { WorkerPool } from "./pool/pool.ts";
import { restore, type RestoreSummary } from "./restore/restore.ts";
import { snapshot, type SnapshotSettings, type SnapshotSummary } from "./snapshot/run.ts";
import { leftInPlace, Seen } from "./run_left.ts";

/** What to protect and what to run. */
export interface RunOptions {
  targets: readonly BPath[];
  /** COMMAND and its arguments. */
  argv: readonly string[];
  /** The snapshot's (`--full` only for the snapshot before COMMAND, not the rollback's). */
  settings: SnapshotSettings;
  pool: () => WorkerPool;
  /** Where the run's events (and those of its snapshot and rollback) go. */
  emit: Emit;
  io: Io;
}

/** How COMMAND ended. */
export type CommandEnd =
  | { kind: "exit"; code: number }
  | { kind: "signal"; signal: string }
  | { kind: "spawn_error"; reason: string };

/** What a `run` did. */
export interface RunResult {
  outcome: Outcome;
  snapshot: SnapshotSummary;
  /** Undefined when COMMAND was not started (the snapshot failed). */
  end?: CommandEnd;
  rollback?: RestoreSummary;
  /** After a rollback: what COMMAND created below a directory target, left in place. */
  left?: string[];
}

const FORWARDED = ["SIGINT", "SIGTERM"] as const;

/** Runs steps 1–3; see the module header. */
export async function runProtected(opts: RunOptions): Promise<RunResult> {
  const seen = new Seen(opts.emit);
  const emit = seen.emit;
  const targets = [...new Set(opts.targets)];
  const set = opts.settings;
  const snap = await snapshot({
    ...set,
    paths: targets,
    pool: opts.pool,
    origin: "run",
    emit,
    io: opts.io,
  });
  const saved = snap.files + snap.symlinks + snap.absent + snap.deleted;
  // Every target the run covered, saved now or unchanged since an older entry.
  const covered = snap.targets - snap.skipped;
  if (snap.failed > 0) {
    emit({
      event: "error",
      command: "run",
      reason: "snapshot failed; command not run",
      run: snap.run,
      program: String(opts.argv[0]),
      failed: snap.failed,
    });
    return { outcome: "PARTIAL", snapshot: snap };
  }
  // The snapshot returns once the clock has passed its TS: entries from `snap.run` up to
  // now are this run's (the lock keeps every other run of ours out).
  const until = Date.now();
  // Its output comes out before COMMAND's (lib/cli/report.ts flushes on this event).
  emit({
    event: "snapshot",
    command: "run",
    run: snap.run,
    saved,
    skipped: snap.skipped,
    argv: [...opts.argv],
  });

  // SIGINT/SIGTERM: forwarded to COMMAND while it runs, ignored while rolling back.
  // Installed before the spawn, and one event-loop turn is let pass: Bun (and at times
  // Deno) only acts on a new listener after that, and a signal arriving earlier would kill
  // snapyard with COMMAND orphaned and nothing rolled back.
  let child: ChildProcess | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      forward(child.pid, s);
    } else {
      emit({
        event: "warning",
        command: "run",
        what: "signal_ignored",
        reason: `${s} ignored`,
        signal: s,
      });
    }
  };
  const handlers = FORWARDED.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const end = await new Promise<CommandEnd>((resolve) => {
      child = spawn(opts.argv[0]!, opts.argv.slice(1), { stdio: "inherit" });
      child.on("error", (e) => resolve({ kind: "spawn_error", reason: reasonOf(e) }));
      child.on("exit", (code, signal) => {
        resolve(signal !== null ? { kind: "signal", signal } : { kind: "exit", code: code ?? 1 });
      });
    });
    if (end.kind === "exit" && end.code === 0) return { outcome: "OK", snapshot: snap, end };
    emit({ event: "command_failed", command: "run", ...endFields(end), run: snap.run });
    const rollback = await restore({
      paths: targets,
      tag: set.tag,
      store: set.store,
      // Every target back to its version at the run: the newest entry at or before it
      // (this run's, or an older one for a target the run found unchanged).
      at: { kind: "ts", ts: until },
      dryRun: false,
      preSnapshot: "best_effort",
      allowUnverified: false,
      durable: set.durable,
      schema: set.schema,
      pool: opts.pool,
      emit,
      io: opts.io,
    });
    const found = rollback.restored + rollback.removed + rollback.unchanged + rollback.failed;
    if (rollback.outcome === "OK" && found < covered) {
      emit({
        event: "error",
        command: "rollback",
        run: snap.run,
        reason: "entries of the run are gone",
        missing: covered - found,
        saved: covered,
      });
      rollback.outcome = "RESTORE_FAILED";
    }
    const outcome = rollback.outcome === "OK" ? "COMMAND_FAILED" : "RESTORE_FAILED";
    const left = leftInPlace({
      targets,
      exclude: set.exclude ?? [],
      excludeIfPresent: set.excludeIfPresent ?? [],
      oneFileSystem: set.oneFileSystem ?? false,
      store: set.store,
    }, seen);
    return { outcome, snapshot: snap, end, rollback, left };
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

/**
 * Sends `signal` to `pid`. Not `child.kill()`: Deno then reports the child as killed by
 * that signal even when it handles it and exits with a code of its own.
 */
function forward(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    // ESRCH: COMMAND exited since the check; its exit is being reported anyway.
    if (errnoOf(e) !== "ESRCH") throw e;
  }
}

/** How COMMAND ended, as event fields. */
export function endFields(end: CommandEnd): EndFields {
  if (end.kind === "exit") return { exit_code: end.code };
  if (end.kind === "signal") return { signal: end.signal };
  return { spawn_error: end.reason };
}
