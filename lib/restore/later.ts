/**
 * Targets that did not exist at the selected run: `restore DIR --at TS` meets them below
 * DIR when a file was created after that run.
 *
 * Such a target has entries, all newer than TS, and its oldest one records that it was
 * the target's first version (`change: "new"` in its v3 sidecar): no older version was
 * pruned or deleted, so at TS the target did not exist. It is left alone (and reported),
 * or with `--delete` removed like a target whose entry at TS is a tombstone (restic's
 * `--delete`). Without that proof (an older sidecar without `change`, or a first version
 * written for another reason) the missing version stays an error: never silently skipped.
 */
import type { BPath } from "../fs/bpath.ts";
import type { TargetScan } from "../store/entries.ts";
import { readSidecarFile } from "../store/sidecar_reader.ts";
import type { Sidecar } from "../store/sidecar.ts";
import { currentState, type PlanItem } from "./current.ts";

/** Whether every entry of `scan` is newer than `ts` and the oldest was its first version. */
export function bornAfter(scan: TargetScan, ts: number): boolean {
  const oldest = scan.entries[scan.entries.length - 1];
  if (oldest === undefined || oldest.ts <= ts) return false;
  const r = readSidecarFile(oldest.sidecar);
  return r.ok && r.sidecar.change === "new";
}

/** An absence as a tombstone records it: what `--delete` restores. */
const ABSENT: Sidecar = { schema: "backup_meta.v3", prior_kind: "none" };

/**
 * What restore does with target `scan` that did not exist at run `ts`: remove it
 * (`deleteNew`; unchanged when it is gone already), leave it alone ("left_alone"), or
 * why it cannot be removed (a directory in its place).
 */
export function laterTarget(
  scan: TargetScan,
  ts: number,
  deleteNew: boolean,
  asRoot: boolean,
): { item: PlanItem } | { left: BPath } | { refused: string } {
  const cur = currentState(scan.target, ABSENT, 0, asRoot);
  if (!cur.ok) return deleteNew ? { refused: cur.reason } : { left: scan.target };
  if (!deleteNew && cur.action === "remove") return { left: scan.target };
  const oldest = scan.entries[scan.entries.length - 1]!;
  return {
    item: {
      target: scan.target,
      name: scan.name,
      tag: scan.tag,
      // The version at `ts` is an absence: shown as such (its files are the first entry's).
      entry: { ...oldest, ts },
      sidecar: ABSENT,
      action: cur.action,
      unverified: false,
    },
  };
}
