/**
 * `diff`: what changed between two versions of the targets under PATHs: two runs, or a run
 * and the live tree (restic's `diff`, snapper's "what changed in /etc since last night").
 *
 * Order of steps:
 * 1. Targets: those with entries under each PATH (lib/store/selection.ts), less those
 *    `--exclude` skips; with a live side, also every file, symlink and special file the
 *    walk (lib/snapshot/walk.ts, the same excludes, never the store) finds. Sorted.
 * 2. Per target, the older side's version (the entry `--at` selects; `latest` without one)
 *    and the newer side's (the second `--at`'s entry, else the live target), read by
 *    lib/diff_versions.ts; no entry at a side is no version there (absent).
 * 3. The verdict (lib/diff_classify.ts): added, removed, changed (content, mode, owner,
 *    link, kind) or unchanged. Bytes are hashed only for two files of equal size whose
 *    hashes are not both recorded, and a live file whose stat identity equals its entry's
 *    is not read. Each difference is one `change` event; a target that cannot be read
 *    is an `error` event.
 * Nothing is written. An `--at` side that selects no entry of any target is missing
 * (exit 60), unless a run covered each PATH then (lib/store/covering.ts: an empty tree);
 * errors make it partial (exit 3); differences do not change the exit code.
 */
import { fs } from "./fs/sys.ts";
import { type BPath, fsPath, toText } from "./fs/bpath.ts";
import { type Outcome, reasonOf } from "./errors.ts";
import type { DiffSide, DiffSummaryEvent, Emit } from "./events.ts";
import type { TargetScan } from "./store/entries.ts";
import {
  type AtSpec,
  collectTargets,
  distinctTargets,
  searchedText,
  selectEntry,
} from "./store/selection.ts";
import { coveringRun, uncovered } from "./store/covering.ts";
import { Excludes } from "./snapshot/exclude.ts";
import { walkTargets } from "./snapshot/walk.ts";
import { classify, kindOf } from "./diff_classify.ts";
import { entryVersion, liveVersion, sameBytes, type Sourced } from "./diff_versions.ts";

/** What to compare. */
export interface DiffOptions {
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  /** No `--at`: latest vs live; one: that run vs live; two: the first run vs the second. */
  ats: readonly AtSpec[];
  exclude: readonly string[];
  emit: Emit;
}

/** The counts of a diff (its summary event's fields) and its outcome. */
export interface DiffSummary extends Omit<DiffSummaryEvent, "event" | "command"> {
  outcome: Outcome;
}

const LATEST: AtSpec = { kind: "latest" };

/** Runs a diff; every difference and problem is emitted on `opts.emit`. Never throws for a target. */
export function diff(opts: DiffOptions): DiffSummary {
  const older = opts.ats[0] ?? LATEST;
  const newer = opts.ats[1];
  const sum: DiffSummary = {
    outcome: "OK",
    from: sideOf(older),
    to: newer === undefined ? "live" : sideOf(newer),
    targets: 0,
    added: 0,
    removed: 0,
    changed: 0,
    unchanged: 0,
    errors: 0,
  };
  const error = (path: BPath, reason: string) => {
    sum.errors++;
    opts.emit({ event: "error", command: "diff", path: toText(path), reason });
  };
  const exclude = new Excludes(opts.exclude);
  const scans = entryTargets(opts, exclude, error);
  const targets = new Set(scans.keys());
  if (newer === undefined) { for (const t of liveTargets(opts, exclude, error)) targets.add(t); }
  const seen = { older: false, newer: false };
  const buf = new Uint8Array(1 << 20);
  for (const target of [...targets].sort()) {
    sum.targets++;
    const scan = scans.get(target);
    try {
      const a = side(scan, older, seen, "older");
      const b = newer === undefined ? liveVersion(target) : side(scan, newer, seen, "newer");
      const v = classify(a.version, b.version, () => sameBytes(a, b, buf));
      if (v.change === "unchanged") {
        sum.unchanged++;
        continue;
      }
      sum[v.change]++;
      opts.emit({
        event: "change",
        command: "diff",
        path: toText(target),
        change: v.change,
        before: kindOf(a.version),
        after: kindOf(b.version),
        what: v.change === "changed" ? v.what : [],
      });
    } catch (e) {
      error(target, reasonOf(e));
    }
  }
  const sides: AtSpec[] = [];
  if (!seen.older) sides.push(older);
  if (newer !== undefined && !seen.newer) sides.push(newer);
  let missing = false;
  const onError = (e: { path: BPath; reason: string }) => error(e.path, e.reason);
  for (const at of sides) {
    for (const p of opts.paths) {
      // A run that covered the directory then and saved nothing below it: that side is an
      // empty tree (lib/store/covering.ts), no missing version.
      if (coveringRun(p, opts.tag, opts.store, at, onError) !== undefined) continue;
      missing = true;
      const why = `${noEntryReason(at, opts.tag)}, and ${uncovered(at)}`;
      error(p, `${why} (looked in ${searchedText(p, opts.store)})`);
    }
  }
  if (missing) sum.outcome = "BACKUP_MISSING";
  else if (sum.errors > 0) sum.outcome = "PARTIAL";
  return sum;
}

