/**
 * The index of one entry directory: per target name, the TS of its newest sidecar and
 * whether that entry's payload is there, and the verdict on a target against it (a target
 * whose state equals its newest complete entry gets no new entry; lib/store/identity.ts
 * decides).
 *
 * Order of work: the directory's names (the walk's own readdir in the beside layout, one
 * readdir of the store directory otherwise) are parsed once into the index. Then, per
 * target: no sidecar → `new`; the newest sidecar does not pass the validating reader, or
 * its payload is missing or not of the recorded kind and size (one lstat, no hashing) →
 * `broken-entry`; else the target's current state is compared. Nothing ever falls back to
 * an older entry. `--full` skips the comparison (every target changed).
 */
import { baseName, type BPath, fromText, joinName, scanNames } from "../fs/bpath.ts";
import { errnoOf } from "../errors.ts";
import { quickKindSize, type QuickStat, quickStat } from "../fs/quick_stat.ts";
import { hasStatxPath, statxIn } from "../fs/statx.ts";
import {
  type RecordedFile,
  statxHasStamp,
  statxIsFileOf,
  statxIsUnchangedFile,
} from "../store/statx_judge.ts";
import { CachedVersion } from "../store/cache.ts";
import {
  type CacheRows,
  fileRowIn,
  fileRowOf,
  readCacheRows,
  versionIn,
} from "../store/cache_file.ts";
import { changeReason } from "../store/identity.ts";
import { parseSidecarName, SIDECAR_SUFFIX } from "../store/layout.ts";
import type { ChangeReason } from "../store/sidecar.ts";
import { current, readSidecar } from "./entry_reads.ts";

/** The newest entry of one target name in an entry directory: its TS, its sidecar's name. */
interface Newest {
  ts: number;
  fname: BPath;
}

/** The verdict on one target. */
export type Verdict =
  | { unchanged: true; ts: number }
  | { unchanged: false; reason: ChangeReason };

/** How to judge. */
export interface VersionOptions {
  tag: string;
  /** `--full`: every target is written again. */
  full: boolean;
  /** `--ignore-inode`. */
  ignoreInode: boolean;
}

/** The newest entries of every target name in one entry directory. */
export class EntryDirIndex {
  readonly dir: BPath;
  readonly #tag: string;
  readonly #newest = new Map<BPath, Newest>();
  #cache: CacheRows | undefined;
  /** Whether a cache is read and kept (store layout). */
  caching = false;
  /** Called when the cache gains or changes a version (it is then written again). */
  onDirty: (name: BPath, v: CachedVersion) => void = () => {};

  /** `names`: every name in `dir` (a readdir, latin1). */
  constructor(dir: BPath, tag: string, names: readonly BPath[]) {
    this.dir = dir;
    this.#tag = tag;
    for (const n of names) this.#add(n);
  }

  /** Takes `fname`, a name in the directory, into the index when it is a sidecar of the tag. */
  #add(fname: BPath): void {
    // Only sidecar names are parsed; payloads are looked at (stat'ed) when judging.
    const p = parseSidecarName(fname, this.#tag);
    if (p === undefined) return;
    const cur = this.#newest.get(p.name);
    if (cur === undefined || p.ts > cur.ts) this.#newest.set(p.name, { ts: p.ts, fname });
  }

  /** Subdirectories of `dir` (store layout: images of target directories), when read. */
  subdirs: BPath[] = [];

