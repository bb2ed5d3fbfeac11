/**
 * The check phase of `restore`: select one entry per target, verify it, and decide
 * what would change. Nothing on disk is written here (it also serves `--dry-run`).
 *
 * Order of steps:
 * 1. Targets from PATHs (lib/store/entries.ts: a directory PATH selects every target below it
 *    with entries, beside or in the store); one entry each by `--at`. No entry → missing.
 *    No target under any PATH: each PATH is missing unless a run covered it at `--at`
 *    (lib/store/covering.ts), which makes its version an empty tree: nothing to restore.
 * 2. Per entry, the entry check of lib/store/check.ts, without reading payload bytes.
 *    Then the target's current state (lib/restore/current.ts): a directory in its place
 *    is refused, an identical symlink or absence is "unchanged".
 * 3. One pass over the worker pool hashes every file payload (judged by `judgeHash`) and
 *    every current target that could be identical (a regular file of the right size and
 *    mode): an identical target is "unchanged".
 * A finding of the check is a problem: BACKUP_MISSING (exit 60) when the payload is
 * missing, INTEGRITY (exit 71) otherwise. The entry chosen is never replaced by another
 * one: a broken entry is a problem, not a reason to fall back.
 */
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { type BPath, fsPath, hasReplacementChar } from "../fs/bpath.ts";
import { type EntryRef, scanTarget, type TargetScan } from "../store/entries.ts";
import {
  type AtSpec,
  collectTargets,
  distinctTargets,
  searchedText,
  selectEntry,
} from "../store/selection.ts";
import { coveringRun, uncovered } from "../store/covering.ts";
import {
  checkEntry,
  type Finding,
  findingText,
  judgeHash,
  type Pending as HashPending,
} from "../store/check.ts";
import { reasonOf } from "../errors.ts";
import { hashAll } from "../pool/hash_batch.ts";
import type { WorkerPool } from "../pool/pool.ts";
import { lossilyDecoded } from "../fs/runtime.ts";
import { currentState, type PlanItem } from "./current.ts";
import { bornAfter, laterTarget } from "./later.ts";

export type { Action, PlanItem } from "./current.ts";

/** Why a target cannot be restored; its code decides the exit code. */
export interface Problem {
  target: BPath;
  code: "BACKUP_MISSING" | "INTEGRITY" | "RESTORE_FAILED";
  reason: string;
}

/** What to check. */
export interface PlanOptions {
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  at: AtSpec;
  allowUnverified: boolean;
  /** `--delete`: remove targets that did not exist at the selected run (lib/restore/later.ts). */
  deleteNew?: boolean;
  /** Whether owners are compared and restored (only root can chown). */
  asRoot: boolean;
  /** `--target DIR`: each target is compared with (and later written to) DIR + target. */
  into?: BPath;
  pool: () => WorkerPool;
}

/** The plan: verified items in target order, and every problem found. */
export interface Plan {
  items: PlanItem[];
  problems: Problem[];
  /** Targets created after the selected run, left as they are (no `--delete`). */
  leftAlone: BPath[];
}

/** An item as inspected: a file item waits for its payload's hash job (`check`). */
interface Inspected {
  item: PlanItem;
  check: HashPending | undefined;
  /** The current target may be identical: its hash decides. */
  compareCurrent: boolean;
}

/** A file item waiting for its hashes. */
type Pending = Inspected & { check: HashPending };

function problem(target: BPath, code: Problem["code"], reason: string): Problem {
  return { target, code, reason };
}

function noEntryReason(at: AtSpec, tag: string): string {
  if (at.kind === "latest") return `no entry of tag "${tag}"`;
  if (at.kind === "previous") return `no previous entry of tag "${tag}" (fewer than two)`;
  return `no entry of tag "${tag}" at or before ${at.ts}`;
}

/**
 * Selects and verifies the entries of every target under `opts.paths`.
 * Never throws for a bad entry or target: each one is a `Problem`.
 * @throws only when the worker pool cannot be started.
 */
export async function planRestore(opts: PlanOptions): Promise<Plan> {
  const plan: Plan = { items: [], problems: [], leftAlone: [] };
  const pending: Pending[] = [];
  const onError = (e: { path: BPath; reason: string }) =>
    plan.problems.push(problem(e.path, "RESTORE_FAILED", e.reason));
  const scans = distinctTargets(targetsOf(opts, onError));
  let selected = 0;
  for (const scan of scans) {
    const entry = selectEntry(scan, opts.at);
    selected++;
    // Below a directory PATH, a target created after the run is no missing version (a PATH
    // named itself keeps the error: there is nothing of it at TS to restore).
    const below = !opts.paths.includes(scan.target);
    if (entry === undefined && below && opts.at.kind === "ts" && bornAfter(scan, opts.at.ts)) {
      const r = laterTarget(scan, opts.at.ts, opts.deleteNew ?? false, opts.asRoot);
      if ("item" in r) plan.items.push(r.item);
      else if ("left" in r) plan.leftAlone.push(r.left);
      else plan.problems.push(problem(scan.target, "RESTORE_FAILED", r.refused));
      continue;
    }
    if (entry === undefined) {
      plan.problems.push(problem(scan.target, "BACKUP_MISSING", noEntryReason(opts.at, opts.tag)));
      continue;
    }
    const r = inspect(scan, entry, opts);
    if ("code" in r) plan.problems.push(r);
    else {
      plan.items.push(r.item);
      if (r.check !== undefined) pending.push({ ...r, check: r.check });
    }
  }
  if (selected === 0 && plan.problems.length === 0) {
    for (const p of opts.paths) {
      // A run that covered the directory then and saved nothing below it: its version at
      // that run is an empty tree, with nothing to restore (lib/store/covering.ts).
      if (coveringRun(p, opts.tag, opts.store, opts.at, onError) !== undefined) continue;
      const why = `no entries of tag "${opts.tag}" below it, and ${uncovered(opts.at)} ` +
        `(looked in ${searchedText(p, opts.store)})`;
      plan.problems.push(problem(p, "BACKUP_MISSING", why));
    }
  }
  if (pending.length > 0) await judgeHashes(pending, opts.pool(), plan);
  return plan;
}

