/**
 * The run that covered a directory PATH at a point in time, read from run records
 * (lib/store/runs.ts): what tells an empty tree (a run that found nothing below the PATH
 * to save, so wrote no entry) from a PATH never snapshotted. `restore`, `diff` and `run`'s
 * rollback ask it only for a PATH below which no target has an entry at that point.
 *
 * Order of steps: read the anchor directories of the PATH and of each of its ancestors up
 * to `/` (a run of `/srv` covers `/srv/data`; its record sits in the anchor of `/srv`); keep
 * the records that parse, whose TS is their name's, that completed (a partial run may
 * have failed on a target below the PATH) and that cover the PATH; then pick as `--at`
 * picks an entry: the newest, the second newest, or the newest at or before TS.
 */
import { posix } from "../fs/posix.ts";
import type { BPath } from "../fs/bpath.ts";
import { reasonOf } from "../errors.ts";
import { anchorDir } from "./layout.ts";
import { covers, runsIn } from "./runs.ts";
import type { AtSpec } from "./selection.ts";

/**
 * The TS of the complete run of `tag` that `at` selects among those covering `path`, or
 * undefined when there is none. `onError`: an anchor directory that could not be read
 * (the search goes on; what it held proves nothing, so the caller's error stays).
 */
export function coveringRun(
  path: BPath,
  tag: string,
  store: BPath | undefined,
  at: AtSpec,
  onError: (e: { path: BPath; reason: string }) => void,
): number | undefined {
  // A run over several PATHs has a copy of its record in each one's anchor: one TS each.
  const found = new Set<number>();
  for (let a = path;; a = posix.dirname(a)) {
    const dir = anchorDir(a, true, store);
    try {
      for (const f of runsIn(dir, tag)) {
        const r = f.parsed.ok ? f.parsed.record : undefined;
        if (r?.ts === f.ts && r.outcome === "complete" && covers(r, path)) found.add(r.ts);
      }
    } catch (e) {
      onError({ path: dir, reason: `cannot read its run records: ${reasonOf(e)}` });
    }
    if (a === "/") break;
  }
  const tss = [...found].sort((x, y) => y - x);
  if (at.kind === "latest") return tss[0];
  if (at.kind === "previous") return tss[1];
  return tss.find((ts) => ts <= at.ts);
}

/** Why `coveringRun` found none at `at`, for a message. */
export function uncovered(at: AtSpec): string {
  if (at.kind === "latest") return "no run covered it";
  if (at.kind === "previous") return "fewer than two runs covered it";
  return `no run covered it at or before ${at.ts}`;
}
