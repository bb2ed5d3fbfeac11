/**
 * `restore`: put targets back as their entries recorded them.
 *
 * Order of steps:
 * 1. Plan (lib/restore/plan.ts): select one entry per target and verify every one of
 *    them (sidecar, payload, SHA-256 on the pool) before any target is touched. Any
 *    problem: all are reported and nothing changes (exit 60 missing, 71 integrity,
 *    70 a target that cannot be replaced). Never a fallback to another entry.
 * 2. `--dry-run`: print the plan (would restore / would remove / unchanged) and stop.
 * 3. Pre-snapshot: the current state of every target about to change, as one run
 *    (lib/snapshot/run.ts), so the restore can be undone with `restore --at <that TS>`.
 *    If it fails for any such target, the restore aborts with no target changed
 *    (`run`'s rollback asks for "best_effort": a warning, and the rollback goes on).
 * 4. Replace (lib/restore/apply.ts), then one event per target (lib/events.ts).
 * 5. Post-snapshot: when a pre-snapshot was taken, the restored targets are snapshotted
 *    again, so `latest` is the restored state: a second `restore` finds everything
 *    unchanged (it does not toggle back to the pre-restore state, as switchyard's
 *    does), and `--at previous` is the pre-restore state (the undo). A failure here is
 *    a warning: the targets are restored.
 * Steps 3 and 5 are lib/restore/bracket.ts.
 * `--target DIR` (restic's): every target is checked against and written to DIR + its
 * absolute path instead; no pre- or post-snapshot (nothing in place changes), and an
 * entry that records an absent target writes nothing (an `absent` event). The summary is the caller's
 * (lib/commands/restore.ts, lib/run.ts).
 */
import { type BPath, toText } from "../fs/bpath.ts";
import type { Emit, TargetState } from "../events.ts";
import type { AtSpec } from "../store/selection.ts";
import type { Outcome } from "../errors.ts";
import type { Io } from "../fs/io.ts";
import type { WorkerPool } from "../pool/pool.ts";
import { applyRestore } from "./apply.ts";
import { type PlanItem, planRestore, type Problem } from "./plan.ts";
import type { SchemaChoice } from "../store/sidecar.ts";
import { snapshotTargets, warnIncomplete } from "./bracket.ts";
import { proc } from "../fs/sys.ts";

/** What to restore and how. */
export interface RestoreOptions {
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  at: AtSpec;
  dryRun: boolean;
  /** Snapshot the targets about to change first: required, best effort, or not at all. */
  preSnapshot: "required" | "best_effort" | "off";
  allowUnverified: boolean;
  /** `--delete`: remove targets created after the selected run (else left alone). */
  deleteNew?: boolean;
  /** false only for `--no-fsync`. */
  durable: boolean;
  /** `--target DIR`: write under DIR, touching nothing in place (no pre-snapshot). */
  into?: BPath;
  /** Schema of the pre-snapshot's sidecars. */
  schema: SchemaChoice;
  pool: () => WorkerPool;
  /** Where each target's outcome and each problem goes. */
  emit: Emit;
  io: Io;
}

/** What a restore did (or, with `--dry-run`, would do). */
export interface RestoreSummary {
  outcome: Outcome;
  dryRun: boolean;
  restored: number;
  removed: number;
  unchanged: number;
  /** Of `restored`: v1 file entries restored without a hash (`--allow-unverified`). */
  unverified: number;
  /** Problems found by the checks (nothing was changed), or 1 for a replace failure. */
  failed: number;
  /** Targets left as they were after a replace failure. */
  notRestored: number;
  /** Targets created after the selected run, left as they are (no `--delete`). */
  leftAlone: number;
  /** The TS of the pre-restore snapshot, when one was taken. */
  preSnapshot?: number;
  /** The TS of the post-restore snapshot, when one was taken. */
  postSnapshot?: number;
  /** The runs the selected entries belong to, ascending. */
  runs: number[];
  /** `--target DIR`: DIR, and how many entries recorded an absent target (nothing written). */
  into?: BPath;
  absent?: number;
}

const SEVERITY: Problem["code"][] = ["INTEGRITY", "BACKUP_MISSING", "RESTORE_FAILED"];

