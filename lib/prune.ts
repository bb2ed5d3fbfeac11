/**
 * Retention: which entries of a target go, and removing them without ever leaving an
 * entry whose data is gone.
 *
 * The rule, per target and tag, over its entries newest first by TS (lib/store/entries.ts):
 * - The newest *complete* entry (valid sidecar, payload present) is always kept, even
 *   below newer broken ones: "keep the newest" never protects an unusable entry while
 *   deleting the last usable one.
 * - Every other entry, complete or broken, goes when its index among all entries is
 *   ≥ `keep`, or when `now − TS > maxAge` (either rule; age by the TS in the name).
 *   A broken entry inside the window stays, so `verify` keeps naming it; it ages out.
 * - Orphan payloads and temp files always go: the run lock guarantees that no live run
 *   of ours is writing them, so a crash left them.
 * Prune does not hash: a complete entry with tampered bytes still counts as complete
 * (run `verify` first when that matters).
 *
 * Order of steps: plan a target (`planTarget`, pure); remove each pruned entry's sidecar
 * FIRST, then its payload, so a crash in between leaves an orphan payload (removed by the
 * next prune), never a sidecar without its data; then the orphans and temps. A removal
 * that fails is reported with its path and reason and not counted (its payload is kept
 * when its sidecar could not go). Last, one fsync per directory that lost a name
 * (skipped with `--no-fsync`). `dryRun` plans and reports, and removes nothing.
 * The removals and the fsyncs are a durable batch (lib/fs/durable_batch.ts).
 */
import { posix } from "node:path";
import type { BPath } from "./fs/bpath.ts";
import {
  collectTargets,
  distinctTargets,
  type EntryRef,
  readSidecarFile,
  type TargetScan,
} from "./store/entries.ts";
import { reasonOf } from "./errors.ts";
import type { Io } from "./fs/io.ts";
import { DurableBatch } from "./fs/durable_batch.ts";

/** The retention rules; an undefined rule does not apply. */
export interface Rules {
  keep: number | undefined;
  maxAgeMs: number | undefined;
  /** The clock the ages are measured against (ms since the epoch). */
  now: number;
}

/** Why an entry goes. */
export type Why = "count" | "age" | "count, age";

/** What happens to one target's entries. */
export interface TargetPlan {
  kept: EntryRef[];
  removed: { entry: EntryRef; why: Why }[];
}

/**
 * Applies the rules to one target. `isComplete` is asked newest first, only until the
 * first complete entry is found (it reads a sidecar).
 */
export function planTarget(
  scan: TargetScan,
  rules: Rules,
  isComplete: (e: EntryRef) => boolean,
): TargetPlan {
  const protectedEntry = scan.entries.find(isComplete);
  const plan: TargetPlan = { kept: [], removed: [] };
  scan.entries.forEach((entry, i) => {
    const byCount = rules.keep !== undefined && i >= rules.keep;
    const byAge = rules.maxAgeMs !== undefined && rules.now - entry.ts > rules.maxAgeMs;
    if (entry === protectedEntry || (!byCount && !byAge)) plan.kept.push(entry);
    else {plan.removed.push({
        entry,
        why: byCount && byAge ? "count, age" : byCount ? "count" : "age",
      });}
  });
  return plan;
}

/** Complete: the pair is there and the sidecar passes the validating reader. */
export function isComplete(e: EntryRef): boolean {
  return e.state === "complete" && readSidecarFile(e.sidecar).ok;
}

/** One thing prune did (or, with dryRun, would do). */
export type PruneEvent =
  | { kind: "pruned"; target: BPath; ts: number; why: Why; files: BPath[] }
  | { kind: "removed"; what: "orphan_payload" | "temp"; target: BPath; path: BPath }
  | { kind: "failed"; target: BPath; path: BPath; reason: string };

/** What a prune run did. */
export interface PruneSummary {
  targets: number;
  pruned: number;
  kept: number;
  orphans: number;
  temps: number;
  failed: number;
  dryRun: boolean;
}

/** What to prune and how. */
export interface PruneOptions {
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  rules: Rules;
  dryRun: boolean;
  /** false only for `--no-fsync`. */
  durable: boolean;
  io: Io;
  onEvent: (e: PruneEvent) => void;
}

/** Prunes every target under `opts.paths`. Never throws for a file that cannot go. */
export function prune(opts: PruneOptions): PruneSummary {
  const sum: PruneSummary = {
    targets: 0,
    pruned: 0,
    kept: 0,
    orphans: 0,
    temps: 0,
    failed: 0,
    dryRun: opts.dryRun,
  };
  const batch = new DurableBatch(opts.io, opts.durable);
  const fail = (target: BPath, path: BPath, reason: string) => {
    sum.failed++;
    opts.onEvent({ kind: "failed", target, path, reason });
  };
  /**
   * Removes `paths` in order, stopping at the first that cannot go (reported); true when
   * all are gone. A name already gone is the state we want (a payload-missing entry).
   */
  const remove = (target: BPath, ...paths: BPath[]): boolean => {
    if (opts.dryRun) return true;
    const unlinks = paths.map((path) =>
      ({ op: "unlink", dir: posix.dirname(path), path }) as const
    );
    const stop = batch.apply(unlinks, {
      failed: (i, e) => {
        // Only an entry passes two paths, sidecar then payload: past the first, the
        // sidecar is gone and the payload that stays is an orphan.
        const orphaned = i > 0
          ? " (its sidecar is gone: the payload is now an orphan for the next prune)"
          : "";
        fail(target, paths[i]!, reasonOf(e) + orphaned);
        return false;
      },
    });
    return stop === paths.length;
  };
  const onError = (e: { path: BPath; reason: string }) => fail(e.path, e.path, e.reason);

  for (const scan of distinctTargets(collectTargets(opts.paths, opts.tag, opts.store, onError))) {
    sum.targets++;
    const plan = planTarget(scan, opts.rules, isComplete);
    sum.kept += plan.kept.length;
    for (const { entry, why } of plan.removed) {
      // Sidecar first: the commit point goes first, so a crash leaves only an orphan payload.
      if (!remove(scan.target, entry.sidecar, entry.payload)) continue;
      sum.pruned++;
      const files = entry.state === "complete" ? [entry.sidecar, entry.payload] : [entry.sidecar];
      opts.onEvent({ kind: "pruned", target: scan.target, ts: entry.ts, why, files });
    }
    for (const o of scan.orphanPayloads) {
      if (!remove(scan.target, o.payload)) continue;
      sum.orphans++;
      opts.onEvent({
        kind: "removed",
        what: "orphan_payload",
        target: scan.target,
        path: o.payload,
      });
    }
    for (const t of scan.temps) {
      if (!remove(scan.target, t)) continue;
      sum.temps++;
      opts.onEvent({ kind: "removed", what: "temp", target: scan.target, path: t });
    }
  }
  for (const [dir, e] of batch.fsyncDirs()) {
    fail(dir, dir, `cannot make the removals durable: fsync failed: ${reasonOf(e)}`);
  }
  return sum;
}
