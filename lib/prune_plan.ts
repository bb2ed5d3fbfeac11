/**
 * The retention rule, pure: which runs a prune keeps, and so which entries of a target
 * stay. No I/O; lib/prune.ts gathers the inputs and removes what this says goes.
 *
 * Order of steps:
 * 1. `judgeRuns`: the runs' TSs (recorded runs, and every entry TS that has no record:
 *    an implicit run of just the targets with an entry at that TS) through the keep
 *    policy (lib/store/retention.ts): each run is kept, or goes by "count" (no keep rule
 *    selects it), "age" (older than --max-age) or both.
 * 2. `planTarget`, per target, over its entries newest first and the runs that cover it:
 *    - every kept run keeps the version it needs: the newest entry at or before its TS
 *      (complete or not: restore would select it, and verify keeps naming a broken one);
 *    - the newest complete entry always stays, even below newer broken ones;
 *    - an entry no run selects at all stays (it belongs to no run we know of: never
 *      deleted by a rule that did not judge it);
 *    - every other entry goes, with the reasons of the dropped runs that selected it.
 */
import type { EntryRef } from "./store/entries.ts";
import { keptRuns, type RunPolicy } from "./store/retention.ts";

/** Why an entry (or a run) goes. */
export type Why = "count" | "age" | "count, age";

/** A run as the plan sees it: kept, or going and why. */
export type RunVerdict = { ts: number; kept: true } | { ts: number; kept: false; why: Why };

/** What happens to one target's entries. */
export interface TargetPlan {
  kept: EntryRef[];
  removed: { entry: EntryRef; why: Why }[];
}

/** The verdict on each run TS of `tss` under `policy`. */
export function judgeRuns(tss: Iterable<number>, policy: RunPolicy): Map<number, RunVerdict> {
  const all = [...tss];
  const kept = keptRuns(all, policy);
  const selected = keptRuns(all, { ...policy, maxAgeMs: undefined });
  const out = new Map<number, RunVerdict>();
  for (const ts of all) {
    if (kept.has(ts)) {
      out.set(ts, { ts, kept: true });
      continue;
    }
    const byAge = policy.maxAgeMs !== undefined && policy.now - ts > policy.maxAgeMs;
    const byCount = !selected.has(ts);
    out.set(ts, { ts, kept: false, why: whyOf(byCount, byAge) });
  }
  return out;
}

function whyOf(byCount: boolean, byAge: boolean): Why {
  return byCount && byAge ? "count, age" : byAge ? "age" : "count";
}

/**
 * Applies the rule to one target: `entries` newest first, `runs` the runs that cover it
 * (kept or not, any order). `isComplete` is asked newest first, only until the first
 * complete entry is found (it reads a sidecar).
 */
export function planTarget(
  entries: readonly EntryRef[],
  runs: readonly RunVerdict[],
  isComplete: (e: EntryRef) => boolean,
): TargetPlan {
  const protectedEntry = entries.find(isComplete);
  const needed = new Set<EntryRef>();
  const dropped = new Map<EntryRef, { count: boolean; age: boolean }>();
  for (const run of runs) {
    const version = entries.find((e) => e.ts <= run.ts);
    if (version === undefined) continue;
    if (run.kept) {
      needed.add(version);
      continue;
    }
    const d = dropped.get(version) ?? { count: false, age: false };
    d.count ||= run.why !== "age";
    d.age ||= run.why !== "count";
    dropped.set(version, d);
  }
  const plan: TargetPlan = { kept: [], removed: [] };
  for (const entry of entries) {
    const d = dropped.get(entry);
    if (entry === protectedEntry || needed.has(entry) || d === undefined) plan.kept.push(entry);
    else plan.removed.push({ entry, why: whyOf(d.count, d.age) });
  }
  return plan;
}