/** Runs a restore; every problem and target is emitted on `opts.emit`. */
export async function restore(opts: RestoreOptions): Promise<RestoreSummary> {
  const emit = opts.emit;
  const asRoot = proc.uid() === 0;
  const sum: RestoreSummary = {
    outcome: "OK",
    dryRun: opts.dryRun,
    restored: 0,
    removed: 0,
    unchanged: 0,
    unverified: 0,
    failed: 0,
    notRestored: 0,
    leftAlone: 0,
    runs: [],
  };
  const plan = await planRestore({ ...opts, asRoot });
  const at = opts.at.kind === "ts" ? opts.at.ts : 0;
  if (opts.into !== undefined) {
    sum.into = opts.into;
    sum.absent = plan.leftAlone.length;
    // Under DIR an absence is nothing to write (a target created after the run was absent
    // at it too): reported, left out of the plan.
    for (const target of plan.leftAlone) {
      emit({ event: "absent", command: "restore", path: toText(target), kind: "none", ts: at });
    }
    plan.leftAlone = [];
    for (const it of plan.items.filter((it) => it.sidecar.prior_kind === "none")) {
      targetEvent(emit, it, "absent");
      sum.absent++;
    }
    plan.items = plan.items.filter((it) => it.sidecar.prior_kind !== "none");
  }
  for (const target of plan.leftAlone) {
    emit({ event: "left_alone", command: "restore", path: toText(target), ts: at });
  }
  sum.leftAlone = plan.leftAlone.length;
  sum.runs = [...new Set(plan.items.map((it) => it.entry.ts))].sort((a, b) => a - b);
  for (const p of plan.problems) problem(emit, p.target, p.code, p.reason);
  if (plan.problems.length > 0) {
    sum.failed = plan.problems.length;
    sum.outcome = SEVERITY.find((c) => plan.problems.some((p) => p.code === c))!;
  }
  if (opts.dryRun) {
    for (const it of plan.items) {
      targetEvent(
        emit,
        it,
        it.action === "restore"
          ? "would_restore"
          : it.action === "remove"
          ? "would_remove"
          : "unchanged",
      );
      count(sum, it);
    }
    return sum;
  }
  if (plan.problems.length > 0) return sum;

  const changing = plan.items.filter((it) => it.action !== "unchanged");
  for (const it of plan.items) {
    if (it.action === "unchanged") {
      targetEvent(emit, it, "unchanged");
      sum.unchanged++;
    }
  }
  const bracket = opts.into === undefined && opts.preSnapshot !== "off";
  if (changing.length > 0 && bracket) {
    const pre = await snapshotTargets(opts, changing.map((it) => it.target), "pre-restore");
    if (pre.ok) sum.preSnapshot = pre.run;
    else if (opts.preSnapshot === "required") {
      // The entries it did write are now the newest: name the run to restore anyway.
      const at = sum.runs.length === 1 ? String(sum.runs[0]) : "TS";
      problem(
        emit,
        pre.target,
        "RESTORE_FAILED",
        `pre-restore snapshot failed: ${pre.reason}; nothing restored ` +
          `(to restore without it: --no-pre-snapshot --at ${at})`,
      );
      for (const it of changing) targetEvent(emit, it, "not_restored");
      sum.failed = 1;
      sum.notRestored = changing.length;
      sum.outcome = "RESTORE_FAILED";
      return sum;
    } else {
      warnIncomplete(emit, "pre-restore", pre);
    }
  }

  const res = applyRestore(changing, { io: opts.io, durable: opts.durable, asRoot });
  for (const it of res.done) {
    targetEvent(emit, it, it.action === "remove" ? "removed" : "restored");
    count(sum, it);
  }
  if (res.failure !== undefined) {
    problem(emit, res.failure.target, res.failure.code, res.failure.reason);
    sum.failed = 1;
    sum.outcome = res.failure.code;
  }
  for (const it of res.notDone) targetEvent(emit, it, "not_restored");
  sum.notRestored = res.notDone.length;
  // Also after an incomplete best-effort pre-snapshot: what it wrote must not stay newest.
  if (bracket && res.done.length > 0) {
    const post = await snapshotTargets(opts, res.done.map((it) => it.target), "post-restore");
    if (post.ok) sum.postSnapshot = post.run;
    else {
      warnIncomplete(emit, "post-restore", post);
    }
  }
  return sum;
}

function count(sum: RestoreSummary, it: PlanItem): void {
  if (it.action === "unchanged") sum.unchanged++;
  else if (it.action === "remove") sum.removed++;
  else {
    sum.restored++;
    if (it.unverified) sum.unverified++;
  }
}

/** The event about one target. */
function targetEvent(emit: Emit, it: PlanItem, state: TargetState): void {
  const unverified = it.unverified && state !== "unchanged" && state !== "not_restored";
  emit({
    event: state,
    command: "restore",
    path: toText(it.target),
    kind: it.sidecar.prior_kind,
    ts: it.entry.ts,
    ...(unverified ? { unverified: true } : {}),
    ...(it.dest !== undefined && state !== "absent" ? { dest: toText(it.dest) } : {}),
  });
}

function problem(emit: Emit, target: BPath, code: Problem["code"], reason: string): void {
  emit({ event: "error", command: "restore", path: toText(target), code, reason });
}
