/**
 * Retention by runs: which entries of the targets below some PATHs go, which run records
 * go, and removing them without ever leaving an entry whose data is gone.
 *
 * The rule (lib/prune_plan.ts): the keep policy (lib/store/retention.ts) selects RUNS;
 * per target and tag, every version a kept run needs (the newest entry at or before the
 * run's TS, for each kept run that covers the target) stays, and so does the newest
 * complete entry; every other entry goes. An entry TS without a run record (entries from
 * before run records, from switchyard-fs, or from a run that crashed before its record)
 * is an implicit run of just the targets with an entry at that TS, so such a store
 * prunes per entry as before. A record that does not parse is reported and its TS kept,
 * as a run covering every target (fail closed). Orphan payloads and temp files always
 * go: the run lock guarantees that no live run of ours is writing them. Prune does not
 * hash: a complete entry with tampered bytes still counts as complete.
 *
 * Order of steps: survey the runs and entry TSs (lib/store/run_survey.ts) and judge the
 * runs; per target, plan (`planTarget`, pure) and remove each pruned entry's sidecar
 * FIRST, then its payload, so a crash in between leaves an orphan payload (removed by the
 * next prune), never a sidecar without its data; then the orphans and temps. After every
 * target, the records of the runs not kept (every copy). A removal that fails is reported
 * with its path and reason and not counted (its payload is kept when its sidecar could
 * not go). Last, one fsync per directory that lost a name (skipped with `--no-fsync`).
 * `dryRun` plans and reports, and removes nothing. The removals and the fsyncs are a
 * durable batch (lib/fs/durable_batch.ts).
 */
import { posix } from "./fs/posix.ts";
import type { BPath } from "./fs/bpath.ts";
import type { EntryRef } from "./store/entries.ts";
import { collectTargets, distinctTargets } from "./store/selection.ts";
import { readSidecarFile } from "./store/sidecar_reader.ts";
import { reasonOf } from "./errors.ts";
import type { Io } from "./fs/io.ts";
import { DurableBatch } from "./fs/durable_batch.ts";
import type { RunPolicy } from "./store/retention.ts";
import { covers } from "./store/runs.ts";
import { recordCopies, surveyRuns } from "./store/run_survey.ts";
import { judgeRuns, planTarget, type RunVerdict, type Why } from "./prune_plan.ts";

export { planTarget, type Why };

/** Complete: the pair is there and the sidecar passes the validating reader. */
export function isComplete(e: EntryRef): boolean {
  return e.state === "complete" && readSidecarFile(e.sidecar).ok;
}

/** One thing prune did (or, with dryRun, would do). */
export type PruneEvent =
  | { kind: "pruned"; target: BPath; ts: number; why: Why; files: BPath[] }
  | { kind: "removed"; what: "orphan_payload" | "temp"; target: BPath; path: BPath }
  | { kind: "run_pruned"; ts: number; why: Why; paths: BPath[]; files: BPath[] }
  | { kind: "failed"; target: BPath; path: BPath; reason: string };

/** What a prune run did. */
export interface PruneSummary {
  targets: number;
  pruned: number;
  kept: number;
  orphans: number;
  temps: number;
  /** Recorded runs kept, and recorded runs whose records went. */
  runsKept: number;
  runsPruned: number;
  failed: number;
  dryRun: boolean;
}

/**
 * The retention rules: lib/store/retention.ts's policy, its `last` named `keep`
 * (`--keep N`); an undefined rule does not apply.
 */
export interface Rules extends Omit<RunPolicy, "last"> {
  keep: number | undefined;
}

/** What to prune and how. */
export interface PruneOptions {
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  /** Which runs to keep (at least one rule: the CLI demands it). */
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
    runsKept: 0,
    runsPruned: 0,
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

  const survey = surveyRuns(opts.paths, opts.tag, opts.store, onError);
  const unreadable = new Set(survey.corrupt.map((c) => c.ts));
  for (const c of survey.corrupt) fail(c.path, c.path, `${c.reason} (its TS is kept)`);
  const verdicts = judgeRuns(
    new Set(
      [...survey.runs.map((r) => r.ts), ...survey.entryTss].filter((t) => !unreadable.has(t)),
    ),
    { ...opts.rules, last: opts.rules.keep },
  );
  const verdictOf = (ts: number): RunVerdict => verdicts.get(ts) ?? { ts, kept: true };
  // A record we cannot read may cover anything: its TS is a kept run covering every target.
  const keptEverywhere: RunVerdict[] = [...unreadable].map((ts) => ({ ts, kept: true }));

  for (const scan of distinctTargets(collectTargets(opts.paths, opts.tag, opts.store, onError))) {
    sum.targets++;
    const runs = [
      ...survey.runs.filter((r) => covers(r.record, scan.target)).map((r) => verdictOf(r.ts)),
      ...scan.entries.map((e) => verdictOf(e.ts)),
      ...keptEverywhere,
    ];
    const plan = planTarget(scan.entries, runs, isComplete);
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
  // Temps of records and caches: a crash between their write and rename left them.
  for (const t of survey.temps) {
    const dir = posix.dirname(t);
    if (!remove(dir, t)) continue;
    sum.temps++;
    opts.onEvent({ kind: "removed", what: "temp", target: dir, path: t });
  }
  // After their entries: the records of the runs not kept (a kept run's record never goes).
  for (const run of survey.runs) {
    const v = verdictOf(run.ts);
    if (v.kept) {
      sum.runsKept++;
      continue;
    }
    let files: BPath[];
    try {
      files = recordCopies(run, opts.store);
    } catch (e) {
      fail(run.files[0]!, run.files[0]!, `cannot find the copies of run ${run.ts}: ${reasonOf(e)}`);
      continue;
    }
    const target = run.record.paths[0] ?? run.files[0]!;
    if (!files.every((f) => remove(target, f))) continue;
    sum.runsPruned++;
    opts.onEvent({ kind: "run_pruned", ts: run.ts, why: v.why, paths: run.record.paths, files });
  }
  for (const [dir, e] of batch.fsyncDirs()) {
    fail(dir, dir, `cannot make the removals durable: fsync failed: ${reasonOf(e)}`);
  }
  return sum;
}