  /**
   * Reads `dir`; a directory that does not exist has no entries, and no cache. It is
   * looked at first (a store directory a first run has not made yet), so that its absence
   * costs a stat rather than an exception (a tenth of a millisecond each on Deno). Names
   * come in directory order; the index does not depend on it.
   * @throws the system error when it exists but cannot be read.
   */
  static read(dir: BPath, tag: string): EntryDirIndex {
    const index = new EntryDirIndex(dir, tag, []);
    try {
      if (quickKindSize(dir) !== undefined) {
        scanNames(dir, (name, isDir) => isDir ? index.subdirs.push(name) : index.#add(name));
        index.subdirs.sort();
        return index;
      }
    } catch (e) {
      if (errnoOf(e) !== "ENOENT" && errnoOf(e) !== "ENOTDIR") throw e;
    }
    index.#newest.clear();
    index.subdirs = [];
    index.#cache = new Map();
    return index;
  }

  /** Target names that have at least one entry here. */
  names(): IterableIterator<BPath> {
    return this.#newest.keys();
  }

  /**
   * The verdict on target `path` (whose name is in this directory), now of `kind`.
   * @throws only for a failure to inspect the target itself (the caller reports it).
   */
  judge(path: BPath, kind: "file" | "symlink" | "none", opts: VersionOptions): Verdict {
    const name = baseName(path);
    const newest = this.#newest.get(name);
    if (newest === undefined) return { unchanged: false, reason: "new" };
    if (kind === "file" && !opts.full && this.#quickUnchanged(path, name, newest, opts)) {
      return { unchanged: true, ts: newest.ts };
    }
    const version = this.#readNewest(name, newest);
    if (version === undefined) return { unchanged: false, reason: "broken-entry" };
    if (opts.full) return { unchanged: false, reason: "full" };
    // Without a cached row (beside the targets, or a sidecar just read): the target's
    // statx against the version read, before a full stat and the reason for a change.
    const row = kind === "file" ? fileRowOf(version, newest.ts) : undefined;
    if (row !== undefined && hasStatxPath() && this.#targetIs(path, name, row, opts)) {
      return { unchanged: true, ts: newest.ts };
    }
    const previous = version.sidecar;
    const cur = current(path, kind);
    if (cur === undefined) return { unchanged: false, reason: "kind" };
    const link = previous.prior_dest === undefined ? undefined : fromText(previous.prior_dest);
    const reason = changeReason(cur, previous, link, opts);
    return reason === undefined ? { unchanged: true, ts: newest.ts } : { unchanged: false, reason };
  }

  /** This directory's version cache (lib/store/cache.ts), read on first use. */
  cache(): CacheRows {
    return this.#cache ??= this.caching ? readCacheRows(this.dir, this.#tag) : new Map();
  }

  /** This directory's version cache when it was read, else undefined. */
  cacheIfRead(): CacheRows | undefined {
    return this.#cache;
  }

  /** Records a version for the cache (a sidecar read, or an entry this run committed). */
  remember(name: BPath, v: CachedVersion): void {
    if (!this.caching) return;
    this.cache().set(name, v);
    this.onDirty(name, v);
  }

  /**
   * Whether file target `path` (named `name`) is known unchanged from its newest entry
   * through the cache and three statx calls compared field by field (lib/store/statx_judge.ts),
   * no string built: the sidecar as cached, the payload a file of the recorded size, the
   * target as recorded. False also when that cannot tell (judged the slower way then).
   */
  #quickUnchanged(path: BPath, name: BPath, newest: Newest, opts: VersionOptions): boolean {
    if (!hasStatxPath()) return false;
    // The row as read: what is compared is checked as it is read (no row checked whole).
    const c = fileRowIn(this.cache(), name, newest.ts);
    if (c === undefined) return false;
    try {
      return statxIn(this.dir, newest.fname) && statxHasStamp(c.stamp) &&
        statxIn(this.dir, payloadOf(newest.fname)) && statxIsFileOf(c.size) &&
        this.#targetIs(path, name, c, opts);
    } catch (_e) {
      // What cannot be stat'ed here is judged the slower way, which reports it.
      return false;
    }
  }

  /** Whether file target `path` (named `name`) holds the state `recorded`, by one statx. */
  #targetIs(path: BPath, name: BPath, recorded: RecordedFile, opts: VersionOptions): boolean {
    try {
      return statxIn(path.slice(0, path.length - name.length - 1) || "/", name) &&
        statxIsUnchangedFile(recorded, opts.ignoreInode);
    } catch (_e) {
      // Cannot be stat'ed here: the full stat that follows reports why.
      return false;
    }
  }

  /** The newest entry's version when the entry is complete, else undefined. */
  #readNewest(name: BPath, newest: Newest): CachedVersion | undefined {
    const path = joinName(this.dir, newest.fname);
    let v = cachedVersion(this.cache(), name, newest.ts, path);
    if (v === undefined) {
      const read = readSidecar(path);
      if (read === undefined) return undefined;
      v = CachedVersion.of(newest.ts, read.stamp, read.sidecar);
      this.remember(name, v);
    }
    let pst: { kind: string; size: number } | undefined;
    try {
      pst = quickKindSize(joinName(this.dir, payloadOf(newest.fname)));
    } catch (_e) {
      // A payload that cannot be stat'ed cannot be reused.
      return undefined;
    }
    if (pst === undefined) return undefined;
    if (v.kind === "file") {
      if (pst.kind !== "file" || (v.size !== undefined && pst.size !== v.size)) return undefined;
    } else if (v.kind === "symlink") {
      if (pst.kind !== "symlink") return undefined;
    } else if (pst.kind !== "file" || pst.size !== 0) return undefined;
    return v;
  }
}

/** The payload's name of sidecar name `fname`. */
function payloadOf(fname: BPath): BPath {
  return fname.slice(0, fname.length - SIDECAR_SUFFIX.length);
}

/**
 * The cached version of `name` when the cache holds version `ts` and the sidecar file
 * still matches the cached stamp; else undefined (read it).
 */
function cachedVersion(
  cache: CacheRows,
  name: BPath,
  ts: number,
  path: BPath,
): CachedVersion | undefined {
  const c = versionIn(cache, name);
  if (c === undefined || c.ts !== ts) return undefined;
  let st: QuickStat | undefined;
  try {
    st = quickStat(path);
  } catch (_e) {
    // Cannot stat it: not known to be as cached; the read that follows decides.
    return undefined;
  }
  return st !== undefined && c.matches(st.stamp) ? c : undefined;
}