/** The version `at` selects of `scan`'s target (absent when none), noting that one was. */
function side(
  scan: TargetScan | undefined,
  at: AtSpec,
  seen: { older: boolean; newer: boolean },
  which: "older" | "newer",
): Sourced {
  const entry = scan === undefined ? undefined : selectEntry(scan, at);
  if (entry !== undefined) seen[which] = true;
  return entryVersion(entry) ?? { version: { kind: "absent" } };
}

/** The targets with entries under each PATH, by target, less the excluded ones. */
function entryTargets(
  opts: DiffOptions,
  exclude: Excludes,
  error: (path: BPath, reason: string) => void,
): Map<BPath, TargetScan> {
  const out = new Map<BPath, TargetScan>();
  const onError = (e: { path: BPath; reason: string }) => error(e.path, e.reason);
  for (const root of opts.paths) {
    for (const scan of distinctTargets(collectTargets([root], opts.tag, opts.store, onError))) {
      if (!out.has(scan.target) && !excluded(root, scan.target, exclude)) {
        out.set(scan.target, scan);
      }
    }
  }
  return out;
}

/**
 * Whether `--exclude` skips `target` below PATH `root`, as the walk would: the target or
 * a directory on its way matches (a PATH itself is never excluded).
 */
export function excluded(root: BPath, target: BPath, exclude: Excludes): boolean {
  const prefix = root === "/" ? "/" : `${root}/`;
  if (!target.startsWith(prefix)) return false;
  return exclude.covers(target, toText(target.slice(prefix.length)));
}

/** Every live target the walk finds under the PATHs (the store is never entered). */
function* liveTargets(
  opts: DiffOptions,
  exclude: Excludes,
  error: (path: BPath, reason: string) => void,
): Generator<BPath> {
  const skipDirs = new Set<string>();
  if (opts.store !== undefined) {
    const st = fs.statSync(fsPath(opts.store));
    skipDirs.add(`${st.dev}:${st.ino}`);
  }
  for (const item of walkTargets(opts.paths, { exclude, skipDirs })) {
    if (item.kind === "error") error(item.path, item.reason);
    // Skipped specials are no targets (as for snapshot); one where an entry's file was is
    // a target through its entries, and its live version is "other".
    else if (item.kind !== "skip" && item.kind !== "dir") yield item.path;
  }
}

function sideOf(at: AtSpec): DiffSide {
  return at.kind === "ts" ? at.ts : at.kind;
}

function noEntryReason(at: AtSpec, tag: string): string {
  if (at.kind === "latest") return `no entry of tag "${tag}"`;
  if (at.kind === "previous") return `no previous entry of tag "${tag}"`;
  return `no entry of tag "${tag}" at or before ${at.ts}`;
}
