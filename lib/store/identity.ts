/**
 * The "unchanged" judgement of incremental runs: does a target still hold the state its
 * newest entry recorded, decided without reading the file?
 *
 * Order of checks: kind; for an absent path, absence; for a symlink, its link text and
 * owner; for a regular file, the recorded stat identity (sidecar v3 `identity` plus
 * `size`, `mode`, `uid`, `gid`): size, mode, owner, inode (dev + ino, unless
 * `ignoreInode`), mtime, ctime, each to the nanosecond. ctime matters: every write and
 * chmod moves it and no user can set it back. Last, the "racy" case (git handles it the
 * same way): a file whose mtime or ctime is not older than the moment its entry was
 * taken may have changed again within the same timestamp tick after it was copied, so it
 * counts as changed. Anything that cannot be compared (no identity: a v1/v2 sidecar or
 * an older v3) counts as changed. The first reason found is the one reported.
 */
import type { BPath } from "../fs/bpath.ts";
import type { FdStat } from "../fs/stat.ts";
import type { ChangeReason, Identity, Sidecar } from "./sidecar.ts";

/**
 * How much older than its entry's run a file's times must be to be trusted: the kernel
 * stamps files from a coarse clock (one tick, ≤ 10 ms) that lags the run's clock.
 */
const RACY_MARGIN_NS = 50_000_000n;
/** On filesystems with whole-second (FAT: 2 s) timestamps, the tick is the second. */
const RACY_MARGIN_COARSE_NS = 2_000_000_000n;
const RACY_MARGIN_MS = Number(RACY_MARGIN_NS / 1_000_000n);
const RACY_MARGIN_COARSE_MS = Number(RACY_MARGIN_COARSE_NS / 1_000_000n);
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/** The identity a sidecar records for a file, from a stat of it. */
export function identityOf(st: Pick<FdStat, "dev" | "ino" | "mtimeNs" | "ctimeNs">): Identity {
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    mtime_ns: st.mtimeNs.toString(),
    ctime_ns: st.ctimeNs.toString(),
  };
}

/** What a target is now. */
export type Current =
  | { kind: "file"; st: FdStat }
  | { kind: "symlink"; text: BPath; uid: number; gid: number }
  | { kind: "none" };

/** How to compare. */
export interface CompareOptions {
  /** Leave dev and ino out (filesystems whose inode numbers change on every mount). */
  ignoreInode: boolean;
}

/**
 * Why `cur` differs from what `recorded` (a valid sidecar) says, or undefined when it is
 * unchanged. `linkText` is the recorded link text as a byte path.
 */
export function changeReason(
  cur: Current,
  recorded: Sidecar,
  recordedLink: BPath | undefined,
  opts: CompareOptions,
): ChangeReason | undefined {
  if (cur.kind !== recorded.prior_kind) return "kind";
  if (cur.kind === "none") return undefined;
  if (cur.kind === "symlink") {
    if (cur.text !== recordedLink) return "link";
    if (!sameOwner(cur.uid, cur.gid, recorded)) return "owner";
    return undefined;
  }
  const id = recorded.identity;
  if (
    id === undefined || recorded.size === undefined || recorded.mode === undefined ||
    recorded.uid === undefined || recorded.gid === undefined || recorded.run === undefined
  ) return "no-identity";
  const st = cur.st;
  if (st.size !== recorded.size) return "size";
  if (st.mode !== parseInt(recorded.mode, 8)) return "mode";
  if (!sameOwner(st.uid, st.gid, recorded)) return "owner";
  if (!opts.ignoreInode && (st.ino.toString() !== id.ino || st.dev.toString() !== id.dev)) {
    return "ino";
  }
  if (st.mtimeNs.toString() !== id.mtime_ns) return "mtime";
  if (st.ctimeNs.toString() !== id.ctime_ns) return "ctime";
  if (racy(st, recorded.run)) return "mtime";
  return undefined;
}

/**
 * `racy` in whole milliseconds: `latestMs` the later of a file's mtime and ctime (floor),
 * `coarse` when both are whole seconds. A time of ns reaches the run's less the margin
 * exactly when its whole ms do, the margin being whole ms.
 */
export function racyMs(latestMs: number, coarse: boolean, runMs: number): boolean {
  return latestMs >= runMs - (coarse ? RACY_MARGIN_COARSE_MS : RACY_MARGIN_MS);
}

function sameOwner(uid: number, gid: number, s: Sidecar): boolean {
  return (s.uid === undefined || s.uid === uid) && (s.gid === undefined || s.gid === gid);
}

/** Whether a file's times are too close to its entry's run to prove it did not change since. */
export function racy(st: Pick<FdStat, "mtimeNs" | "ctimeNs">, runMs: number): boolean {
  const coarse = st.mtimeNs % NS_PER_S === 0n && st.ctimeNs % NS_PER_S === 0n;
  const margin = coarse ? RACY_MARGIN_COARSE_NS : RACY_MARGIN_NS;
  const latest = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  return latest >= BigInt(runMs) * NS_PER_MS - margin;
}