/**
 * The scans of `opts.paths` (lib/store/entries.ts), plus a directory PATH itself when it has
 * entries of its own: it was a file or symlink when snapshotted, and restoring it must
 * fail on the directory in its place rather than report that it has no entries.
 */
function* targetsOf(
  opts: PlanOptions,
  onError: (e: { path: BPath; reason: string }) => void,
): Generator<TargetScan> {
  for (const path of opts.paths) {
    if (isDirectory(path)) {
      try {
        const own = scanTarget(path, opts.tag, opts.store);
        if (own.entries.length > 0) yield own;
      } catch (e) {
        onError({ path, reason: `cannot read its entries: ${reasonOf(e)}` });
      }
    }
    yield* collectTargets([path], opts.tag, opts.store, onError);
  }
}

function isDirectory(path: BPath): boolean {
  try {
    return fs.lstatSync(fsPath(path)).isDirectory();
  } catch (_e) {
    // Absent or unreadable: not a directory; collectTargets reports what it cannot read.
    return false;
  }
}

/** A finding of the entry check as a problem: missing (exit 60) or integrity (exit 71). */
function problemOf(target: BPath, f: Finding): Problem {
  const missing = f.state === "payload_missing" || f.state === "orphan_sidecar";
  return problem(target, missing ? "BACKUP_MISSING" : "INTEGRITY", findingText(f));
}

/** Step 2 for one target: the entry check, then the target's current state. */
function inspect(scan: TargetScan, entry: EntryRef, opts: PlanOptions): Inspected | Problem {
  if (hasReplacementChar(scan.target) && lossilyDecoded(entry.sidecar)) {
    // Deno read the name lossily: every path built from it would name another file. (A
    // real U+FFFD, valid UTF-8, resolves: the sidecar was found under that name.)
    const why = "name is not valid UTF-8 and Deno cannot address it (use the Bun build)";
    return problem(scan.target, "RESTORE_FAILED", why);
  }
  const c = checkEntry(scan.target, entry, { allowUnverified: opts.allowUnverified });
  if (c.kind === "problem") return problemOf(scan.target, c.finding);
  const check = c.kind === "hash" ? c.pending : undefined;
  // A file payload's size as recorded (v3) or lstat'ed: one of another size fails its hash.
  const dest = opts.into === undefined ? undefined : posix.join(opts.into, scan.target);
  const cur = currentState(dest ?? scan.target, c.sidecar, check?.bytes ?? 0, opts.asRoot);
  if (!cur.ok) return problem(scan.target, "RESTORE_FAILED", cur.reason);
  const item: PlanItem = {
    target: scan.target,
    name: scan.name,
    tag: scan.tag,
    entry,
    sidecar: c.sidecar,
    action: cur.action,
    unverified: c.sidecar.prior_kind === "file" && c.sidecar.payload_hash === undefined,
  };
  if (dest !== undefined) item.dest = dest;
  return { item, check, compareCurrent: cur.compare };
}

/** Step 3: hash payloads (and maybe-identical targets) on the pool and judge them. */
async function judgeHashes(pending: Pending[], pool: WorkerPool, plan: Plan): Promise<void> {
  const results = await hashAll(
    pool,
    pending.flatMap((p) =>
      p.compareCurrent
        ? [p.item.entry.payload, p.item.dest ?? p.item.target]
        : [p.item.entry.payload]
    ),
  );
  let i = 0;
  const failed = new Set<PlanItem>();
  for (const p of pending) {
    const item = p.item;
    const r = results[i++]!;
    const cur = p.compareCurrent ? results[i++]! : undefined;
    const j = judgeHash(p.check, r);
    if (!j.ok) {
      failed.add(item);
      plan.problems.push(problemOf(item.target, j.finding));
      continue;
    }
    item.hash = j.hash;
    // A current target that cannot be hashed is simply not known to be identical.
    if (cur?.ok === true && cur.hash === j.hash) item.action = "unchanged";
  }
  if (failed.size > 0) plan.items = plan.items.filter((it) => !failed.has(it));
}
